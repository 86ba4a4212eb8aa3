#!/usr/bin/env bash
# Before the first release only: rebuild migrations/versions/*_0001_initial_schema.py from server/models.
# Later migrations (0002 onwards, e.g. the audit triggers) are hand-written and kept. After a release,
# never do this: add a new migration with `flask --app server db migrate -m "..."` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate

work="$(mktemp -d)"
trap 'mv "$work"/keep/*.py migrations/versions/ 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/keep"
for f in migrations/versions/*.py; do
    case "$f" in *_0001_*) rm "$f" ;; *) mv "$f" "$work/keep/" ;; esac
done

export DATABASE_URL="sqlite:///$work/empty.sqlite3" JIXIAO_INSTANCE_PATH="$work/instance"
flask --app server db migrate --rev-id 0001 -m "initial schema"
