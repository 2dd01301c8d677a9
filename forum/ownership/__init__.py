"""Data ownership: a member exports everything they wrote and set, or deletes their account."""
