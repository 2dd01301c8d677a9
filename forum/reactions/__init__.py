"""Supportive reactions on posts and chat messages: a small fixed set, never a downvote."""
