"""What a generated form asks for, read from the conditions after a form-less user task (engine.autoforms):
string literals become a choice titled by the flows' names, comparisons numbers, bare names yes/no, and a
`!=` leaves the text open (other values exist)."""

from __future__ import annotations

from server.engine.autoforms import generated_form, infer


def test_conditions_become_typed_fields():
    form = generated_form("审核", infer([
        ('decision == "approve"', "通过"), ('decision == "send_back"', "退回修改"),
        ("spent > budget * 0.9 and not urgent", ""), ('status != "closed"', ""), ("len(items) > 3", ""),
    ]))
    props = form["properties"]
    assert props["decision"] == {"title": "审核意见", "type": "string", "enum": ["approve", "send_back"],
                                 "x-enumTitles": ["通过", "退回修改"]}  # the flows' names; common names read
    assert props["spent"]["type"] == "number" and props["urgent"]["type"] == "boolean"
    assert "enum" not in props["status"]
    assert set(props) == {"decision", "spent", "urgent", "status"}  # `items` and `budget` cannot be typed
    assert form["required"] == list(props) and form["x-generated"] is True
