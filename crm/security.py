"""CSRF protection and the response headers that every page carries."""

from __future__ import annotations

from flask import Flask, Response, abort, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()

# No inline scripts or styles anywhere: htmx and our own JS are files under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_refuse_nul_characters)
    app.after_request(_add_security_headers)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        # The client address (for the login rate limit and the audit log) from the proxies'
        # X-Forwarded-For, trusting exactly as many hops as there are proxies we run.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def _add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_user and current_user.is_authenticated:
        # Pages behind the login must not be kept by the browser or a shared proxy.
        response.headers["Cache-Control"] = "no-store"
    return response


def _refuse_nul_characters() -> None:
    """A NUL character is never real input, and PostgreSQL refuses to store or compare it: a
    400 here rather than a database error later. The API answers the same in its own shape."""
    if request.path.startswith("/api/"):
        return
    values = list(request.args.values())
    # Only plain forms: reading a multipart upload here would parse it before the import page
    # has raised its size limit.
    if request.mimetype == "application/x-www-form-urlencoded":
        values += list(request.form.values())
    if any("\x00" in value for value in values):
        abort(400, gettext("The request holds a NUL character."))
