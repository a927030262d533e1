from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from crm.db import Base, utcnow


class Role(enum.StrEnum):
    """What an account may do; `crm.access` turns a role into permissions."""

    ADMIN = "admin"
    OFFICER = "officer"
    PARTNER = "partner"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """The role's name in the reader's language (translated when it is read)."""
        return str(ROLE_LABELS[self.value])

    @property
    def description(self) -> str:
        return str(ROLE_DESCRIPTIONS[self.value])


ROLE_LABELS = {
    "admin": lazy_gettext("Admin"),
    "officer": lazy_gettext("Officer"),
    "partner": lazy_gettext("Partner"),
    "viewer": lazy_gettext("Viewer"),
}
ROLE_DESCRIPTIONS = {
    "admin": lazy_gettext(
        "Manages users, stages and sectors; sees everything; reads the audit log."
    ),
    "officer": lazy_gettext("Works on every pairing: creates, edits, moves and shares them."),
    "partner": lazy_gettext("Outside contact: sees only the pairings shared with them."),
    "viewer": lazy_gettext("Reads everything, changes nothing (e.g. a ministry desk)."),
}


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so that logging in and uniqueness ignore case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.OFFICER.value)
    is_active: Mapped[bool] = mapped_column(default=True)
    # IANA name; empty means the deployment's TIME_ZONE.
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    # en, sl, ru or kk; empty means the browser's choice, then the deployment's DEFAULT_LANGUAGE.
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    # The SHA-256 of the secret in the user's private calendar feed URL, never the secret itself
    # (shown once, when made); None when no feed is issued (revoked).
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of the id kept in the session cookie: a new token (on a password change or a
    # deactivation) ends every session that carries the old one, in every app process.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Since when the user gets the weekly report by e-mail every Monday; None: they do not.
    # On the user, like their language: the report's page knows it without asking again.
    weekly_report_since: Mapped[datetime | None]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_token = new_session_token()

    def get_id(self) -> str:
        """flask-login's "alternative id": the user id and the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.__members__.values() else self.role

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
