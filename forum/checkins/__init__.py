"""Check-ins: a moderator reaching out privately, as the team, to someone they worry about."""
