"""The published OpenAPI document is valid and describes every v1 endpoint the app serves."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_openapi_is_valid_and_complete(app, client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    validate(spec)
    documented = {
        (path, method.upper()) for path, ops in spec["paths"].items() for method in ops if method != "parameters"
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served <= documented, served - documented
    # The error shape of DESIGN.md's contract is what the spec promises.
    assert set(spec["components"]["schemas"]["ErrorOut"]["properties"]) == {"error", "message", "fields"}
