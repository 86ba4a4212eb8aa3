"""Which language a page speaks. A county site is Simplified Chinese unless the user picks English with the
nav's switch; the browser's Accept-Language is not asked (a visit would change language at login otherwise).
Only a program calling the API with a bearer token may name its language per request (Accept-Language);
without one, the token's user's saved language applies.

The choice is kept in two places: on the user's row (users.language), so it follows the user to any browser,
and in a cookie for the visit (pages before login, after logout). A signed-in user's row decides; a choice made
on the login page is saved on the row at login, so the pages before and after login speak the same language."""

from __future__ import annotations

from flask import Blueprint, g, has_request_context, redirect, request
from flask_babel import get_locale, refresh
from flask_login import current_user

from server.db import db
from server.web.safety import local_path

bp = Blueprint("i18n", __name__)

DEFAULT = "zh_Hans_CN"
LANGUAGES = (DEFAULT, "en")
COOKIE = "jixiao_lang"


def _signed_in_user():
    user = current_user._get_current_object() if current_user else None
    return user if user is not None and user.is_authenticated else None


def select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI and worker: babel's default (zh_Hans_CN)
    if request.path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Bearer "):
        # A program with a token names its language per request; a browser's fetch carries the cookie
        # instead and follows the page's language below.
        asked = request.accept_languages.best_match(["zh_Hans_CN", "zh", "en"])
        if asked:
            return "en" if asked == "en" else DEFAULT
        caller = g.get("api_user")  # set by the API guard once the token checked out
        if caller is not None and caller.language in LANGUAGES:
            return caller.language
    user = _signed_in_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT


def current_language() -> str:
    return "en" if str(get_locale()) == "en" else DEFAULT


def adopt_visit_language(user) -> None:
    """At login: a language picked earlier in this visit becomes the user's; the rest of the request (the
    welcome message) speaks the user's language. The caller commits."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES and user.language != chosen:
        user.language = chosen
    refresh()


def keep_for_visit(response, lang: str | None = None):
    """The visit's language rides in a session cookie (what outlasts the visit is the user's row), so the
    login page after logout still speaks it."""
    response.set_cookie(COOKIE, lang or current_language(), samesite="Lax", httponly=True)
    return response


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    response = redirect(local_path(request.form.get("next"), default="/"))
    if lang in LANGUAGES:
        user = _signed_in_user()
        if user is not None:
            user.language = lang
            db.session.commit()
        keep_for_visit(response, lang)
    return response


@bp.app_context_processor
def _language_helpers() -> dict:
    return {"current_language": current_language}
