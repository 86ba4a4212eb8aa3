"""Comparing two versions of a process model and moving running instances onto the newer one:
/admin/models/<key>/diff?from=N&to=M (the changes as a list and on both diagrams, the instances of version N with
whether each can move) and its migration form. With JavaScript the page posts the chosen instances to the admin
API a few at a time (static/js/version-diff.js, a progress bar); without, the form posts them all at once and
the result page lists what moved and what was refused. Administrators only, like every /admin page."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from server.services import instance_migration, version_diff
from server.services.errors import ValidationFailed
from server.services.instance_page import readable_lanes
from server.services.project_story import LABELS
from server.services.xlsx_export import Column, stream_xlsx
from server.web.admin_views import admin_only, no_store
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("admin_versions", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)

CHUNK = 10  # instances per request of the progress bar: each is one transaction, a request stays short


def _numbers(key: str) -> tuple[int, int]:
    """`to` defaults to the current version, `from` to the one before it."""
    to = request.args.get("to") or request.form.get("to")
    if not to:
        to = version_diff.current_number(key)
    to_number = version_diff.model_version(key, to, "to").number
    frm = request.args.get("from") or request.form.get("from") or max(to_number - 1, 1)
    return version_diff.model_version(key, frm, "from").number, to_number


def _page_arg() -> int:
    arg = request.args.get("page", "1")
    return int(arg) if arg.isdigit() and 0 < int(arg) < 100_000 else 1


@bp.get("/admin/models/<key>/diff")
def diff_page(key: str):
    frm, to = _numbers(key)
    diff = version_diff.diff_versions(key, frm, to)
    if wants_xlsx():
        columns = [Column(_("变化"), 8), Column(_("元素"), 28), Column(_("名称"), 28), Column(_("原名称"), 20),
                   Column(_("类型"), 14), Column(_("改动内容"), 36), Column(_("所在流程"), 20)]
        name = _("%(key)s 第 %(a)s 版与第 %(b)s 版对比", key=key, a=frm, b=to)
        return xlsx_response(stream_xlsx(_("版本对比"), columns, version_diff.export_rows(diff)), name + ".xlsx")
    page = _page_arg()
    # Verdicts load each instance's workflow: the page lists rows from SQL and fetches verdicts a few rows per
    # request (static/js/version-diff.js); ?check=1 gives them in the page itself (without JavaScript).
    rows, total = instance_migration.candidates(current_user, key, to, from_number=frm, page=page,
                                                verdicts=request.args.get("check") == "1")
    return render_template("admin/diff.html", diff=diff, rows=rows, total=total, page=page,
                           per_page=instance_migration.PER_PAGE, chunk=CHUNK,
                           versions=version_diff.version_numbers(key), status_words=LABELS["instance_status"],
                           all_ids=instance_migration.movable_ids(current_user, key, to, from_number=frm)
                           if frm < to else [], others={n: c for n, c in instance_migration.active_by_version(
                               key, to).items() if n != frm})


@bp.post("/admin/models/<key>/diff/migrate")
def migrate(key: str):
    """The page's form without JavaScript: the ticked instances (or all of version `from`) in one request."""
    frm, to = _numbers(key)
    if request.form.get("all") == "1":
        ids: list = instance_migration.movable_ids(current_user, key, to, from_number=frm)
    else:
        raw = request.form.getlist("instance_ids")
        ids = [int(i) if i.isdigit() else i for i in raw]
    results: list[instance_migration.MoveResult] = []
    try:
        for start in range(0, max(len(ids), 1), instance_migration.MAX_BATCH):
            results += instance_migration.migrate(current_user, key, to, ids[start:start + instance_migration.MAX_BATCH])
    except ValidationFailed as err:  # this batch changed nothing; earlier batches' moves are listed as done
        return render_template("admin/migration_result.html", key=key, frm=frm, to=to, results=results,
                               error=err.message, detail=(err.fields or {}).get("instance_ids")), 422
    return render_template("admin/migration_result.html", key=key, frm=frm, to=to, results=results,
                           error=None, detail=None)


@bp.get("/admin/models/<key>/versions/<int:number>/diagram.bpmn")
def diagram(key: str, number: int):
    xml, version = version_diff.diagram_source(key, number)
    # Read by the viewer with fetch(); never rendered by the browser itself (an uploaded diagram is data).
    return Response(readable_lanes(xml, version.lane_roles, version.default_role), mimetype="application/xml",
                    headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
                             "Content-Disposition": "attachment; filename=diagram.bpmn"})

