"""Personal boundaries over the web: blocking, profiles and the settings forms."""
