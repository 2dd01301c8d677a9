"""Rate limits kept in the database, so every server process counts against the same limit."""
