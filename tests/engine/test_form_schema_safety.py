"""Issue 9, findings 4 and 5: an admin's JSON-Schema form can neither reach out nor stall the server.

- `$ref` to a URL or a `file://` path is refused at deploy (naming the form and the reference), and validation
  uses a registry that retrieves nothing, so even a form stored before vetting opens no connection.
- `pattern` runs on RE2 (linear time): `^(a+)+$` against 30 a's and a b answers at once with the field message;
  a pattern RE2 cannot run (a backreference) is refused at deploy, naming where it is.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from server.engine.form_schema import form_problems
from server.services.errors import ValidationFailed
from server.services.forms import validate_submission
from tests.api.bpmn_text import one_step_flow
from tests.api.helpers import complete, start, upload


class _Counting(BaseHTTPRequestHandler):
    hits = 0
    SCHEMA = json.dumps({"type": "string", "maxLength": 1}).encode()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.SCHEMA)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def schema_server() -> Iterator[tuple[str, type[_Counting]]]:
    """A local HTTP server that serves a schema and counts every request it gets."""
    handler = type("Handler", (_Counting,), {"hits": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/s.json", handler
    finally:
        server.shutdown()
        server.server_close()


def form_with(field: dict) -> str:
    return json.dumps({"type": "object", "properties": {"x": field}})


def deploy(admin, key: str, form: str):
    return upload(admin, key, {"x.bpmn": one_step_flow("y = 1", process_id=key), "f.json": form})


@pytest.mark.parametrize("ref", ["HTTP", "file:///etc/passwd", "file:///proc/self/environ"])
def test_remote_and_file_refs_are_refused_at_deploy_and_nothing_is_fetched(login_as, schema_server, ref):
    url, handler = schema_server
    ref = url if ref == "HTTP" else ref
    admin, school = login_as("admin"), login_as("school1")
    resp = deploy(admin, "ref_flow", form_with({"$ref": ref}))
    body = resp.get_json()
    assert resp.status_code == 422, body
    assert "f.json" in body["fields"]
    assert ref in body["fields"]["f.json"] and "#/properties/x/$ref" in body["fields"]["f.json"]
    # Nothing was deployed, so no user can submit to it; and deploying itself fetched nothing.
    resp = school.post("/api/v1/process-instances", json={"process_key": "ref_flow", "data": {}})
    assert resp.status_code in (404, 422), resp.get_json()
    assert handler.hits == 0


def test_a_form_stored_before_vetting_still_fetches_nothing(schema_server):
    """Validation itself retrieves nothing: the user gets a message that names who can fix the form."""
    url, handler = schema_server
    for ref in (url, "file:///etc/passwd"):
        with pytest.raises(ValidationFailed) as err:
            validate_submission({"type": "object", "properties": {"x": {"$ref": ref}}}, {"x": "long text"})
        assert "请联系管理员" in err.value.message
    assert handler.hits == 0


@pytest.mark.parametrize(
    ("schema", "named"),
    [
        ({"$defs": {"a": {"$dynamicRef": "#a"}}}, "#/$defs/a/$dynamicRef"),
        ({"$recursiveRef": "#"}, "#/$recursiveRef"),
        ({"$id": "https://evil.example/form", "properties": {}}, "#/$id"),
        ({"properties": {"x": {"$schema": "https://evil.example/meta"}}}, "#/properties/x/$schema"),
        ({"$schema": "http://json-schema.org/draft-04/schema#"}, "#/$schema"),
        ({"properties": {"x": {"$ref": "#/$defs/missing"}}}, "#/properties/x/$ref"),
        ({"properties": {"x": {"$ref": "#/title"}}, "title": "t"}, "#/properties/x/$ref"),
        ({"$ref": "#"}, "#/$ref"),
        ({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}}, "#/$defs/a/$ref"),
        ({"patternProperties": {"^(a+)+$": {}}}, "#/patternProperties"),
        ({"properties": {"x": {"pattern": "(a)\\1"}}}, "#/properties/x/pattern"),
        ({"properties": {"x": {"pattern": "(?=a)a"}}}, "#/properties/x/pattern"),
    ],
)
def test_unsafe_form_constructs_are_named(schema, named):
    problems = form_problems(schema)
    assert problems and any(named in p for p in problems), problems


@pytest.mark.parametrize(
    "schema",
    [
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"},
        {"$defs": {"n": {"type": "number"}}, "properties": {"a": {"$ref": "#/$defs/n"}}},
        {"properties": {"tree": {"type": "array", "items": {"$ref": "#"}}}},  # recursion that reads input
        {"properties": {"patternProperties": {"type": "string"}, "$ref": {"type": "string"}}},  # just names
        {"properties": {"code": {"type": "string", "pattern": "^[A-Za-z0-9_\\-]{1,64}$"}}},
    ],
)
def test_ordinary_forms_pass(schema):
    assert form_problems(schema) == []


def test_a_local_ref_still_validates(login_as):
    admin, school = login_as("admin"), login_as("school1")
    form = json.dumps({"type": "object", "$defs": {"short": {"type": "string", "maxLength": 3}},
                       "properties": {"x": {"$ref": "#/$defs/short"}}})
    assert deploy(admin, "local_ref", form).status_code == 201
    task_id = start(school, "local_ref")["open_tasks"][0]["id"]
    assert complete(school, task_id, {"x": "long"}, expect=422)["fields"] == {"x": "不能超过 3 个字符"}
    complete(school, task_id, {"x": "ok"})


def test_catastrophic_pattern_answers_with_the_field_message(login_as):
    admin, school = login_as("admin"), login_as("school1")
    assert deploy(admin, "redos", form_with({"type": "string", "pattern": "^(a+)+$"})).status_code == 201
    task_id = start(school, "redos")["open_tasks"][0]["id"]
    # Python's backtracking `re` takes minutes on this; RE2 answers in microseconds.
    body = complete(school, task_id, {"x": "a" * 30 + "b"}, expect=422)
    assert body["fields"] == {"x": "格式不正确"}
    complete(school, task_id, {"x": "a" * 30})


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?<=a)b", "(?!x)y"])
def test_a_pattern_re2_cannot_run_is_refused_at_deploy(login_as, pattern):
    admin = login_as("admin")
    resp = deploy(admin, "bad_pattern", form_with({"type": "string", "pattern": pattern}))
    body = resp.get_json()
    assert resp.status_code == 422, body
    assert "#/properties/x/pattern" in body["fields"]["f.json"] and "RE2" in body["fields"]["f.json"]


def test_regex_format_is_checked_on_re2_too():
    schema = {"type": "object", "properties": {"r": {"type": "string", "format": "regex"}}}
    assert validate_submission(schema, {"r": "^[a-z]+$"}) == {"r": "^[a-z]+$"}
    with pytest.raises(ValidationFailed) as err:
        validate_submission(schema, {"r": "(a)\\1"})
    assert err.value.fields == {"r": "格式不正确（应为 regex）"}


@pytest.mark.parametrize(
    ("form", "named"),
    [
        ('{"type": "object", "properties": {"x": {"type": "number", "maximum": NaN}}}', "NaN"),
        ('{"type": "object", "properties": {"x": {"type": "number", "minimum": -Infinity}}}', "-Infinity"),
        ('{"type": "object", "properties": {"x": {"type": "number", "maximum": 1e999}}}', "1e999"),
        ('{"type": "object", "title": "a\\u0000b"}', "#/title"),
        ('{"type": "object", "properties": {"x\\ud800": {}}}', "#/properties"),
    ],
)
def test_a_form_file_no_database_can_store_is_refused_at_deploy(login_as, form, named):
    """A NaN bound would make every comparison false (and PostgreSQL's JSON refuses it): refused, named."""
    resp = deploy(login_as("admin"), "bad_numbers", form)
    body = resp.get_json()
    assert resp.status_code == 422, body
    assert named in body["fields"]["f.json"]
