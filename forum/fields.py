"""Bounded field and path types: numbers a person sends must fit the database's columns."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field
from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 2**63 - 1

DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
DbInt = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]  # compared, or stored in a BIGINT


class IdConvertor(Convertor[int]):
    """`{name:id}` in a route: up to 18 digits, so every match fits a BIGINT (else 404)."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


def parse_id(text: str | None) -> int | None:
    """A query-string id, or None when it is missing or could not be one of ours."""
    return int(text) if text and re.fullmatch(IdConvertor.regex, text) else None
