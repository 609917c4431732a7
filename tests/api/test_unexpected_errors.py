"""An unexpected exception is a JSON 500 whose log names the exception type and frames, never its message."""
from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from service.api import create_app

SECRET = "Corvid Analytics signed the completion letter"


def test_unexpected_error_is_json_and_its_message_is_not_logged(settings, caplog) -> None:
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:  # an application bug whose message quotes document text
        raise RuntimeError(SECRET)

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.DEBUG):
        r = client.get("/boom")
    assert r.status_code == 500
    assert r.json()["code"] == "internal_error"
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "RuntimeError" in logged and "boom" in logged
    assert SECRET not in logged and SECRET not in caplog.text
