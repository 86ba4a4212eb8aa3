#!/usr/bin/env bash
# Installs what Jixiao needs into .venv (and node_modules when package.json exists). Safe to re-run:
# it reinstalls only when pyproject.toml or the npm lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Jixiao needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1 || echo none)). Set PYTHON=/path/to/python3.11." >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
        # Debian ships venv separately; install it when we may (root), else say what is missing.
        rm -rf .venv
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
            "$PYTHON" -m venv .venv
        else
            echo "python -m venv failed: install your distribution's python3-venv package" >&2
            exit 1
        fi
    fi
fi

stamp=.venv/.jixiao-installed
inputs=(pyproject.toml)
for f in package.json package-lock.json; do [ -f "$f" ] && inputs+=("$f"); done
want="$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing Python packages"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
    if [ -f package.json ]; then
        echo "==> installing front-end packages (npm ci)"
        npm ci --no-audit --no-fund
    fi
    echo "$want" > "$stamp"
elif [ -f package.json ] && [ ! -d node_modules ]; then
    echo "==> installing front-end packages (npm ci; node_modules was missing)"
    npm ci --no-audit --no-fund
fi

# Translations are build output (git-ignored): compile the catalogs every time, it takes a moment.
if [ -d server/translations ]; then
    .venv/bin/pybabel -q compile -d server/translations
fi
