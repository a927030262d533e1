"""Accounts: creating them, checking a login, and what an administrator changes of them.

A password change and a deactivation replace the account's session token, which ends every
session that carried the old one (see `crm.auth.login`).
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from crm.auth.models import Role, User
from crm.auth.passwords import check_password_strength
from crm.db import session, utcnow
from crm.email_addresses import checked_email
from crm.errors import DomainError, name_too_long

NAME_MAX_LENGTH = 200


class WrongCurrentPassword(DomainError):
    """The password typed as the current one is not; the view counts these against a limit."""

    def __init__(self) -> None:
        super().__init__(gettext("That is not your current password."), field="current_password")


# Checked on a failed lookup too, so that an unknown e-mail takes as long as a wrong password.
_TIMING_DUMMY_HASH = generate_password_hash("timing-equaliser-password", method="scrypt")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, *, name: str, role: str, password: str) -> User:
    email = normalise_email(email)
    # Checked, but kept as typed (lower case): login looks the account up by that same form.
    checked_email(email, required=True)
    name = _checked_name(name)
    _check_role(role)
    check_password_strength(password, email=email, name=name)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError(
            gettext("There is already an account for %(email)s.", email=email), field="email"
        )
    user = User(email=email, name=name, role=role, is_active=True)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


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


def user_by_email(email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def active_users() -> list[User]:
    return list(session.scalars(select(User).where(User.is_active).order_by(User.name)))


def all_users() -> list[User]:
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.name)))


def set_password(user: User, password: str) -> None:
    """A new password; every session of the user ends (the caller may log the current one in)."""
    check_password_strength(password, email=user.email, name=user.name)
    user.set_password(password)
    session.flush()


def change_own_password(user: User, *, current_password: str, new_password: str) -> None:
    """The user's own change: they prove they know the current password, and the new one must
    differ from it (a "change" that keeps it would leave a leaked password working).

    An administrator's reset (`set_password`) makes no such comparison: it would tell them
    whether a guess was the user's password.
    """
    if not user.check_password(current_password):
        raise WrongCurrentPassword()
    # The typed current password has just been verified, so comparing the texts is enough.
    if new_password == current_password:
        raise DomainError(
            gettext("The new password is the same as your current one; choose a different one."),
            field="password",
        )
    set_password(user, new_password)


def change_role(user: User, role: str) -> None:
    _check_role(role)
    if user.role == Role.ADMIN and role != Role.ADMIN:
        _keep_an_admin(user)
    user.role = role
    session.flush()


def rename(user: User, name: str) -> None:
    user.name = _checked_name(name)
    session.flush()


def deactivate(user: User) -> None:
    """The account can no longer log in, and its sessions stop at once."""
    if not user.is_active:
        raise DomainError(gettext("%(name)s's account is already deactivated.", name=user.name))
    if user.role == Role.ADMIN:
        _keep_an_admin(user)
    user.is_active = False
    user.end_sessions()
    session.flush()


def reactivate(user: User) -> None:
    if user.is_active:
        raise DomainError(gettext("%(name)s's account is already active.", name=user.name))
    user.is_active = True
    session.flush()


def _keep_an_admin(user: User) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.is_active, User.id != user.id)
    )
    if not others:
        raise DomainError(
            gettext(
                "This is the last active administrator; make someone else an administrator first."
            ),
            field="role",
        )


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError(gettext("Give the user's name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            name_too_long(NAME_MAX_LENGTH),
            field="name",
        )
    return name


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        roles = ", ".join(r.value for r in Role)
        raise DomainError(gettext("The role must be one of: %(roles)s.", roles=roles), field="role")
