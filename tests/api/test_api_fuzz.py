"""Every API body and query parameter, fuzzed: no answer is ever a 500, every error is the JSON error shape.

The endpoints and their parameters come from /api/openapi.json, so a new endpoint is fuzzed as soon as it is
documented (test_openapi.py already fails when one is served but not documented). Two passes per database:
- a deterministic sweep that puts each value of a hostile corpus (NUL, lone surrogates, NaN, Infinity, huge
  numbers, deep nesting, wrong types) into every slot, one slot at a time, so each class is always covered;
  a body carrying a value no database can hold (NUL, a lone surrogate, NaN, an infinity) must be refused;
- hypothesis, a fixed budget of derandomized examples per endpoint mixing valid and hostile values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.helpers import FLOWS, deploy_folder, start
from tests.support.api import ApiUser

EXAMPLES_PER_ENDPOINT = 150
LIVE = object()  # "the currently open task / instance" in a drawn path

# Strings that have broken some layer of some product: database drivers (NUL), JSON codecs (lone surrogates),
# SQL LIKE patterns, HTML, path handling, numeric parsers.
HOSTILE_TEXT = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "%", "_", "\\", "'", '"', "' OR 1=1 --", "<script>x</script>",
    "../../etc/passwd", "file:///etc/passwd", "\u202e", "\ufeff", "𝔘", "的" * 5000, "NaN", "1e999", "-0",
]
HOSTILE_NUMBERS: list[Any] = [
    0, -1, 2**31, 2**63, -(2**63) - 1, 10**400, 1e308, -1e308, 0.1, float("nan"), float("inf"), float("-inf"),
]


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": [value]}
    return value


HOSTILE_VALUES: list[Any] = [*HOSTILE_TEXT, *HOSTILE_NUMBERS, None, True, [], {}, [None], {"": None}, _deep(200)]

text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(st.characters(exclude_categories=()), max_size=40))
number = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(HOSTILE_NUMBERS))
leaf = st.one_of(st.none(), st.booleans(), number, text)
json_value = st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)), max_leaves=12)


# ---------------------------------------------------------------- the contract


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, op


def json_body_schema(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return spec["components"]["schemas"][ref]


def valid_for(schema: dict[str, Any], real: list[Any] | None) -> st.SearchStrategy[Any]:
    """Values a well-behaved client would send in this slot, so the one hostile slot is what gets tested."""
    if real:
        return st.sampled_from(real)
    kind = schema.get("type")
    if kind == "integer":
        low = schema.get("minimum", 0)
        return st.integers(min_value=low, max_value=schema.get("maximum", low + 50))
    if kind == "string" and "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "string":
        return st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
    return json_value


def data_for(fields: list[str]) -> st.SearchStrategy[Any]:
    """A form's `data`: its own fields, each with any value, which is what reaches validation and the engine."""
    return st.fixed_dictionaries({name: st.one_of(number, text, json_value) for name in fields}) | json_value


# ---------------------------------------------------------------- sending


def _pct(value: Any) -> str:
    """Percent-encode any value for a URL, lone surrogates included (as the bytes a client would send)."""
    raw = value if isinstance(value, str) else json.dumps(value)
    return quote(raw.encode("utf-8", "surrogatepass"), safe="")


def fill_path(path: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _pct(values.get(m.group(1), 1)), path)


def _header(value: Any) -> str:
    """A header value as it could arrive on the wire: any text as latin-1, line breaks folded away."""
    text = value if isinstance(value, str) else json.dumps(value, allow_nan=True)
    return text.encode("latin-1", "replace").decode("latin-1").replace("\r", " ").replace("\n", " ")


def send(user: ApiUser, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None,
         raw: bytes | None = None, headers: dict[str, Any] | None = None):
    url = path
    if query:
        url += "?" + "&".join(f"{_pct(k)}={_pct(v)}" for k, v in query.items())
    kwargs: dict[str, Any] = {}
    if raw is not None or body is not None:
        data = raw if raw is not None else json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
        kwargs = {"data": data, "content_type": "application/json"}
    if headers:
        kwargs["headers"] = {k: _header(v) for k, v in headers.items()}
    return user.open(method, url, **kwargs)


def problem(resp, what: str) -> str | None:
    """Why this answer is not one a client can handle, or None when it is."""
    if resp.status_code >= 500:
        return f"{what} -> {resp.status_code}: {resp.get_data(as_text=True)[:300]}"
    if resp.status_code >= 400:
        body = resp.get_json(silent=True)
        if not (isinstance(body, dict) and body.get("error") and body.get("message")):
            return f"{what} -> {resp.status_code} without the JSON error shape: {resp.get_data(as_text=True)[:300]}"
    return None


def unstorable(value: Any) -> bool:
    """NUL, a lone surrogate, NaN or an infinity: no database column or JSON answer can hold these."""
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    return isinstance(value, str) and any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in value)


def assert_answered(resp, what: str) -> None:
    found = problem(resp, what)
    assert found is None, found


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def contract(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


@pytest.fixture
def callers(login_as) -> list[ApiUser]:
    # One caller per kind of actor: a unit, the performance office, an administrator.
    return [login_as("school1"), login_as("perf"), login_as("admin")]


@pytest.fixture
def known(callers) -> dict[str, list[Any]]:
    """Real values (ids, keys) so fuzzed requests also reach past the 404s into the code behind them."""
    school, perf, admin = callers
    # A deployed flow with an open task, so completion reaches form validation and the engine.
    assert deploy_folder(admin, "simple", FLOWS / "simple").status_code == 201
    start(school, "simple")
    keys = [m["key"] for m in perf.get("/api/v1/process-models").get_json()]
    tasks = [t for view in ("mine", "claimable") for t in
             school.get("/api/v1/tasks", query_string={"view": view}).get_json()["items"]]
    projects = school.get("/api/v1/projects").get_json()["items"]
    form_fields = [name for t in tasks[:1] for name in
                   school.get(f"/api/v1/tasks/{t['id']}").get_json()["form"]["schema"].get("properties", {})]
    return {
        "form_fields": form_fields,
        "key": keys, "process_key": keys,
        "task_id": [t["id"] for t in tasks] or [1],
        "instance_id": [t["instance_id"] for t in tasks] or [1],
        "project_id": [p["id"] for p in projects] or [1],
        "project_codes": [[p["code"] for p in projects[:3]]],
        "fiscal_year": [2026],
        "data": [{name: "1" for name in form_fields}],
        "username": ["school1"],
    }


def _endpoints(contract) -> list[tuple[str, str, dict[str, Any]]]:
    # Logging out would revoke the caller's token half-way through; it is swept once, at the end.
    return [(m, p, op) for m, p, op in operations(contract) if (m, p) != ("DELETE", "/api/v1/session")]


# ---------------------------------------------------------------- tests


def sweep_endpoint(caller: ApiUser, method: str, path: str, op: dict[str, Any], contract: dict[str, Any],
                   known: dict[str, list[Any]]) -> list[str]:
    """Each hostile value in each slot of one endpoint, one slot at a time; the answers that were not clean."""
    problems: list[str] = []
    params = op.get("parameters", [])
    path_values = {p["name"]: known.get(p["name"], [1])[0] for p in params if p["in"] == "path"}
    schema = json_body_schema(contract, op)
    fields = list((schema or {}).get("properties", {}))
    base_body = {name: known.get(name, [None])[0] for name in fields} or None
    changes_state = method == "POST" and ("{task_id}" in path or "{instance_id}" in path)

    def check(what: str, url: str | None = None, *, refuse: bool = False, **request: Any) -> None:
        resp = send(caller, method, url or fill_path(path, path_values), **request)
        if found := problem(resp, f"{method} {path} {what}"):
            problems.append(found)
        elif refuse and resp.status_code < 400:
            problems.append(f"{method} {path} {what} -> {resp.status_code}: accepted a value no database can hold")
        if resp.status_code < 300 and changes_state:
            # The call worked (a value was accepted, the task done, the instance cancelled): sweep the rest of
            # the corpus against a fresh instance, so every value meets an open task.
            opened = start(caller, "simple")
            path_values.update(task_id=opened["open_tasks"][0]["id"], instance_id=opened["id"])

    for value in HOSTILE_VALUES:
        shown = f"{value!r:.60}"
        for param in params:
            if param["in"] == "path":
                check(f"path {param['name']}={shown}", fill_path(path, {**path_values, param["name"]: value}),
                      body=base_body)
            elif param["in"] == "header":
                check(f"header {param['name']}={shown}", headers={param["name"]: value}, body=base_body)
            else:
                check(f"query {param['name']}={shown}", query={param["name"]: value}, body=base_body)
        refuse = unstorable(value)  # in a JSON body these arrive as themselves, and must be refused
        for name in fields:
            check(f"body.{name}={shown}", body={**base_body, name: value}, refuse=refuse)
        if "data" in fields:
            # Inside the data a form collects: the values reach form validation and the engine.
            for field in known["form_fields"]:
                check(f"data.{field}={shown}", body={**base_body, "data": {field: value}}, refuse=refuse)
        if schema:
            check(f"body={shown}", body=value, refuse=refuse)
    if schema:
        for raw in (b"", b"{", b"\xff\xfe", b'{"a":1}' * 3, b"[" * 10000, b'{"data": NaN}'):
            check(f"raw {raw[:20]!r}", raw=raw)
    return problems


def test_every_slot_survives_the_hostile_corpus(app, contract, callers, known):
    problems = [found for method, path, op in _endpoints(contract)
                for found in sweep_endpoint(callers[0], method, path, op, contract, known)]
    # Logging out with a hostile body or query is still an answer, never a crash.
    logout = send(callers[2], "DELETE", "/api/v1/session", query={"x": "\x00"}, body={"\ud800": None})
    if found := problem(logout, "DELETE /api/v1/session"):
        problems.append(found)
    assert not problems, f"{len(problems)} answers were not clean:\n" + "\n".join(problems)


def fuzz_endpoint(method: str, path: str, op: dict[str, Any], contract: dict[str, Any], callers: list[ApiUser],
                  known: dict[str, list[Any]]) -> None:
    """Hypothesis over one endpoint: every slot well-formed but one (often none), that one anything at all."""
    params = op.get("parameters", [])
    schema = json_body_schema(contract, op) or {}
    live = {"task_id": known["task_id"][0], "instance_id": known["instance_id"][0]}
    # The open task and its instance are drawn as a marker and looked up when sent: a completion that
    # succeeds closes the task, and the next example must meet an open one again.
    slots = [(p["in"], p["name"], st.just(LIVE) if p["name"] in live
              else valid_for(p.get("schema", {}), known.get(p["name"]))) for p in params]
    slots += [("body", name, data_for(known["form_fields"]) if name == "data" else valid_for(sub, known.get(name)))
              for name, sub in schema.get("properties", {}).items()]

    @settings(max_examples=EXAMPLES_PER_ENDPOINT, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(caller=st.sampled_from(callers), hostile=st.sampled_from([None, *range(len(slots))]), draw=st.data())
    def probe(caller, hostile, draw):
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "body": {}, "header": {}}
        for index, (where, name, valid) in enumerate(slots):
            if index == hostile:
                values[where][name] = draw.draw(json_value, label=f"{where}.{name} (hostile)")
            elif where == "path" or draw.draw(st.booleans(), label=f"send {where}.{name}"):
                values[where][name] = draw.draw(valid, label=f"{where}.{name}")
        body = values["body"] if schema else None
        path_values = {name: live[name] if value is LIVE else value for name, value in values["path"].items()}
        resp = send(caller, method, fill_path(path, path_values), query=values["query"], body=body,
                    headers=values["header"])
        assert_answered(resp, f"{method} {path} as {caller.username}: {values!r:.300}")
        if resp.status_code < 300 and method == "POST" and LIVE in values["path"].values():
            opened = start(callers[0], "simple")
            live.update(task_id=opened["open_tasks"][0]["id"], instance_id=opened["id"])

    probe()


def test_hypothesis_finds_no_500_on_any_endpoint(app, contract, callers, known):
    for method, path, op in _endpoints(contract):
        fuzz_endpoint(method, path, op, contract, callers, known)
