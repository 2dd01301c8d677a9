"""Who is in a circle, and its moderators removing and banning members."""
