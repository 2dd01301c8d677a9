"""The OpenAPI document for the JSON API, built from the request schemas.

`document` assembles it from the path tables (`people_paths`, `circle_paths`,
`review_paths`: one row per operation) and the parts every operation shares
(`components`: errors, security, path parameters, request bodies).
"""

from forum.openapi.document import openapi_document

__all__ = ["openapi_document"]
