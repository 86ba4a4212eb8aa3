"""Mangled diagrams (lines deleted, doubled, swapped, attributes rewritten) get a 201 or a 422, never a 500."""

from __future__ import annotations

import random
import re

from tests.api.helpers import FLOWS, upload

MUTATIONS = 40
ATTRIBUTE_VALUES = ["", "x", "1", "Task_Apply", "P5D", "__import__", "unit_staff"]


def _mutate(lines: list[str], rnd: random.Random) -> str:
    out = list(lines)
    for _ in range(rnd.randint(1, 3)):
        k = rnd.randrange(len(out))
        match rnd.choice(["delete", "double", "attribute", "swap"]):
            case "delete":
                del out[k]
            case "double":
                out.insert(k, out[k])
            case "attribute":
                out[k] = re.sub(r'"[^"]*"', f'"{rnd.choice(ATTRIBUTE_VALUES)}"', out[k], count=1)
            case "swap":
                j = rnd.randrange(len(out))
                out[k], out[j] = out[j], out[k]
    return "\n".join(out)


def test_mangled_review_diagrams_never_crash_deploy_or_start(login_as):
    admin, school = login_as("admin"), login_as("school1")
    files = {p.name: p.read_bytes() for p in (FLOWS / "review").iterdir()}
    lines = files["review.bpmn"].decode().splitlines()
    rnd = random.Random(20261123)
    outcomes: dict[int, int] = {}
    for _ in range(MUTATIONS):
        mutated = dict(files, **{"review.bpmn": _mutate(lines, rnd).encode()})
        resp = upload(admin, "mangled", mutated)
        assert resp.status_code in (201, 422), resp.get_data(as_text=True)
        if resp.status_code == 422:
            body = resp.get_json()
            assert body["message"] and body["fields"]
        else:
            started = school.post("/api/v1/process-instances",
                                  json={"process_key": "mangled", "data": {"experts": ["expert1"]}})
            assert started.status_code in (201, 422), started.get_data(as_text=True)
        outcomes[resp.status_code] = outcomes.get(resp.status_code, 0) + 1
    assert outcomes.get(422, 0) > MUTATIONS // 2  # most mangling is caught at deploy, with reasons
