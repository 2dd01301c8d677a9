"""Which country's crisis lines to show: the member's setting, else the browser's language."""

from __future__ import annotations

import re

REGIONS = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "AU": "Australia",
}
_TAG = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z]{4})?-([a-zA-Z]{2})$")


def region_from_accept_language(header: str | None) -> str | None:
    """The first language tag that names a country, in preference order ("en-GB" -> "GB")."""
    if not header:
        return None
    tags: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        tags.append((-quality, index, tag.strip()))
    for _, _, tag in sorted(tags):
        if match := _TAG.match(tag):
            return match.group(1).upper()
    return None


def choose_region(profile_region: str | None, accept_language: str | None) -> str:
    return profile_region or region_from_accept_language(accept_language) or "*"
