"""The fixed list of content warnings authors can put on a post, and how readers see them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Key (stored and used in the API) -> the words a reader sees ("Content warning: grief").
WARNINGS: dict[str, str] = {
    "self-harm": "self-harm",
    "suicide": "suicide",
    "eating": "eating and food",
    "grief": "grief and loss",
    "abuse": "abuse",
    "sexual-violence": "sexual violence",
    "violence": "violence",
    "substance-use": "substance use",
    "medical": "medical details",
}

SHOW, BLUR, HIDE = "show", "blur", "hide"
TREATMENTS = (SHOW, BLUR, HIDE)
DEFAULT_TREATMENT = BLUR
_STRICTNESS = {SHOW: 0, BLUR: 1, HIDE: 2}


def unknown_warnings(keys: Iterable[str]) -> list[str]:
    return [key for key in keys if key not in WARNINGS]


def ordered(keys: Iterable[str]) -> tuple[str, ...]:
    """Known warnings without repeats, in the list's order (so equal sets read alike)."""
    wanted = set(keys)
    return tuple(key for key in WARNINGS if key in wanted)


def words_for(keys: Iterable[str]) -> str:
    return ", ".join(WARNINGS.get(key, key) for key in keys)


def full_prefs(prefs: Mapping[str, str] | None) -> dict[str, str]:
    """Every warning with the reader's choice, the default where they made none."""
    prefs = prefs or {}
    return {
        key: prefs[key] if prefs.get(key) in _STRICTNESS else DEFAULT_TREATMENT for key in WARNINGS
    }


def treatment(keys: Iterable[str], prefs: Mapping[str, str] | None) -> str:
    """The strictest of the reader's choices for a post's warnings: hide beats blur beats show."""
    prefs = prefs or {}
    chosen = [prefs.get(key, DEFAULT_TREATMENT) for key in keys]
    chosen = [c if c in _STRICTNESS else DEFAULT_TREATMENT for c in chosen]
    return max(chosen, key=_STRICTNESS.__getitem__, default=SHOW)
