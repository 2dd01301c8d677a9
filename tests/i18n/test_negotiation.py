"""Which language a request speaks: the member's choice, else Accept-Language, else English."""

from __future__ import annotations

import pytest

from forum import i18n
from forum.i18n import current_locale, for_request, from_accept_language, switch, using


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
        ("ES-ar", "es"),
        ("es;q=0, en", "en"),
        ("fr-FR,de", "en"),
        ("*", "en"),
        ("q=;;,", "en"),
    ],
)
def test_accept_language_picks_the_best_language_circles_speaks(header: str, locale: str) -> None:
    assert from_accept_language(header) == locale


def test_the_members_choice_outranks_the_browser() -> None:
    assert for_request("es", "en-GB,en") == "es"
    assert for_request(None, "es-ES") == "es"
    assert for_request("xx", "") == "en"


def test_switch_lasts_until_the_enclosing_using_ends() -> None:
    with using("en"):
        switch("es")
        assert current_locale() == "es"
    assert current_locale() == "en"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANGUAGE": "fr:es", "LANG": "en_US.UTF-8"}, "es"),  # LANGUAGE is a list, first
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "es_ES.UTF-8"}, "en"),  # LC_ALL outranks LANG
        ({"LC_MESSAGES": "es_AR@euro", "LANG": ""}, "es"),
    ],
)
def test_a_terminals_language_comes_from_its_environment(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.from_environment(environ) == expected
