"""Attachment fields (附件): a JSON Schema array of attachment ids marked `"x-attachments": true`.

The browser uploads each file to POST /api/v1/attachments as it is picked or dropped (static/js/attachments.js,
with a progress bar) and the form posts only the ids, one hidden input per file (`material_files` repeated).
Whether an id may be used is decided at completion (services.attachments.referenced), not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user

from server.services import attachments
from server.services.file_types import ALLOWED_EXTENSIONS
from server.web.widgets.base import KindOf, Reader, Schema, Widget

if TYPE_CHECKING:
    from server.web.form_render import Field

MAX_IDS = 100  # ids read back from one post; the schema's maxItems says the real limit
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # server/config.py's default, for a form drawn outside the app
# api/attachments.py and web/attachment_views.py serve these (tests/web/test_attachment_pages.py checks them).
UPLOAD_PATH = "/api/v1/attachments"
DOWNLOAD_PATH = "/attachments/"


class Attachments(Widget):
    name = "attachments"
    template = "forms/widgets/attachments.html"
    readonly_as_text = False  # read-only shows download links, not text

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return attachments.is_attachment_field(schema)

    def fill(self, build: Any, f: Field, schema: Schema, ui: Schema, value: Any) -> None:
        ids = [v for v in value if isinstance(v, int) and not isinstance(v, bool)] if isinstance(value, list) else []
        known = attachments.describe(current_user, ids) if ids else {}
        f.value = [known[i] for i in ids if i in known]
        root = request.script_root if has_request_context() else ""
        max_bytes = current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES) if has_app_context() \
            else DEFAULT_MAX_BYTES
        f.attrs = {
            "lost": len(ids) - len(f.value),  # gone (cleaned up) or not this user's: dropped from the list
            "max_items": schema.get("maxItems", MAX_IDS),
            "max_bytes": max_bytes,
            "max_size": attachments.human_size(max_bytes),
            "accept": ",".join("." + ext for ext in sorted(ALLOWED_EXTENSIONS)),
            "upload_url": root + UPLOAD_PATH,
            "download_url": root + DOWNLOAD_PATH,  # + the id
        }

    def display(self, f: Field, value: Any) -> str:
        return "、".join(a.name for a in f.value) if isinstance(f.value, list) else ""

    def read(self, walk: Reader, path: str, schema: Schema, ui: Schema, required: bool) -> list[int] | None:
        posted = walk.form.getlist(path)[:MAX_IDS]
        if not posted and f"{path}.__present" not in walk.form:
            return None
        ids: list[int] = []
        for raw in posted:
            text = raw.strip()
            if not text:
                continue
            if not (text.isascii() and text.isdigit() and len(text) <= 10):
                walk.text(path, text, self)  # records the field error (parse refuses it)
                continue
            if int(text) not in ids:
                ids.append(int(text))
        return ids

    def parse(self, text: str) -> Any:
        raise ValueError(_("附件编号无效，请重新上传"))


ATTACHMENTS = Attachments()
