"""The crisis words and the seeded lines' descriptions read in the reader's language."""

from __future__ import annotations

from forum import i18n
from forum.review import wording
from forum.review.resources import KnownLines, translated
from forum.review.wording import Situation

SEEDED = {
    "name": "Samaritans",
    "region": "GB",
    "phone": "116 123",
    "sms": "",
    "url": "https://www.samaritans.org",
    "description": "Free to call, any time, day or night.",
}


def test_every_situation_has_its_own_spanish_message() -> None:
    with i18n.using("es"):
        spanish = {situation: wording.message(situation) for situation in Situation}
    assert len(set(spanish.values())) == len(Situation)
    for situation, words in spanish.items():
        assert words != wording.MESSAGES[situation]
        assert words.startswith("Lo que escribiste suena muy difícil")


def test_a_seeded_description_is_translated_and_an_admins_own_is_not() -> None:
    own = {**SEEDED, "description": "Open on weekdays."}
    with i18n.using("es"):
        assert translated(SEEDED)["description"] == (
            "Llamada gratuita, a cualquier hora, de día o de noche."
        )
        assert translated(own)["description"] == "Open on weekdays."
    assert translated(SEEDED) == SEEDED


def test_the_lines_kept_for_an_outage_are_worded_for_each_reader() -> None:
    known = KnownLines(lines=(SEEDED,))
    assert known.for_region("GB")[0]["description"] == SEEDED["description"]
    with i18n.using("es"):
        assert known.for_region("GB")[0]["description"].startswith("Llamada gratuita")
