"""POST/DELETE /api/v1/session and GET /api/v1/me."""

from __future__ import annotations

import secrets

from flask import Blueprint, g, jsonify, request, session
from flask_login import login_user, logout_user

from server.api.errors import error_response
from server.api.guard import json_body, login_required, me
from server.api.schemas import LoginIn, UserOut
from server.services import login_guard, login_sessions
from server.services.auth import issue_token, revoke_token

bp = Blueprint("session", __name__)


@bp.post("/v1/session")
def create_session():
    creds = LoginIn().load(json_body())
    try:
        user = login_guard.attempt(creds["username"], creds["password"], request.remote_addr)
    except (login_guard.TooManyAttempts, login_guard.LoginBusy) as err:
        # 429 while locked, 503 while every hashing slot is taken: both say when to try again.
        resp = error_response(err.status, err.code, err.message)
        resp.headers["Retry-After"] = str(err.retry_after)
        return resp
    token = issue_token(user)
    login_user(user)
    login_sessions.start(user, token=token)
    session["csrf_token"] = secrets.token_urlsafe(24)
    return jsonify({"user": UserOut().dump(user), "token": token, "csrf_token": session["csrf_token"]}), 201


@bp.delete("/v1/session")
@login_required
def delete_session():
    if token := g.api_token:
        revoke_token(token)
        login_sessions.end_for_token(token)
    login_sessions.end_current()  # the cookie's session and the token issued with it
    logout_user()
    session.pop("csrf_token", None)
    return "", 204


@bp.get("/v1/me")
@login_required
def get_me():
    return jsonify(UserOut().dump(me()))
