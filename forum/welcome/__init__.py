"""The first-run page: a new member chooses circles and sets their boundaries in one place."""
