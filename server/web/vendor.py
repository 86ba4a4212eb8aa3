"""Front-end libraries served straight from node_modules (installed by `npm ci` from package-lock.json).

Only the files named here are reachable: node_modules holds thousands of files nobody should be able to fetch.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__)


ROOT = Path(__file__).resolve().parents[2]

# URL name -> path inside node_modules.
ALLOWED = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "bpmn-viewer.js": "bpmn-js/dist/bpmn-viewer.production.min.js",
    "bpmn-navigated-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-modeler.js": "bpmn-js/dist/bpmn-modeler.production.min.js",  # the admin's modeler page
    "diagram-js.css": "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-font.css": "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css",  # modeler palette icons (font as data:)
    "bpmn-js.css": "bpmn-js/dist/assets/bpmn-js.css",
    "echarts.min.js": "echarts/dist/echarts.common.min.js",  # line and bar charts (project page)
}


def node_modules() -> Path:
    return Path(current_app.config.get("NODE_MODULES") or ROOT / "node_modules")


@bp.get("/vendor/<name>")
def vendor(name: str):
    relative = ALLOWED.get(name)
    if relative is None:
        abort(404)
    path = node_modules() / relative
    if not path.is_file():
        # Installed by scripts/setup.sh (npm ci); say so instead of a bare 404 in the server log.
        current_app.logger.warning("front-end file %s missing: run scripts/setup.sh (npm ci)", path)
        abort(404)
    # Versions change only with the lock file, and the URL carries no version: cache for a day, not forever.
    return send_from_directory(path.parent, path.name, max_age=86400)
