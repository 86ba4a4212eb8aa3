"""Browser security for every answer: cookies, framing, sniffing, referrers and a strict Content-Security-Policy.

- Cookies are SameSite=Lax (a cross-site POST carries none) and HttpOnly; over HTTPS every cookie the app sets
  (session, remember-me, language) is also Secure. Behind a TLS-terminating proxy the scheme is trusted from
  X-Forwarded-Proto only when JIXIAO_PROXY_HOPS says how many proxies to trust (ProxyFix), never by default:
  otherwise any client could claim HTTPS or another address (which the login guard counts by).
- The CSP allows scripts, styles and fetches from this site only: no inline script or style, no eval (htmx's
  own settings come from a meta tag, its indicator styles from app.css), nothing framed, no plugins.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_security(app: Flask) -> None:
    for name in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        if app.config.get(name) is None:
            app.config[name] = "Lax"
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("PROXY_HOPS", int(os.environ.get("JIXIAO_PROXY_HOPS", 0) or 0))

    app.wsgi_app = SecureCookies(app.wsgi_app)  # type: ignore[method-assign]
    if hops := int(app.config["PROXY_HOPS"]):
        # Outermost, so the scheme and address it restores are what SecureCookies and the app see.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


class SecureCookies:
    """WSGI middleware: on an HTTPS request, every Set-Cookie gets the Secure attribute.

    Flask's SESSION_COOKIE_SECURE and flask-login's REMEMBER_COOKIE_SECURE are fixed settings, but the same
    server may answer HTTPS (production) and plain HTTP (127.0.0.1, the demo); this decides per request, and
    covers cookies set after the app's own response hooks (the session is saved last).
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [(k, _secure(v) if k.lower() == "set-cookie" else v) for k, v in headers]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def _secure(cookie: str) -> str:
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    return cookie if "secure" in attributes else f"{cookie}; Secure"
