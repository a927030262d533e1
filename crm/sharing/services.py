"""Sharing a pairing with a partner user. Services flush; the view commits."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.auth.models import Role, User
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
    if partner.role != Role.PARTNER or not partner.is_active:
        raise DomainError(gettext("Share only with an active partner account."), field="user_id")
    if _share_of(partnership, partner) is not None:
        raise DomainError(
            gettext(
                "“%(title)s” is already shared with %(name)s.",
                title=partnership.title,
                name=partner.name,
            ),
            field="user_id",
        )
    shared = PartnershipShare(partnership=partnership, user=partner, shared_by=by)
    session.add(shared)
    session.flush()
    return shared


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
