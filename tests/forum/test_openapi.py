"""The published OpenAPI document describes every JSON API route the app serves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema_rs
from starlette.applications import Starlette
from starlette.routing import Route

from tests.conftest import ok

CONVERTER = re.compile(r"\{(\w+):\w+\}")
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
SELF = "/api/v1/openapi.json"


def api_operations(app: Starlette) -> set[tuple[str, str]]:
    """(method, OpenAPI path) for every /api/v1 route; HEAD is implied by GET."""
    found = set()
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/api/v1/") or path == SELF:
            continue
        assert isinstance(route, Route) and route.methods, f"{path} is not a plain route"
        for method in route.methods - {"HEAD"}:
            found.add((method.lower(), CONVERTER.sub(r"{\1}", path)))
    return found


async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(SELF)
    assert response.headers["content-type"].startswith("application/json")
    return await ok(response)


async def test_document_is_openapi_3_1(client: httpx.AsyncClient) -> None:
    doc = await document(client)
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    assert doc["info"]["title"]
    assert isinstance(doc["info"]["version"], str)
    assert isinstance(doc["paths"], dict) and doc["paths"]
    for path, item in doc["paths"].items():
        assert path.startswith("/api/v1/"), path
        operations = {key for key in item if key in HTTP_METHODS}
        assert operations, f"{path} has no operations"
        assert set(item) <= HTTP_METHODS | {"parameters", "summary", "description"}, path
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), path
        for parameter in item.get("parameters", []):
            assert parameter["required"] is True
            assert parameter["schema"]["type"] in ("integer", "string")
        for method in operations:
            operation = item[method]
            assert operation["responses"], f"{method} {path} lists no responses"
            for status in operation["responses"]:
                assert status == "default" or re.fullmatch(r"[1-5]\d\d", status), status


async def test_document_lists_every_api_route_with_its_methods(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    doc = await document(client)
    listed = {
        (method, path)
        for path, item in doc["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    served = api_operations(app)
    assert served, "the app serves API routes"
    missing = sorted(served - listed)
    assert not missing, f"API routes missing from {SELF}: {missing}"
    extra = sorted(listed - served)
    assert not extra, f"{SELF} lists operations the app doesn't serve: {extra}"


async def test_document_names_the_contract_routes(client: httpx.AsyncClient) -> None:
    paths = (await document(client))["paths"]
    for method, path in [
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/circles"),
        ("get", "/api/v1/circles/{slug}"),
        ("post", "/api/v1/circles/{slug}/join"),
        ("post", "/api/v1/circles/{slug}/threads"),
        ("get", "/api/v1/threads/{thread_id}"),
        ("post", "/api/v1/threads/{thread_id}/posts"),
    ]:
        assert method in paths.get(path, {}), (method, path)


async def test_request_bodies_are_json_schemas_with_required_fields(
    client: httpx.AsyncClient,
) -> None:
    paths = (await document(client))["paths"]
    bodies = {
        ("post", "/api/v1/auth/register"): {"username", "password", "display_name"},
        ("post", "/api/v1/circles"): {"slug", "name"},
        ("post", "/api/v1/circles/{slug}/join"): {"accept_rules_version"},
        ("post", "/api/v1/circles/{slug}/threads"): {"title", "body"},
        ("post", "/api/v1/threads/{thread_id}/posts"): {"body"},
    }
    for (method, path), required in bodies.items():
        body = paths[path][method]["requestBody"]
        schema = body["content"]["application/json"]["schema"]
        assert schema["type"] == "object"
        assert required <= set(schema["properties"]), path
        assert required <= set(schema.get("required", [])), path


def refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs(item)


async def test_every_reference_resolves(client: httpx.AsyncClient) -> None:
    doc = await document(client)
    found = list(refs(doc))
    assert "#/components/schemas/ThresholdIn" in found
    assert "#/components/schemas/RuleDraftIn" in found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"], ref


async def test_sign_in_routes_declare_401_and_public_reads_optional_auth(
    client: httpx.AsyncClient,
) -> None:
    paths = (await document(client))["paths"]
    me = paths["/api/v1/me"]["get"]
    assert "401" in me["responses"]
    assert {} not in me["security"]
    assert {} in paths["/api/v1/circles"]["get"]["security"]
    assert paths["/api/v1/auth/register"]["post"]["security"] == []


async def test_limits_are_declared(client: httpx.AsyncClient) -> None:
    paths = (await document(client))["paths"]
    body = paths["/api/v1/rooms/{room_id}"]["patch"]["requestBody"]["content"]
    room = body["application/json"]["schema"]["properties"]
    assert room["slow_mode_seconds"] == {
        "maximum": 3600,
        "minimum": 0,
        "title": "Slow Mode Seconds",
        "type": "integer",
    }
    assert room["name"]["maxLength"] == 80 and "null" not in str(room["name"])


async def test_security_schemes_are_declared(client: httpx.AsyncClient) -> None:
    doc = await document(client)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    for item in doc["paths"].values():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                for requirement in operation.get("security", []):
                    assert set(requirement) <= set(schemes)


async def test_every_schema_compiles_in_the_validator_schemathesis_uses(
    client: httpx.AsyncClient,
) -> None:
    # A pattern that engine can't compile (a lone surrogate in a class, say) is silently
    # not enforced when schemathesis generates data, so the document would promise less.
    doc = await document(client)
    components = {"components": {"schemas": doc["components"]["schemas"]}}
    compiled = 0
    for item in doc["paths"].values():
        for parameter in item.get("parameters", []):
            jsonschema_rs.validator_for(parameter["schema"])
            compiled += 1
        for method, operation in item.items():
            if method in HTTP_METHODS and "requestBody" in operation:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                jsonschema_rs.validator_for({**schema, **components})
                compiled += 1
    assert compiled >= 50
