"""Live chat rooms per circle: moderated, stored, resumable."""
