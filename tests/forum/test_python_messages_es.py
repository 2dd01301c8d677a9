"""Messages written in Python speak the reader's language: errors where they are raised,
mails in their recipient's, with the Spanish catalog keeping every placeholder."""

from __future__ import annotations

import pytest

from forum.chat.rooms import check_schedule
from forum.errors import BadRequest, Invalid
from forum.i18n import using
from forum.mail import letters
from forum.search.service import parse_query


def test_error_is_raised_in_the_readers_language() -> None:
    with using("es"), pytest.raises(BadRequest) as caught:
        parse_query("  ")
    assert caught.value.message == "Escribe una palabra o frase para buscar."
    assert caught.value.code == "empty_query"


def test_error_with_values_fills_them_into_the_translation() -> None:
    with using("es"), pytest.raises(Invalid) as caught:
        check_schedule({"timezone": "Mars/Olympus", "slots": [{"day": "mon"}]})
    assert "“Mars/Olympus” no es una zona horaria" in caught.value.message


def test_error_stays_english_by_default() -> None:
    with pytest.raises(BadRequest) as caught:
        parse_query("")
    assert caught.value.message == "Please type a word or phrase to search for."


def test_mail_is_written_in_the_language_chosen_for_it() -> None:
    with using("es"):
        mail = letters.reset_password("Ana", "ana", "https://circles.test/reset-password?t=1")
    assert mail.subject == "Elige una nueva contraseña de Circles"
    assert mail.text.startswith("Hola, Ana:")
    assert "https://circles.test/reset-password?t=1" in mail.text
    assert mail.text.endswith("Cuídate,\nCircles\n")
