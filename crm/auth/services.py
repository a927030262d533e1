"""Accounts: creating them and checking a login."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from crm.auth.models import Role, User
from crm.db import session, utcnow
from crm.errors import DomainError

PASSWORD_MIN_LENGTH = 12

# Checked on a failed lookup too, so that an unknown e-mail takes as long as a wrong password.
_TIMING_DUMMY_HASH = generate_password_hash("timing-equaliser-password", method="scrypt")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, *, name: str, role: str, password: str) -> User:
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError(f"That e-mail address is not valid: {error}", field="email") from error
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the user's name.", field="name")
    if len(name) > 200:
        raise DomainError("A name can be at most 200 characters.", field="name")
    if role not in {r.value for r in Role}:
        roles = ", ".join(r.value for r in Role)
        raise DomainError(f"The role must be one of: {roles}.", field="role")
    check_password_strength(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError(f"There is already an account for {email}.", field="email")
    user = User(email=email, name=name, role=role, is_active=True)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def check_password_strength(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise DomainError(
            f"A password needs at least {PASSWORD_MIN_LENGTH} characters.", field="password"
        )


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; the caller cannot tell which part failed."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_TIMING_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def active_users() -> list[User]:
    return list(session.scalars(select(User).where(User.is_active).order_by(User.name)))
