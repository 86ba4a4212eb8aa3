"""The `jixiao` command: Flask's command group around create_app, with the project's commands (server.cli)
plus Flask's shell and routes. Kept apart from server.cli so the app can register those commands without the
commands module importing the app back."""

from __future__ import annotations

import sys

from flask.cli import FlaskGroup, routes_command, shell_command

from server.app import create_app
from server.cli import COMMANDS

# Flask's own `run` (the debug server) is left out: `jixiao run` serves with waitress plus the scheduler.
cli = FlaskGroup(create_app=create_app, add_default_commands=False, help="绩效 Jixiao：预算绩效管理工作流。")
for _command in (*COMMANDS, shell_command, routes_command):
    cli.add_command(_command)


def main() -> None:
    cli.main(prog_name="jixiao", args=sys.argv[1:])
