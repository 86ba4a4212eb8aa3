"""GET /attachments/<id>: an attachment for the logged-in browser, with the API's scope check and headers.
Uploads go to POST /api/v1/attachments with the session and the X-CSRF-Token header (static/js/attachments.js).
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from server.downloads import attachment_response
from server.services import attachments

bp = Blueprint("attachments", __name__)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    return attachment_response(*attachments.readable(current_user, attachment_id))


def attachment_files(ids: object) -> list[attachments.Shown]:
    """For templates: the attachments among `ids` the current user may read, in the order given."""
    wanted = ids if isinstance(ids, list) else []
    found = attachments.describe(current_user, wanted)
    return [found[i] for i in wanted if isinstance(i, int) and i in found]


def init_app(app) -> None:
    app.add_template_global(attachment_files)
