"""The API schema lists the accepted document types from the reader registry."""
from __future__ import annotations

from service.ingest.registry import ACCEPTED


def test_openapi_upload_body_names_the_registry_types(client) -> None:
    body = client.get("/openapi.json").json()["paths"]["/v1/checks"]["post"]["requestBody"]
    files = body["content"]["multipart/form-data"]["schema"]["properties"]["files"]
    assert ACCEPTED in files["description"]
