"""The reactions a member can give: a few kind words, nothing that scores or ranks."""

from __future__ import annotations

from forum.errors import NotFound
from forum.i18n import N_, gettext

# key -> (symbol, words). The order is the order they are shown in; the words are
# English, shown in the reader's language through `label` (or `_()` in a template).
KINDS: dict[str, tuple[str, str]] = {
    "with_you": ("🤝", N_("With you")),
    "thank_you": ("🙏", N_("Thank you")),
    "strength": ("💪", N_("Sending strength")),
    "me_too": ("🫂", N_("Me too")),
}

Counts = dict[str, int]


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        choices = ", ".join(KINDS)
        raise NotFound(
            gettext("There is no reaction called that. The reactions are: %(choices)s.")
            % {"choices": choices}
        )
    return kind


def label(kind: str) -> str:
    """The reaction's words in the reader's language."""
    return gettext(KINDS[kind][1])


def labelled() -> dict[str, tuple[str, str]]:
    """Every reaction with its symbol and words in the reader's language, in order."""
    return {kind: (symbol, gettext(words)) for kind, (symbol, words) in KINDS.items()}


def ordered(counts: Counts) -> Counts:
    """Every kind with its count (zero included), in the order they are shown."""
    return {kind: counts.get(kind, 0) for kind in KINDS}
