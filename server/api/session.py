"""POST/DELETE /api/v1/session and GET /api/v1/me."""

from __future__ import annotations

import secrets

from flask import g, jsonify, session
from flask_login import login_user, logout_user

from server.api.blueprint import api_bp
from server.api.guard import json_body, login_required, me
from server.api.schemas import LoginIn, UserOut
from server.services.auth import authenticate, issue_token, revoke_token


@api_bp.post("/v1/session")
def create_session():
    creds = LoginIn().load(json_body())
    user = authenticate(creds["username"], creds["password"])
    token = issue_token(user)
    login_user(user)
    session["csrf_token"] = secrets.token_urlsafe(24)
    return jsonify({"user": UserOut().dump(user), "token": token, "csrf_token": session["csrf_token"]}), 201


@api_bp.delete("/v1/session")
@login_required
def delete_session():
    if token := g.api_token:
        revoke_token(token)
    logout_user()
    session.pop("csrf_token", None)
    return "", 204


@api_bp.get("/v1/me")
@login_required
def get_me():
    return jsonify(UserOut().dump(me()))
