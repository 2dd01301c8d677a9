"""Timestamps on pages: relative words, the exact UTC time on hover, ISO for scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from forum.times import relative_words, timestamp

NOW = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (timedelta(seconds=-20), "just now"),
        (timedelta(minutes=-1), "1 minute ago"),
        (timedelta(minutes=-59, seconds=-59), "59 minutes ago"),
        (timedelta(hours=-3), "3 hours ago"),
        (timedelta(hours=-30), "yesterday"),
        (timedelta(days=-6), "6 days ago"),
        (timedelta(days=-8), "last week"),
        (timedelta(days=-45), "last month"),
        (timedelta(days=-400), "last year"),
        (timedelta(days=-800), "2 years ago"),
        (timedelta(minutes=14, seconds=30), "in 14 minutes"),
        (timedelta(days=1), "tomorrow"),
    ],
)
def test_relative_words_match_the_browsers_english(offset: timedelta, words: str) -> None:
    assert relative_words(NOW + offset, NOW) == words


def test_timestamp_is_a_time_element_with_iso_and_exact_utc_title() -> None:
    moment = datetime(2026, 12, 7, 12, 5, tzinfo=UTC)
    assert str(timestamp(moment, NOW)) == (
        '<time class="timestamp" datetime="2026-12-07T12:05:00+00:00"'
        ' title="7 Dec 2026, 12:05 UTC">3 hours ago</time>'
    )


def test_timestamp_reads_iso_text_and_other_zones_as_the_same_moment() -> None:
    paris = datetime(2026, 12, 7, 13, 5, tzinfo=timezone(timedelta(hours=1)))
    assert timestamp("2026-12-07T12:05:00+00:00", NOW) == timestamp(paris, NOW)
