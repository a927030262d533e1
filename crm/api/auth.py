"""Who is calling: a personal token in `Authorization: Bearer ...`, never the session cookie.

Without cookies there is nothing for a cross-site request to ride on, so the API needs no CSRF
token; and a browser session alone gets a 401 here.
"""

from __future__ import annotations

from typing import cast

from flask import g, request

from crm.api.errors import ApiError
from crm.audit import services as audit
from crm.auth import throttle
from crm.auth.models import User
from crm.auth.tokens import live_token

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})


def authenticate() -> None:
    """Runs before every API request."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = live_token(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiError(401, "Send a valid personal API token as `Authorization: Bearer TOKEN`.")
    throttle.count_api_request(token.id)
    g.api_user = token.user
    audit.act_for(token.user)
    if request.method in BODY_METHODS and request.mimetype != "application/json":
        raise ApiError(415, "Send the body as application/json.")


def api_user() -> User:
    return cast(User, g.api_user)
