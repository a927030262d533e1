"""Who may see and do what. The one place that decides; every surface asks here.

Every query for partnerships (and for anything that belongs to one: stage history, localities
listed by their pairings, counts) starts from `visible_partnerships(user)`, so that a new page
cannot forget the rule. A pairing a user may not see is *absent*: asking for it by id gives the
same 404 as an id that does not exist (`get_visible_or_404`).

The roles:
- admin: everything an officer does, plus users, stages, sectors and the audit log.
- officer: works on every pairing (create, edit, move, share).
- partner (chamber of commerce, city hall): sees only the pairings shared with them; reads the
  pairing and its public timeline, adds activities and comments, completes tasks assigned to them;
  never moves, edits or shares, never sees the notes on stage moves (the internal notes), other
  pairings or other users' lists.
- viewer (a ministry desk): reads everything, changes nothing.

Sharing is read from the database on every request (no cache), so a share or an unshare takes
effect on the next request in every app process.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, false, literal, select
from sqlalchemy.orm.interfaces import ORMOption

from crm.audit import services as audit
from crm.auth.models import Role, User
from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership
from crm.sharing.models import PartnershipShare

STAFF_ROLES = frozenset({Role.ADMIN.value, Role.OFFICER.value})
# Roles that see the whole pipeline (the viewer reads it all, and changes nothing).
READ_ALL_ROLES = frozenset({Role.ADMIN.value, Role.OFFICER.value, Role.VIEWER.value})


def _role(user: User | None) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(user.role)


def is_partner(user: User | None) -> bool:
    return _role(user) == Role.PARTNER.value


# --- What a user sees --------------------------------------------------------------------------


def visible_partnerships(user: User) -> Select[tuple[Partnership]]:
    """The pairings `user` may see, as a statement to narrow further (filters, counts, pages).

    Archived ones are gone from every list and page; only the admin's archive
    (`archived_partnerships`) shows them.
    """
    statement = select(Partnership).where(Partnership.archived_at.is_(None))
    role = _role(user)
    if role in READ_ALL_ROLES:
        return statement
    if role == Role.PARTNER.value:
        return statement.where(Partnership.id.in_(shared_partnership_ids(user)))
    return statement.where(false())


def shared_partnership_ids(user: User) -> Select[tuple[int]]:
    return select(PartnershipShare.partnership_id).where(PartnershipShare.user_id == user.id)


def sees_every_pairing(user: User) -> bool:
    """Whether `user` sees every pairing but the archived ones (a partner sees those shared)."""
    return _role(user) in READ_ALL_ROLES


def is_visible_partnership(user: User, partnership_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether `user` may see the pairing `partnership_id` (a column of the outer statement, e.g.
    `Task.partnership_id`): a correlated EXISTS, or for most users NOT IN the archived ones.

    Unlike `IN (visible_partnership_ids)`, it lets the database drive the outer statement by its
    own index (a user's tasks by assignee) and look each pairing up by primary key, rather than
    read every visible pairing first. For those who see every pairing but the archived ones, it
    is the short list of archived pairings that is checked (one range of the archived_at
    index, held as a hash), not each pairing: 7,400 lookups were 13 ms on SQLite and a hash
    join over every pairing 20 ms on PostgreSQL.
    """
    if sees_every_pairing(user):
        archived = select(Partnership.id).where(Partnership.archived_at.is_not(None))
        return partnership_id.not_in(archived)
    return (
        visible_partnerships(user)
        .with_only_columns(literal(1))
        .where(Partnership.id == partnership_id)
        .exists()
    )


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


def get_visible_or_404(
    user: User, partnership_id: int, *, options: Sequence[ORMOption] = ()
) -> Partnership:
    """The pairing, or the same 404 as for an id that does not exist; `options` load with it
    what the page shows.

    A hidden pairing asked for by id is recorded in the audit log as a denial (only admins read
    it), and the answer to the user is indistinguishable from "not there".
    """
    partnership = session.scalar(
        visible_partnerships(user).where(Partnership.id == partnership_id).options(*options)
    )
    if partnership is None:
        if session.get(Partnership, partnership_id) is not None:
            audit.record_denial("partnership", partnership_id)
        abort(404)
    return partnership


def visible_localities(user: User) -> Select[tuple[Locality]]:
    """Everyone who reads the pipeline sees every locality; a partner only those of their pairings.

    The list of localities tells which cities and regions are being considered, which is the
    rest of the pipeline that a partner must never see.
    """
    statement = select(Locality)
    role = _role(user)
    if role in READ_ALL_ROLES:
        return statement
    if role == Role.PARTNER.value:
        mine = visible_partnerships(user)
        sides = (
            select(Partnership.locality_a_id)
            .where(Partnership.id.in_(mine.with_only_columns(Partnership.id)))
            .union(
                select(Partnership.locality_b_id).where(
                    Partnership.id.in_(mine.with_only_columns(Partnership.id))
                )
            )
        )
        return statement.where(Locality.id.in_(sides))
    return statement.where(false())


def get_visible_locality_or_404(user: User, locality_id: int) -> Locality:
    locality = session.scalar(visible_localities(user).where(Locality.id == locality_id))
    if locality is None:
        abort(404)
    return locality


def may_own_pairings(user: User) -> bool:
    """Who a pairing may belong to: an active officer or administrator (`owner_choices`)."""
    return user.is_active and _role(user) in STAFF_ROLES


def owner_choices(user: User, *, keeping: User | None = None) -> list[User]:
    """The people offered as owners in forms and filters: staff for staff and viewers; none for
    partners, who must not see the list of the ministry's users ("other users' lists").

    `keeping`: an owner already chosen, offered even if they may own no more (demoted or
    deactivated, they still own their pairings), so that a form shows what it holds rather than
    quietly picking the first.
    """
    if not can_see_other_users(user):
        return []
    owners = list(session.scalars(select(User).where(may_own()).order_by(User.name)))
    if keeping is not None and keeping not in owners:
        owners.insert(0, keeping)
    return owners


def may_own() -> ColumnElement[bool]:
    """Who may own a pairing, as a condition on users: active staff."""
    return and_(User.is_active, User.role.in_(sorted(STAFF_ROLES)))


def partner_users() -> Select[tuple[User]]:
    """Accounts a pairing can be shared with."""
    return select(User).where(User.role == Role.PARTNER.value, User.is_active).order_by(User.name)


def is_partner_account(user: User) -> bool:
    """Whether `partner_users()` lists `user`."""
    return user.role == Role.PARTNER.value and bool(user.is_active)


# --- What a user may do ------------------------------------------------------------------------


def can_edit_pipeline(user: User) -> bool:
    """Create, edit and move pairings, change their status, and manage localities."""
    return _role(user) in STAFF_ROLES


def can_move(user: User, partnership: Partnership | None = None) -> bool:
    """Move a pairing to another stage or status (staff only; partners and viewers never)."""
    return can_edit_pipeline(user)


def can_share(user: User) -> bool:
    """Share a pairing with a partner user, and unshare it."""
    return _role(user) in STAFF_ROLES


def can_see_internal_notes(user: User) -> bool:
    """The notes of stage changes (why a pairing moved) are the ministry's side's own.

    A partner sees the moves without their notes. The timeline is shared, its notes included:
    a partner who sees the pairing reads its entries and adds to them (`can_contribute`).
    """
    return _role(user) in READ_ALL_ROLES


def can_contribute(user: User) -> bool:
    """Add activities and comments to a pairing the user can see (staff and partners)."""
    return _role(user) in STAFF_ROLES or _role(user) == Role.PARTNER.value


def may_complete_task(user: User, task_assignee_id: int | None) -> bool:
    """Staff complete any task; a partner only a task assigned to them; a viewer none."""
    role = _role(user)
    if role in STAFF_ROLES:
        return True
    return role == Role.PARTNER.value and task_assignee_id == user.id


def may_be_assigned(user: User, partnership: Partnership) -> bool:
    """Whether a task on `partnership` may be given to `user`: someone who will see it and may
    complete it. Staff, or a partner the pairing is shared with (its shares, loaded once)."""
    role = _role(user)
    if role in STAFF_ROLES:
        return True
    return role == Role.PARTNER.value and any(
        share.user_id == user.id for share in partnership.shares
    )


def may_use_import_job(user: User, uploader_id: int) -> bool:
    """An import job (its file, mapping, preview and progress) is its uploader's, like a draft.
    An admin may open anyone's, to help, as they may read everything else; other staff only
    their own."""
    role = _role(user)
    if role == Role.ADMIN.value:
        return True
    return role in STAFF_ROLES and user.id == uploader_id


def can_see_other_users(user: User) -> bool:
    """Lists of people and of other users' work (owners, assignees, someone else's tasks)."""
    return _role(user) in READ_ALL_ROLES


def can_manage_reference_data(user: User) -> bool:
    """Rename and add stages; add, rename and merge sectors."""
    return _role(user) == Role.ADMIN.value


def can_manage_users(user: User) -> bool:
    return _role(user) == Role.ADMIN.value


def can_read_audit_log(user: User) -> bool:
    return _role(user) == Role.ADMIN.value


def require(allowed: bool) -> None:
    """Refuse with 403 (recorded in the audit log by the 403 handler) unless `allowed`."""
    if not allowed:
        abort(403)
