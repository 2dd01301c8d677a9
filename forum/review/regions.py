"""Which country's crisis lines to show: the member's setting, else the browser's language."""

from __future__ import annotations

import re

from forum.i18n import babel_locale

# The regions with crisis lines, by their English name; `region_names` gives them in the
# reader's language (Babel's country names).
REGIONS = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "AU": "Australia",
}


def region_names() -> dict[str, str]:
    territories = babel_locale().territories
    return {code: territories.get(code, name) for code, name in REGIONS.items()}


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
