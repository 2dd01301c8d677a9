"""Finding the people you share a circle with, by the display name you know them by."""
