"""flask-login wiring: how a session cookie becomes `current_user`.

The cookie carries "<user id>:<session token>". The user is read from the database on every
request, so a deactivation or a password change (which replaces the token) ends the user's
sessions at once in every app process; nothing is cached in memory.
"""

from __future__ import annotations

import hmac

from flask import Flask
from flask_babel import lazy_gettext
from flask_login import LoginManager

from crm.auth.models import User
from crm.db import session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Log in to see that page.")
login_manager.login_message_category = "info"
# Flashed as the plain text of the request's language: a lazy string would reach the session
# cookie as Markup.
login_manager.localize_callback = str
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(alternative_id: str) -> User | None:
    user_id, _, token = alternative_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
