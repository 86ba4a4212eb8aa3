"""The Flask application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request
from jinja2 import ChoiceLoader

from server.clock import Clock, SystemClock
from server.config import load_config
from server.db import db, engine_options
from server.engine.operators import default_registry
from server.engine.runtime import Engine
from server.extensions import babel, csrf, login_manager, migrate
from server.sessions import CookieSessions

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    instance_path = Path(os.environ.get("JIXIAO_INSTANCE_PATH", ROOT / "instance")).resolve()
    app = Flask(__name__, instance_path=str(instance_path))
    app.config.from_mapping(load_config(instance_path))
    app.config.update(overrides or {})
    # Pool settings follow the database finally chosen (tests and callers may override the URL or the options).
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"], os.environ))
    app.json.ensure_ascii = False  # Chinese stays readable in JSON responses
    app.session_interface = CookieSessions()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    from server.web.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)

    import server.models  # noqa: F401  (register tables)
    from server.flows.registry import BY_KEY, register_operators, template_loader

    operators = default_registry()
    register_operators(operators)
    app.jinja_loader = ChoiceLoader([app.jinja_loader, template_loader()])
    app.extensions["jixiao.clock"] = clock or SystemClock()
    app.extensions["jixiao.operators"] = operators
    app.extensions["jixiao.flows"] = BY_KEY
    app.extensions["jixiao.app_factory"] = create_app  # services that need a second app (demo year) use this
    app.extensions["jixiao.engine"] = Engine(
        operators=operators,
        clock=app.extensions["jixiao.clock"],
        script_timeout=app.config["SCRIPT_TIMEOUT_SECONDS"],
        loop_limit=app.config["LOOP_LIMIT"],
        recent_size=None if app.config.get("WORKFLOW_REUSE", True) else 0,
    )

    from server.api.routes import CONCERNS, api_bp
    from server.routing import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    from server import request_hygiene
    from server.auth import init_auth
    from server.cli import register_cli
    from server.web.pages import register_pages

    request_hygiene.install(app)  # first: no bad text reaches authentication, CSRF or a view
    init_auth(app)
    from server.services import login_guard

    login_guard.init_app(app)
    from server.security import init_security

    init_security(app)
    app.register_blueprint(api_bp)
    register_pages(app)
    # Web forms and htmx carry Flask-WTF's token; the API keeps its own guard (bearer token or X-CSRF-Token).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session: a form may stay open all day
    csrf.init_app(app)
    for api_blueprint in (api_bp, *CONCERNS):  # Flask-WTF exempts by the blueprint that serves the request
        csrf.exempt(api_blueprint)
    _api_errors_as_json(app)
    _server_timing(app)
    register_cli(app)
    return app


def _api_errors_as_json(app: Flask) -> None:
    """Routing errors happen before any blueprint is chosen: JSON under /api, the site's error page elsewhere
    (also for an unexpected exception, which Flask hands over as a 500)."""
    from werkzeug.exceptions import HTTPException

    from server.api.errors import http_error
    from server.web.errors import http_error_page

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if request.path.startswith("/api/"):
            return http_error(err.code or 500)
        return http_error_page(err)


def _server_timing(app: Flask) -> None:
    """Every answer says how long the app spent on it (Server-Timing), so latency can be split from transport."""
    from time import perf_counter

    from flask import g

    @app.before_request
    def _start_timer() -> None:
        g.request_started = perf_counter()

    @app.after_request
    def _add_timing(response):
        started = g.get("request_started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(perf_counter() - started) * 1000:.2f}"
        return response
