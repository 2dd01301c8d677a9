"""Search: full-text search over the threads and posts a reader may see."""
