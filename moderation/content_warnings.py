"""The fixed list of content warnings authors can put on a post, and how readers see them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from moderation.wording import N_, Translate

# Key (stored and used in the API) -> the words a reader sees ("Content warning: grief"),
# in English; `Labels` shows them in the reader's language.
WARNINGS: dict[str, str] = {
    "self-harm": N_("self-harm"),
    "suicide": N_("suicide"),
    "eating": N_("eating and food"),
    "grief": N_("grief and loss"),
    "abuse": N_("abuse"),
    "sexual-violence": N_("sexual violence"),
    "violence": N_("violence"),
    "substance-use": N_("substance use"),
    "medical": N_("medical details"),
}


class Labels(Mapping[str, str]):
    """WARNINGS read through `translate` each time (forum.i18n.gettext: the language of
    whoever is reading now), so one object can serve every request."""

    def __init__(self, translate: Translate) -> None:
        self.translate = translate

    def __getitem__(self, key: str) -> str:
        return self.translate(WARNINGS[key])

    def __iter__(self) -> Iterator[str]:
        return iter(WARNINGS)

    def __len__(self) -> int:
        return len(WARNINGS)

    def words(self, key: str) -> str:
        """A warning's words, or the key itself when it is not one of the list."""
        return self[key] if key in WARNINGS else key


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


def words_for(keys: Iterable[str], translate: Translate = N_) -> str:
    return ", ".join(translate(WARNINGS[key]) if key in WARNINGS else key for key in keys)


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
