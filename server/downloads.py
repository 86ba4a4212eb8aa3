"""Sending an attachment's bytes, the same way for the API and the pages: always as a download (never shown
inline, so an uploaded file cannot act as a page of this site), with its display name (RFC 5987 filename* for
Chinese), the content type found at upload, nosniff and no shared caching."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

from server.models import Attachment


def attachment_response(row: Attachment, path: Path) -> Response:
    resp = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.name,
                     etag=row.sha256, max_age=0, conditional=True)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp
