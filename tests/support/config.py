"""What every test app is configured with on top of production's settings (server/config.py).

Only `tests.conftest.make_app` applies this: the server never reads it, and no environment variable can
turn it on, so a deployed Jixiao always hashes new passwords with scrypt.
"""

from __future__ import annotations

from typing import Any

# One PBKDF2 round instead of scrypt: each demo login costs microseconds instead of ~50 ms of CPU, and the
# suite logs in thousands of times. Checking still reads whatever method a stored hash names.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
    # A one-round hash needs no process of its own (tests/api/test_login_guard.py turns the pool on).
    "LOGIN_HASH_PROCESSES": False,
    # Walks through a fiscal year move the clock by months under one login; the session limits are checked by
    # tests/web/test_session_lifetime.py, which turns them back on at production's defaults.
    "SESSION_IDLE_MINUTES": 0,
    "SESSION_MAX_HOURS": 0,
}
