"""Flask extensions and the per-app runtime objects (clock, engine) that services reach through the app."""

from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from server.clock import Clock
from server.engine.runtime import Engine

login_manager = LoginManager()
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()


def get_clock() -> Clock:
    return current_app.extensions["jixiao.clock"]


def get_engine() -> Engine:
    return current_app.extensions["jixiao.engine"]
