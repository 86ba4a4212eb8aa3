"""The start forms of the project-based flows: forms/<flow>/start.json (+ start.ui.json), shipped with the
product beside the flow's task forms and drawn by the same form code as a task.

They only choose the project the flow is started for (the start data `{"project_code": …}` the flow's opening
step checks), so they are the product's, not a diagram's: deploying a new version of a flow does not change
them. The field the UI schema marks `"ui:choices": "projects"` gets the user's eligible projects as its choices
when the page is drawn, so the select shows them and the schema check refuses anything else.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from server.engine.form_schema import form_problems, strict_loads

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
SCHEMA_FILE, UI_FILE = "start.json", "start.ui.json"
CHOICES_HOOK = ("ui:choices", "projects")


class StartFormMissing(LookupError):
    pass


@cache
def load(folder: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema, UI schema) of forms/<folder>/start.json, checked as deploy checks a task form (once)."""
    path = FORMS_DIR / folder / SCHEMA_FILE
    if not path.is_file():
        raise StartFormMissing(str(path))
    schema = strict_loads(path.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    problems = form_problems(schema)
    if problems:
        raise ValueError(f"{path}: {problems}")
    ui_path = path.with_name(UI_FILE)
    ui = strict_loads(ui_path.read_text("utf-8")) if ui_path.is_file() else {}
    return schema, ui


def choice_fields(ui: dict[str, Any]) -> list[str]:
    """The top-level fields whose choices are the eligible projects."""
    return [k for k, v in ui.items() if isinstance(v, dict) and v.get(CHOICES_HOOK[0]) == CHOICES_HOOK[1]]


def with_choices(form: tuple[dict[str, Any], dict[str, Any]], choices: list[tuple[str, str]]
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A copy of the form whose project field offers exactly `choices` ((value, title) pairs)."""
    schema, ui = copy.deepcopy(form[0]), copy.deepcopy(form[1])
    for key in choice_fields(ui):
        prop = schema.get("properties", {}).get(key)
        if isinstance(prop, dict):
            # oneOf needs at least one entry; with none the page says there is nothing to start instead
            prop["oneOf"] = [{"const": value, "title": title} for value, title in choices] or [{"const": ""}]
    return schema, ui
