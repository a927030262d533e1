"""The pipeline's stages: the defaults of the domain, and what an admin may change of them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

from crm.db import session
from crm.errors import DomainError, check_version
from crm.i18n.languages import SOURCE_LANGUAGE
from crm.i18n.names import N_, rename_in
from crm.partnerships.models import Stage
from crm.text_search import fold


@dataclass(frozen=True)
class StageDefault:
    key: str
    name: str
    position: int


# The keys are the stable names that the API, the import and the reports use; names may be renamed.
DEFAULT_STAGES = (
    StageDefault("prospect", N_("Prospect"), 1),
    StageDefault("exploratory_talks", N_("Exploratory talks"), 2),
    StageDefault("agreement_in_principle", N_("Agreement in principle"), 3),
    StageDefault("memorandum_drafting", N_("Memorandum drafting"), 4),
    StageDefault("memorandum_review", N_("Memorandum under review"), 5),
    StageDefault("memorandum_signed", N_("Memorandum signed"), 6),
)
FIRST_STAGE_KEY = DEFAULT_STAGES[0].key
SIGNED_STAGE_KEY = DEFAULT_STAGES[-1].key


def ensure_default_stages() -> None:
    """Add any default stage that is missing; never renames or moves what an admin changed."""
    existing = set(session.scalars(select(Stage.key)))
    next_position = (session.scalar(select(func.max(Stage.position))) or 0) + 1
    for default in DEFAULT_STAGES:
        if default.key in existing:
            continue
        position = default.position
        if session.scalar(select(Stage.id).where(Stage.position == position)) is not None:
            position = next_position
            next_position += 1
        session.add(Stage(key=default.key, name=default.name, position=position))
    session.flush()


def ordered_stages() -> list[Stage]:
    return list(session.scalars(select(Stage).order_by(Stage.position)))


def stage_by_key(key: str) -> Stage | None:
    return session.scalar(select(Stage).where(Stage.key == key))


def rename_stage(
    stage: Stage, name: str, *, expected_version: int, language: str = SOURCE_LANGUAGE
) -> None:
    """In English the name as given changes; in another language, that language's name.

    `expected_version`: the stage as the admin's page showed it; one renamed (or moved by a stage
    added before it) since is not renamed over unseen (`StaleVersion`).
    """
    check_version(stage.version, expected_version)
    name = name.strip()
    _check_name_free(name, except_id=stage.id)
    rename_in(stage, name, language)
    session.flush()


def add_stage(name: str, *, after: Stage | None) -> Stage:
    """Insert a stage after `after` (or first), shifting later stages one place on."""
    name = name.strip()
    _check_name_free(name, except_id=None)
    position = 1 if after is None else after.position + 1
    later = list(
        session.scalars(
            select(Stage).where(Stage.position >= position).order_by(Stage.position.desc())
        )
    )
    # One at a time from the end, so that the unique position is never held twice.
    for stage in later:
        stage.position += 1
        session.flush()
    stage = Stage(key=_unique_key(name), name=name, position=position)
    session.add(stage)
    session.flush()
    return stage


def _check_name_free(name: str, *, except_id: int | None) -> None:
    for stage in session.scalars(select(Stage)):
        taken = {fold(stage.name), fold(stage.given_name)}
        if stage.id != except_id and fold(name) in taken:
            raise DomainError(
                gettext("There is already a stage called “%(name)s”.", name=stage.name),
                field="name",
            )


def _unique_key(name: str) -> str:
    base = "_".join(fold(name).replace("-", " ").split())
    base = "".join(ch for ch in base if ch.isalnum() or ch == "_")[:30] or "stage"
    key, counter = base, 2
    while session.scalar(select(Stage.id).where(Stage.key == key)) is not None:
        key = f"{base}_{counter}"
        counter += 1
    return key
