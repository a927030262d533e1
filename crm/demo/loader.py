"""Loads the demo data through the same services as the pages; loading twice adds nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from crm.auth import services as auth_services
from crm.auth.models import User
from crm.db import session
from crm.demo import contacts, data
from crm.localities import services as locality_services
from crm.localities.models import Locality
from crm.partnerships import services as partnership_services
from crm.partnerships.models import Partnership, Status, pair_key_of
from crm.partnerships.stages import ensure_default_stages, stage_by_key
from crm.sectors.services import ensure_default_sectors, sector_by_slug
from crm.sharing import services as sharing_services
from crm.sharing.models import PartnershipShare
from crm.tasks.dates import today_for

STATUS_KEYS = {status.value for status in Status}


def is_empty() -> bool:
    return (session.scalar(select(func.count()).select_from(Partnership)) or 0) == 0


def load_demo_data() -> int:
    """Add whatever of the demo data is missing; returns how many pairings were added."""
    ensure_default_stages()
    ensure_default_sectors()
    users = {demo_user.email: _ensure_user(demo_user) for demo_user in data.USERS}
    localities = {demo.key: _ensure_locality(demo) for demo in data.LOCALITIES}
    added = 0
    for pairing in data.PAIRINGS:
        if _ensure_pairing(pairing, users, localities):
            added += 1
    main = session.scalar(
        select(Partnership).where(
            Partnership.pair_key
            == pair_key_of(
                localities[data.MARIBOR_KYZYLORDA.a].id, localities[data.MARIBOR_KYZYLORDA.b].id
            )
        )
    )
    if main is not None:
        contacts.load_case(main, users, today=today_for(None))
    for demo_share in data.SHARES:
        _ensure_share(demo_share, users, localities)
    return added


def _ensure_share(
    demo_share: data.DemoShare, users: dict[str, User], localities: dict[str, Locality]
) -> None:
    pair_key = pair_key_of(localities[demo_share.a].id, localities[demo_share.b].id)
    partnership = session.scalar(
        select(Partnership).where(Partnership.pair_key == pair_key).order_by(Partnership.id.desc())
    )
    partner = users[demo_share.partner]
    if partnership is None or partnership.id in set(
        session.scalars(
            select(PartnershipShare.partnership_id).where(PartnershipShare.user_id == partner.id)
        )
    ):
        return
    sharing_services.share(partnership, partner, by=users[demo_share.shared_by])


def _ensure_user(demo_user: data.DemoUser) -> User:
    existing = session.scalar(select(User).where(User.email == demo_user.email))
    if existing is not None:
        return existing
    return auth_services.create_user(
        demo_user.email, name=demo_user.name, role=demo_user.role, password=data.DEMO_PASSWORD
    )


def _ensure_locality(demo: data.DemoLocality) -> Locality:
    existing = locality_services.find_locality(demo.country, demo.kind, demo.name)
    if existing is not None:
        return existing
    return locality_services.create_locality(
        locality_services.LocalityData(
            name=demo.name,
            name_en=demo.name_en,
            kind=demo.kind,
            country_code=demo.country,
            subdivision_code=demo.subdivision,
            other_names=demo.other_names,
        )
    )


def _ensure_pairing(
    pairing: data.DemoPairing, users: dict[str, User], localities: dict[str, Locality]
) -> bool:
    locality_a, locality_b = localities[pairing.a], localities[pairing.b]
    already = session.scalar(
        select(Partnership.id).where(
            Partnership.pair_key == pair_key_of(locality_a.id, locality_b.id)
        )
    )
    if already is not None:
        return False
    owner = users[pairing.owner]
    sector_ids = [sector.id for slug in pairing.sectors if (sector := sector_by_slug(slug))]
    start, *moves = pairing.history
    partnership = partnership_services.create_partnership(
        partnership_services.PartnershipData(
            locality_a_id=locality_a.id,
            locality_b_id=locality_b.id,
            owner_id=owner.id,
            sector_ids=sector_ids,
            summary=pairing.summary,
            first_contact_on=_date(pairing.first_contact_on),
            target_signing_on=_date(pairing.target_signing_on),
        ),
        by=owner,
        stage_key=start.to,
        note=start.note,
        at=_utc(start.on),
    )
    for move in moves:
        if move.to in STATUS_KEYS:
            partnership_services.change_status(
                partnership,
                Status(move.to),
                by=owner,
                note=move.note,
                expected_version=partnership.version,
                at=_utc(move.on),
            )
            continue
        stage = stage_by_key(move.to)
        if stage is None:
            raise LookupError(f"demo data names an unknown stage {move.to!r}")
        partnership_services.change_stage(
            partnership,
            stage,
            by=owner,
            note=move.note,
            expected_version=partnership.version,
            at=_utc(move.on),
        )
    return True


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None
