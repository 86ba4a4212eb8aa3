#!/usr/bin/env bash
# Installs everything, then runs the linter and the whole test suite. Extra arguments go to pytest.
# PostgreSQL tests use the server at 127.0.0.1:5432 (see README); they skip when it is absent, unless CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate

echo "==> ruff check ."
ruff check .

# Two pytest-xdist workers by default (one per core of the reference machine; PostgreSQL shares them).
# JIXIAO_TEST_WORKERS=0 runs in one process; `-n N` among the arguments overrides it.
workers=(-n "${JIXIAO_TEST_WORKERS:-2}")
echo "==> pytest ${workers[*]} $*"
status=0
pytest "${workers[@]}" "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass" >&2
    exit 1
fi
exit "$status"
