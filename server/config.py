"""Configuration from the environment, with embedded defaults under instance/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def database_url(url: str) -> str:
    """Plain postgres URLs mean psycopg 3 here (the driver we ship), not SQLAlchemy's psycopg2 default."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{instance_path / 'jixiao.sqlite3'}"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL", default_db)),
        "TIMER_POLL_SECONDS": float(os.environ.get("TIMER_POLL_SECONDS", 5.0)),
        "SECRET_KEY": _secret_key(instance_path),
        # Uploaded packages (BPMN + forms) and API payloads stay small; anything bigger is refused with 413.
        "MAX_CONTENT_LENGTH": int(os.environ.get("JIXIAO_MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        # Attachments: the upload endpoint alone lifts MAX_CONTENT_LENGTH to one file (plus the multipart frame).
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("JIXIAO_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)),
        "ATTACHMENT_FORM_MAX_BYTES": int(os.environ.get("JIXIAO_ATTACHMENT_FORM_MAX_BYTES", 100 * 1024 * 1024)),
        # What one user may hold uploaded but not yet submitted (a disk cannot be filled by one account).
        "ATTACHMENT_PENDING_MAX_BYTES": int(os.environ.get("JIXIAO_ATTACHMENT_PENDING_MAX_BYTES", 200 * 1024 * 1024)),
        # An upload no completed step references within this many hours is removed by the worker.
        "ATTACHMENT_KEEP_HOURS": float(os.environ.get("JIXIAO_ATTACHMENT_KEEP_HOURS", 24)),
        "SCRIPT_TIMEOUT_SECONDS": float(os.environ.get("JIXIAO_SCRIPT_TIMEOUT", 2.0)),
        "LOOP_LIMIT": int(os.environ.get("JIXIAO_LOOP_LIMIT", 20)),
        # Keep the workflow a step just saved, so the instance's next step skips deserializing it (off: "0").
        "WORKFLOW_REUSE": os.environ.get("JIXIAO_WORKFLOW_REUSE", "1") not in ("0", "false", "no"),
        # Serialized state of one instance; a step that would save more is refused (422) and rolled back.
        "MAX_STATE_BYTES": int(os.environ.get("JIXIAO_MAX_STATE_BYTES", 8 * 1024 * 1024)),
        "TOKEN_TTL_HOURS": int(os.environ.get("JIXIAO_TOKEN_TTL_HOURS", 12)),
        # A browser login ends after this long without a request, and after this long in any case (a shared
        # office PC left logged in is the usual way someone else acts in a reviewer's name). 0 turns a limit off.
        "SESSION_IDLE_MINUTES": float(os.environ.get("JIXIAO_SESSION_IDLE_MINUTES", 120)),
        "SESSION_MAX_HOURS": float(os.environ.get("JIXIAO_SESSION_MAX_HOURS", 12)),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "PAGE_SIZE": 20,
        # werkzeug's method for new password hashes. Deliberately not read from the environment: only the test
        # fixtures (tests/support/config.py) swap in a cheap one; checking accepts any stored method.
        "PASSWORD_HASH_METHOD": "scrypt",
    }
