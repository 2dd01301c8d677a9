"""Notifications: what a member is told about (a moderator's decision, a check-in)."""
