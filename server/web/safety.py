"""Small guards the views share."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None, *, default: str) -> str:
    """`target` when it is a path on this site, else `default` — so ?next= can never send a user elsewhere."""
    if not target or len(target) > 2000 or not target.startswith("/"):
        return default
    # "//evil.example" and "/\evil.example" are read by browsers as another host.
    if target.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
