"""Session lifetime: an idle timeout and an absolute lifetime for every logged-in session.

Two timestamps in the (signed) session cookie: when the user logged in and when they were last
seen. A request after either limit logs the session out and sends the user to the login page.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, url_for
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import logout_user

from crm.i18n.locale import LANGUAGE_SESSION_KEY, chosen_language

# `seen_at` is rewritten at most this often, so that not every response sets a new cookie.
SEEN_RESOLUTION_SECONDS = 60


def init_app(app: Flask) -> None:
    app.before_request(_enforce_lifetime)


def start() -> None:
    """Call right after `login_user`: the clocks start now, and the cookie expires with them."""
    now = time.time()
    cookie_session["login_at"] = now
    cookie_session["seen_at"] = now
    cookie_session.permanent = True


def _enforce_lifetime() -> ResponseReturnValue | None:
    if "_user_id" not in cookie_session or request.endpoint == "static":
        return None
    now = time.time()
    login_at = cookie_session.get("login_at")
    seen_at = cookie_session.get("seen_at")
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        start()
        return None
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()
    if now - seen_at > idle or now - login_at > lifetime:
        # The reader's language outlives the session, as at logout.
        language = chosen_language()
        logout_user()
        cookie_session.clear()
        cookie_session[LANGUAGE_SESSION_KEY] = language
        flash(gettext("Your session has ended. Log in again to go on."), "info")
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))
    if now - seen_at > SEEN_RESOLUTION_SECONDS:
        cookie_session["seen_at"] = now
    return None
