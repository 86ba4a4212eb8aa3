"""The server package's modules import each other without cycles (scripts/check_imports.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.check_imports import ROOT, cycles, graph, modules


def test_the_server_package_has_no_import_cycle():
    result = subprocess.run([sys.executable, "-m", "scripts.check_imports"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "no import cycles" in result.stdout


def test_the_checker_sees_a_cycle_made_inside_a_function(tmp_path: Path):
    package = tmp_path / "server"
    (package / "web").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "web" / "__init__.py").write_text("from server.web import views\n")
    (package / "web" / "views.py").write_text("def page():\n    from server.web import helpers\n")
    (package / "web" / "helpers.py").write_text("from .views import page\n")
    (package / "models.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import server.web\n")
    assert cycles(graph(modules(tmp_path))) == [["server.web.helpers", "server.web.views"]]
