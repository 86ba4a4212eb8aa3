"""Marshmallow schemas for API input and output (also the source of the OpenAPI components)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class LoginIn(Schema):
    class Meta:
        unknown = EXCLUDE

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class OrganisationOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    sector = fields.String(allow_none=True)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    organisation = fields.Nested(OrganisationOut)
    roles = fields.Function(lambda u: sorted(u.roles))
    sectors = fields.Function(lambda u: sorted(u.sectors))


class ProcessModelOut(Schema):
    key = fields.String()
    name = fields.String()
    current_version = fields.Function(lambda m: m.current_version.number if m.current_version else None)


class StartIn(Schema):
    class Meta:
        unknown = EXCLUDE

    process_key = fields.String(required=True, validate=validate.Length(min=1, max=64))
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=100)), load_default=dict)


class BatchStartIn(Schema):
    class Meta:
        unknown = EXCLUDE

    fiscal_year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    project_codes = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                                validate=validate.Length(max=2000), load_default=None)


class CancelIn(Schema):
    class Meta:
        unknown = EXCLUDE

    # Blank reasons are refused by the service (a reason is kept in the audit with who cancelled).
    reason = fields.String(required=True, validate=validate.Length(max=500))


class RetryIn(Schema):
    class Meta:
        unknown = EXCLUDE

    # Move the instance to the flow's newest version first (a fix was redeployed).
    use_current_version = fields.Boolean(load_default=False)


class CompleteIn(Schema):
    class Meta:
        unknown = EXCLUDE

    data = fields.Dict(keys=fields.String(validate=validate.Length(max=100)), required=True)


class TaskOut(Schema):
    id = fields.Integer()
    title = fields.String()
    # The BPMN element id: stable when a title is reworded, so outside systems (and tests) select by it.
    element_id = fields.String(attribute="task_name")
    process_key = fields.String()
    instance_id = fields.Integer()
    role = fields.String()
    assignee = fields.String(allow_none=True)
    status = fields.String()
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    project_name = fields.String(allow_none=True)
    project_code = fields.String(allow_none=True)
    amount = fields.Decimal(as_string=True, allow_none=True)


class TaskListQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    view = fields.String(load_default="mine", validate=validate.OneOf(["mine", "claimable", "done"]))
    q = fields.String(load_default="", validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    after = fields.String(load_default="", validate=validate.Length(max=200))  # keyset cursor (next_after)


class HistoryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    action = fields.String()
    actor = fields.String(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    task_title = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)


class InstanceOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    status = fields.String()
    title = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskOut))
    history = fields.List(fields.Nested(HistoryOut))


class ErrorOut(Schema):
    error = fields.String()
    message = fields.String()
    fields = fields.Dict(keys=fields.String(), values=fields.String())


class AttachmentOut(Schema):
    id = fields.Integer()
    name = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    sha256 = fields.String()


class MessageIn(Schema):
    """POST /api/v1/messages (documentation: the service checks the body itself, naming each bad field)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    correlation = fields.Dict(keys=fields.String(), load_default=dict)  # correlation property id -> value
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class MessageOut(Schema):
    delivered = fields.List(fields.Integer())
