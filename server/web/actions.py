"""A page's buttons (claim, unclaim, discard a draft, cancel, retry): run the action, flash how it went and go
back to the page (303). A refusal is said on that page; only "not found" shows the error page, as the page is gone."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from werkzeug.wrappers import Response

from server.services.errors import NotFound, ServiceError


def act_and_return(action: Callable[[], object], success: str, back: str) -> Response:
    try:
        action()
    except NotFound:
        raise  # the error page (server.web.errors)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(success, "success")
    return redirect(back, 303)
