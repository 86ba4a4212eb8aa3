#!/usr/bin/env bash
# Installs everything, creates the demo county on SQLite (instance/jixiao.sqlite3) and serves Jixiao.
# Extra arguments go to `jixiao run`, e.g. scripts/demo.sh --port 8000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/jixiao init --demo
echo "==> log in as admin, perf, fin_edu, school1, ... with password demo (see README.md)"
exec .venv/bin/jixiao run "$@"
