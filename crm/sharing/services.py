"""Sharing a pairing with a partner user. Services flush; the view commits."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.errors import DomainError
from crm.partnerships.models import Partnership
from crm.sharing.models import PartnershipShare


def shares_of(partnership: Partnership) -> list[PartnershipShare]:
    return list(
        session.scalars(
            select(PartnershipShare)
            .where(PartnershipShare.partnership_id == partnership.id)
            # Joined, not selectin: one statement whether there are shares or not.
            .options(joinedload(PartnershipShare.user), joinedload(PartnershipShare.shared_by))
            .order_by(PartnershipShare.shared_at)
        )
    )


def share(partnership: Partnership, partner: User, *, by: User) -> PartnershipShare:
    if not access.is_partner_account(partner):
        raise DomainError(gettext("Share only with an active partner account."), field="user_id")
    if _share_of(partnership, partner) is not None:
        raise _already_shared(partnership, partner)
    shared = PartnershipShare(partnership=partnership, user=partner, shared_by=by)
    try:
        # A savepoint: two officers sharing at the same moment both find no share, and the
        # second insert meets the first's row (on PostgreSQL, once it commits). That is the
        # same answer as above, not a 500, and the rest of the transaction stands.
        with session.begin_nested():
            session.add(shared)
    except IntegrityError:
        raise _already_shared(partnership, partner) from None
    return shared


def _already_shared(partnership: Partnership, partner: User) -> DomainError:
    return DomainError(
        gettext(
            "“%(title)s” is already shared with %(name)s.",
            title=partnership.title,
            name=partner.name,
        ),
        field="user_id",
    )


def unshare(partnership: Partnership, partner: User) -> None:
    shared = _share_of(partnership, partner)
    if shared is None:
        raise DomainError(
            gettext(
                "“%(title)s” is not shared with %(name)s.",
                title=partnership.title,
                name=partner.name,
            )
        )
    session.delete(shared)
    session.flush()


def _share_of(partnership: Partnership, partner: User) -> PartnershipShare | None:
    return session.scalar(
        select(PartnershipShare).where(
            PartnershipShare.partnership_id == partnership.id,
            PartnershipShare.user_id == partner.id,
        )
    )
