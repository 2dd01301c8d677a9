"""Timestamps in Spanish: Babel's relative words and month names, our catalog's one-away words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.i18n import using
from forum.times import relative_words, timestamp

NOW = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (timedelta(seconds=-20), "ahora"),
        (timedelta(minutes=-1), "hace 1 minuto"),
        (timedelta(hours=-3), "hace 3 horas"),
        (timedelta(hours=-30), "ayer"),
        (timedelta(days=-6), "hace 6 días"),
        (timedelta(days=-8), "la semana pasada"),
        (timedelta(days=-800), "hace 2 años"),
        (timedelta(minutes=14, seconds=30), "dentro de 14 minutos"),
        (timedelta(days=1), "mañana"),
    ],
)
def test_relative_words_in_spanish(offset: timedelta, words: str) -> None:
    with using("es"):
        assert relative_words(NOW + offset, NOW) == words


def test_timestamp_in_spanish_names_the_month_in_spanish() -> None:
    with using("es"):
        html = str(timestamp(datetime(2026, 12, 7, 12, 5, tzinfo=UTC), NOW))
    assert html == (
        '<time class="timestamp" datetime="2026-12-07T12:05:00+00:00"'
        ' title="7 dic 2026, 12:05 UTC">hace 3 horas</time>'
    )
