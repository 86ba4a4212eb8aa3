"""POST /api/v1/attachments (multipart `file`) and GET /api/v1/attachments/{id}.

The upload is parsed here rather than by Flask's request.files: the file streams into a temporary file inside
the attachment folder (services.attachments.Spool) under a request limit of one file plus the multipart
frame, instead of the app-wide MAX_CONTENT_LENGTH, and a file past the limit stops with 413 as it arrives.
The browser's task form uses this endpoint with its session and the X-CSRF-Token header (api/guard.py).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from werkzeug.formparser import parse_form_data

from server.api.guard import login_required, me
from server.api.schemas import AttachmentOut
from server.downloads import attachment_response
from server.models import Attachment
from server.request_hygiene import checks_own_fields
from server.services import attachments
from server.services.errors import ValidationFailed

bp = Blueprint("attachments", __name__)

FRAME_BYTES = 64 * 1024  # multipart boundaries and part headers around the one file


_out = AttachmentOut()


def attachment_json(row: Attachment) -> dict:
    return _out.dump(row)


@bp.post("/v1/attachments")
@checks_own_fields  # the display name is sanitised by the service (NUL and control characters dropped)
@login_required
def upload():
    if request.mimetype != "multipart/form-data":
        raise ValidationFailed(_("请以 multipart/form-data 上传，文件放在字段 file 中"),
                               fields={"file": _("没有上传文件")})
    limit = attachments.per_file_limit()
    spools: list[attachments.Spool] = []

    def spool(*_args: object, **_kwargs: object) -> attachments.Spool:
        spools.append(attachments.Spool(limit))
        return spools[-1]

    try:
        _stream, _form, files = parse_form_data(
            request.environ, stream_factory=spool, max_content_length=limit + FRAME_BYTES,
            max_form_memory_size=FRAME_BYTES, max_form_parts=8, silent=False,
        )
        upload = files.get("file")
        if upload is None or not isinstance(upload.stream, attachments.Spool):
            raise ValidationFailed(_("没有上传文件"), fields={"file": _("请在字段 file 中上传一个文件")})
        row = attachments.upload(me(), upload.stream, upload.filename or "")
    finally:
        for item in spools:
            item.discard()
    return jsonify(attachment_json(row)), 201


@bp.get("/v1/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    return attachment_response(*attachments.readable(me(), attachment_id))
