"""Flask extensions and the per-app runtime objects (clock, engine) that services reach through the app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from server.clock import Clock
from server.engine.runtime import Engine

if TYPE_CHECKING:
    from server.flows.definition import FlowDefinition

login_manager = LoginManager()
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()


def get_clock() -> Clock:
    return current_app.extensions["jixiao.clock"]


def get_engine() -> Engine:
    return current_app.extensions["jixiao.engine"]


def get_flows() -> Mapping[str, FlowDefinition]:
    """The shipped flows by key (server.flows.registry), for services that must not import the registry: the
    flows' own modules import those services."""
    return current_app.extensions["jixiao.flows"]
