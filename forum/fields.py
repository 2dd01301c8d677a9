"""Bounded field and path types: numbers a person sends must fit the database's columns."""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from starlette.convertors import Convertor, register_url_convertor

from forum.errors import BadRequest, Invalid
from forum.i18n import _

MAX_ID = 2**63 - 1

DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
DbInt = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]  # compared, or stored in a BIGINT

T = TypeVar("T")


def declared(**schema: Any) -> Any:
    """A limit the document declares while the service checks it, with its own words."""
    return Field(json_schema_extra=schema)


def declared_default(default: Any, **schema: Any) -> Any:
    return Field(default=default, json_schema_extra=schema)


TEXT = r"\S"  # text that must not be blank (services strip it first)


def when(field: str, *values: str) -> dict[str, Any]:
    """A JSON Schema `if`: the body's `field` is one of `values` (for rules between fields)."""
    return {"required": [field], "properties": {field: {"enum": list(values)}}}


def _refuse_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("null_field", "can't be null")
    return value


# A field a change may leave out (None: not sent) but never set to null, which would
# blank a column that must have a value. The document declares it without null.
Omittable = Annotated[T | SkipJsonSchema[None], BeforeValidator(_refuse_null)]


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


# JSON bodies: what a request may hold before anything reads it. No body here needs
# more than a few levels (a rule list, a schedule's slots); the limit keeps a hostile
# body from exhausting the parser's stack or the validators after it.
MAX_DEPTH = 10
# Nothing we store is a number longer than a BIGINT; a longer one is refused before
# Python turns thousands of digits into an int (which it refuses past 4,300 anyway).
MAX_DIGITS = 20


class _Unfit:
    """A number from the body that no field can hold, kept so its field can be named."""

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_int(text: str) -> int | _Unfit:
    return _Unfit(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def _parse_float(text: str) -> float | _Unfit:
    value = float(text)
    return value if math.isfinite(value) and len(text) <= 40 else _Unfit(text)


def parse_json(raw: bytes) -> Any:
    """The body as JSON (an empty body is an empty object), or a 400 saying what is wrong."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(
            raw, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_Unfit
        )
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise BadRequest(_("The request body is not valid JSON."), code="bad_json") from None
    return data


def _too_deep() -> BadRequest:
    return BadRequest(
        _(
            "The request body is nested more than %(max_depth)s levels deep; nothing here needs "
            "that many."
        )
        % {"max_depth": MAX_DEPTH},
        code="too_deep",
    )


def _where(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path) or "body"


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        # PostgreSQL cannot store NUL characters; they are never part of real writing.
        return _("contains a NUL character, which can't be stored")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("contains a broken character (a lone UTF-16 surrogate), which can't be stored")
    return None


def check_values(data: Any) -> None:
    """Walks the body (without recursion) and refuses what no field can hold, naming it."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, str):
            if problem := _text_problem(value):
                raise Invalid(
                    _("'%(where)s' %(problem)s.") % {"where": _where(path), "problem": problem},
                    field=_where(path),
                )
        elif isinstance(value, _Unfit):
            raise Invalid(
                _(
                    "'%(where)s' is a number too large for any field here (at most %(max_digits)s "
                    "digits, and finite)."
                )
                % {"where": _where(path), "max_digits": MAX_DIGITS},
                field=_where(path),
            )
        elif isinstance(value, dict):
            for key, item in value.items():
                if problem := _text_problem(key):
                    where = _where(path)
                    raise Invalid(
                        _("A field name in '%(where)s' %(problem)s.")
                        % {"where": where, "problem": problem},
                        field=where,
                    )
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))


def invalid_field(exc: ValidationError) -> Invalid:
    """The first problem pydantic found, as a 422 naming the field in plain words."""
    first = exc.errors()[0]
    where = _where(tuple(first["loc"]))
    ctx = first.get("ctx", {})
    message = {
        "missing": f"'{where}' is required.",
        "string_type": f"'{where}' must be text.",
        "int_parsing": f"'{where}' must be a whole number.",
        "int_type": f"'{where}' must be a whole number.",
        "int_from_float": f"'{where}' must be a whole number.",
        "bool_type": f"'{where}' must be true or false.",
        "bool_parsing": f"'{where}' must be true or false.",
        "extra_forbidden": f"'{where}' is not a field this request accepts.",
        "string_too_short": f"'{where}' needs at least {ctx.get('min_length')} characters.",
        "string_too_long": f"'{where}' can be at most {ctx.get('max_length')} characters.",
        "too_long": f"'{where}' can have at most {ctx.get('max_length')} items.",
        "greater_than_equal": f"'{where}' must be at least {ctx.get('ge')}.",
        "greater_than": f"'{where}' must be more than {ctx.get('gt')}.",
        "less_than_equal": f"'{where}' must be at most {ctx.get('le')}.",
        "null_field": f"'{where}' can't be null; leave it out to keep it as it is.",
    }.get(first["type"], f"'{where}': {first['msg']}.")
    return Invalid(message, field=where)


def _blank_is_none(value: Any) -> Any:
    # A form's hidden field is empty until the member picker fills it.
    return None if isinstance(value, str) and not value.strip() else value


def _names_one(schema: dict[str, Any]) -> None:
    # As documented: an id (never null) or a username with something in it; at least one.
    properties = schema["properties"]
    properties["user_id"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    properties["username"].update(minLength=1, pattern=TEXT)
    schema["anyOf"] = [{"required": ["user_id"]}, {"required": ["username"]}]


class NamesMember(BaseModel):
    """A form or body that names a member: the id the member picker chose
    (forum/people), or a username they were told."""

    model_config = ConfigDict(
        extra="ignore", str_strip_whitespace=True, json_schema_extra=_names_one
    )
    user_id: Annotated[DbId | None, BeforeValidator(_blank_is_none)] = None
    # As long as a display name: the picker leaves the chosen name in the field.
    username: str = Field(default="", max_length=48)
