"""The reactions a member can give: a few kind words, nothing that scores or ranks."""

from __future__ import annotations

from forum.errors import NotFound

# key -> (symbol, words). The order is the order they are shown in.
KINDS: dict[str, tuple[str, str]] = {
    "with_you": ("🤝", "With you"),
    "thank_you": ("🙏", "Thank you"),
    "strength": ("💪", "Sending strength"),
    "me_too": ("🫂", "Me too"),
}

Counts = dict[str, int]


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        choices = ", ".join(KINDS)
        raise NotFound(f"There is no reaction called that. The reactions are: {choices}.")
    return kind


def ordered(counts: Counts) -> Counts:
    """Every kind with its count (zero included), in the order they are shown."""
    return {kind: counts.get(kind, 0) for kind in KINDS}
