"""Word lists shipped in moderation/data/ as plain text, so they read (and diff) as lists."""

from __future__ import annotations

from importlib.resources import files


def word_list(name: str) -> frozenset[str]:
    """The words in moderation/data/<name>: separated by whitespace, '#' starts a comment."""
    text = files("moderation").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(word for line in text.splitlines() for word in line.split("#")[0].split())
