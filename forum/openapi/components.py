"""What every operation in the OpenAPI document shares: errors, security, parameters, bodies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from forum.reactions.kinds import KINDS

# (method, path, summary, request body, success status, what the success returns)
Operation = tuple[str, str, str, type[BaseModel] | None, int, str]

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
}
CREDENTIALS: list[dict[str, list[str]]] = [{"bearer": []}, {"cookie": []}]
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "cookie": {"type": "apiKey", "in": "cookie", "name": "circles_session"},
}
REF = "#/components/schemas/{model}"


def error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def body_schema(body: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """The body's JSON schema; the models it names go to components (so `$ref`s resolve)."""
    schema: dict[str, Any] = _tidy(body.model_json_schema(ref_template=REF))
    defs.update(schema.pop("$defs", {}))
    return schema


def _tidy(schema: Any) -> Any:
    """Drops `"default": null` on fields that can't be null (left out means unchanged)."""
    if isinstance(schema, dict):
        if schema.get("default", 0) is None and schema.get("type") not in (None, "null"):
            schema = {k: v for k, v in schema.items() if k != "default"}
        return {key: _tidy(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_tidy(value) for value in schema]
    return schema


def path_parameter(name: str) -> dict[str, Any]:
    if name == "kind":  # a reaction (forum.reactions.kinds); any other is a 404
        kinds = {"type": "string", "enum": list(KINDS)}
        return {"name": name, "in": "path", "required": True, "schema": kinds}
    schema: dict[str, Any] = (
        # Ids match up to 18 digits (forum.fields.IdConvertor); anything else is a 404.
        {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
        if name.endswith("_id")
        else {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^/\\x00]+$"}
    )
    return {"name": name, "in": "path", "required": True, "schema": schema}
