"""Which language a page speaks: the user's choice (a cookie set by the nav's switch), else the browser's
Accept-Language, else Simplified Chinese."""

from __future__ import annotations

from flask import Blueprint, has_request_context, redirect, request
from flask_babel import get_locale

from server.web.safety import local_path

bp = Blueprint("i18n", __name__)

DEFAULT = "zh_Hans_CN"
LANGUAGES = (DEFAULT, "en")
COOKIE = "jixiao_lang"
ONE_YEAR = 365 * 24 * 3600


def select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI and worker: babel's default (zh_Hans_CN)
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(["zh_Hans_CN", "zh", "en"])
    return "en" if best == "en" else DEFAULT


def current_language() -> str:
    return "en" if str(get_locale()) == "en" else DEFAULT


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    response = redirect(local_path(request.form.get("next"), default="/"))
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


@bp.app_context_processor
def _language_helpers() -> dict:
    return {"current_language": current_language}
