"""Which partnerships a user may see and change. Every surface that lists or loads a pairing
starts from here, so that a new page cannot forget the rule.

Today every account is staff (admin or officer) and sees the whole pipeline; record-level sharing
with outside partners narrows `visible_partnerships` and nothing else has to change.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, false, select

from crm.auth.models import Role, User
from crm.db import session
from crm.partnerships.models import Partnership

STAFF_ROLES = frozenset({Role.ADMIN.value, Role.OFFICER.value})


def visible_partnerships(user: User) -> Select[tuple[Partnership]]:
    """The pairings `user` may see. Archived ones are gone from every list and page; only the
    admin's archive (`archived_partnerships`) shows them."""
    statement = select(Partnership).where(Partnership.archived_at.is_(None))
    if user.role not in STAFF_ROLES:
        return statement.where(false())
    return statement


def visible_partnership_ids(user: User) -> Select[tuple[int]]:
    """The ids of `visible_partnerships`, for records that belong to a pairing (tasks, meetings,
    roles): `Task.partnership_id.in_(visible_partnership_ids(user))`."""
    return visible_partnerships(user).with_only_columns(Partnership.id)


def archived_partnerships(user: User) -> Select[tuple[Partnership]]:
    """Archived pairings, for the admin who may restore them; nobody else sees them."""
    statement = select(Partnership).where(Partnership.archived_at.is_not(None))
    if user.role != Role.ADMIN.value:
        return statement.where(false())
    return statement


def can_archive(user: User) -> bool:
    return user.role in STAFF_ROLES


def can_restore(user: User) -> bool:
    return user.role == Role.ADMIN.value


def get_visible_or_404(user: User, partnership_id: int) -> Partnership:
    partnership = session.scalar(visible_partnerships(user).where(Partnership.id == partnership_id))
    if partnership is None:
        abort(404)
    return partnership


def can_edit_pipeline(user: User) -> bool:
    """Create, edit and move pairings, and manage localities."""
    return user.role in STAFF_ROLES


def can_manage_reference_data(user: User) -> bool:
    """Rename and add stages; add, rename and merge sectors."""
    return user.role == Role.ADMIN.value
