"""flask-login wiring: how a session cookie becomes `current_user`."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from crm.auth.models import User
from crm.db import session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
