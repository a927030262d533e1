"""What the API accepts and returns, as pydantic models.

The same models validate requests, shape responses and generate the OpenAPI document, so the
document cannot drift from the implementation.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
)

from crm.activities.models import Activity
from crm.auth.models import User
from crm.contacts.models import Organisation, Person
from crm.contacts.services import PHONE_INPUT_MAX_LENGTH
from crm.date_span import FIRST_DAY, LAST_DAY, is_within_span
from crm.localities.countries import english_country_name
from crm.localities.models import Locality
from crm.localities.services import NAME_MAX_LENGTH
from crm.partnerships.models import Partnership, Stage, StageChange
from crm.partnerships.services import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, TITLE_MAX_LENGTH
from crm.sectors.models import Sector
from crm.sharing.models import PartnershipShare
from crm.tasks.models import Task

# ISO 8601 with an explicit offset ("+00:00"), which every client parses the same way.
Timestamp = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]
LocalityKindName = Literal["city", "municipality", "region"]
StatusName = Literal["open", "on_hold", "dropped"]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Strict, as the OpenAPI document says "integer": `true`, "45" and 45.0 are not ids.
VERSION_HELP = "The version you read; a stale one is a 409, one the record never had a 422."
Version = Annotated[int, Field(ge=1, strict=True, description=VERSION_HELP)]
RecordId = Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
# Strict for the same reason: the document says "boolean", and "yes", "false", 1 and 0 are not
# one (pydantic would read "false" as false, and "yes" or 1 as true). Bodies only: a flag in a
# query string would come as text.
Flag = Annotated[bool, Field(strict=True)]

DayOrMoment = TypeVar("DayOrMoment", date, datetime)


def _within_span(value: DayOrMoment) -> DayOrMoment:
    if not is_within_span(value):
        raise ValueError(f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return value


# ISO 8601 text as the OpenAPI document's "date" and "date-time" give it, in ASCII digits. Checked
# before pydantic parses it, because pydantic reads a string of digits as a count of seconds
# since 1970 ("1797638400" would be 2026-12-19) and cuts a datetime down to a date.
_ISO_DAY = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_DATE = re.compile(_ISO_DAY)
# A day alone is the start of that day, as pydantic reads it; anything after the day is a time.
_ISO_DATETIME = re.compile(rf"{_ISO_DAY}(?:[Tt ].*)?", re.DOTALL)
_NOT_A_DATE = "must be an ISO 8601 date as text, e.g. 2026-02-13"
_NOT_A_DATETIME = "must be ISO 8601 text, e.g. 2026-02-13T10:00:00+01:00"


def _iso_date_text(value: object) -> object:
    """JSON has no dates: one comes as ISO 8601 text, never as a count of seconds."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError(_NOT_A_DATE)
    return value


def _iso_datetime_text(value: object) -> object:
    """JSON has no times: one comes as ISO 8601 text, never as a count of seconds."""
    if isinstance(value, datetime):
        return value
    if not (isinstance(value, str) and _ISO_DATETIME.fullmatch(value)):
        raise ValueError(_NOT_A_DATETIME)
    return value


# Every date and time the API reads, in bodies and queries alike: a year at the calendar's ends
# (0001, 9999) is a 422 here rather than an overflow when it meets UTC or a reader's zone.
SpanDate = Annotated[date, BeforeValidator(_iso_date_text), AfterValidator(_within_span)]
SpanDateTime = Annotated[
    datetime, BeforeValidator(_iso_datetime_text), AfterValidator(_within_span)
]


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Input(BaseModel):
    """Request bodies: unknown fields are an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        """PostgreSQL refuses text holding NUL; it is bad input (422), never a 500."""
        if isinstance(value, dict):
            values = [*value.keys(), *value.values()]
        else:
            values = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in values):
            raise ValueError("must not contain NUL characters")
        return value


ItemT = TypeVar("ItemT", bound=Output)


class Page(Output, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class StageRef(Output):
    """A pairing's stage, or one of its history: which stage, not the stage as a record."""

    key: str
    name: str
    position: int

    @classmethod
    def of(cls, stage: Stage) -> StageRef:
        # The API speaks English: the name as given, not the reader's translation.
        return cls(key=stage.key, name=stage.given_name, position=stage.position)


REFERENCE_VERSION = (
    "Moves on with each rename (in any language), which the app checks against the version its "
    "rename form was drawn with; a client keeping a copy of the list can tell what changed."
)


class StageOut(StageRef):
    """A stage as `/stages` lists it: the record itself, with its version."""

    version: int = Field(description=REFERENCE_VERSION)

    @classmethod
    def of(cls, stage: Stage) -> StageOut:
        return cls(
            key=stage.key, name=stage.given_name, position=stage.position, version=stage.version
        )


class SectorOut(Output):
    slug: str
    name: str
    version: int = Field(description=REFERENCE_VERSION)

    @classmethod
    def of(cls, sector: Sector) -> SectorOut:
        return cls(slug=sector.slug, name=sector.given_name, version=sector.version)


class UserRef(Output):
    id: int
    name: str

    @classmethod
    def of(cls, user: User) -> UserRef:
        return cls(id=user.id, name=user.name)


class LocalityRef(Output):
    id: int
    name: str = Field(description="As written locally, in its own script.")
    name_en: str
    country: str = Field(description="ISO 3166-1 alpha-2.")

    @classmethod
    def of(cls, locality: Locality) -> LocalityRef:
        return cls(
            id=locality.id,
            name=locality.name,
            name_en=locality.name_en,
            country=locality.country_code,
        )


class LocalityOut(LocalityRef):
    kind: LocalityKindName
    country_name: str
    # Names in other languages and scripts, by language code: {"ru": "Кызылорда"}.
    other_names: dict[str, str]
    subdivision_code: str
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, locality: Locality) -> LocalityOut:
        return cls(
            id=locality.id,
            name=locality.name,
            name_en=locality.name_en,
            country=locality.country_code,
            kind=locality.kind,  # type: ignore[arg-type]
            country_name=english_country_name(locality.country_code),
            other_names=dict(locality.other_names or {}),
            subdivision_code=locality.subdivision_code,
            version=locality.version,
            created_at=locality.created_at,
            updated_at=locality.updated_at,
        )


class PartnershipOut(Output):
    id: int
    title: str
    locality_a: LocalityRef
    locality_b: LocalityRef
    stage: StageRef
    status: StatusName
    sectors: list[str] = Field(description="Sector slugs.")
    owner: UserRef
    summary: str
    first_contact_on: date | None
    target_signing_on: date | None
    signed_on: date | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    stage_entered_at: Timestamp
    last_activity_at: Timestamp

    @classmethod
    def of(cls, partnership: Partnership) -> PartnershipOut:
        return cls(
            id=partnership.id,
            title=partnership.title,
            locality_a=LocalityRef.of(partnership.locality_a),
            locality_b=LocalityRef.of(partnership.locality_b),
            stage=StageRef.of(partnership.stage),
            status=partnership.status,  # type: ignore[arg-type]
            sectors=[sector.slug for sector in partnership.sectors],
            owner=UserRef.of(partnership.owner),
            summary=partnership.summary,
            first_contact_on=partnership.first_contact_on,
            target_signing_on=partnership.target_signing_on,
            signed_on=partnership.signed_on,
            version=partnership.version,
            created_at=partnership.created_at,
            updated_at=partnership.updated_at,
            stage_entered_at=partnership.stage_entered_at,
            last_activity_at=partnership.last_activity_at,
        )


class StageChangeOut(Output):
    id: int
    from_stage: StageRef | None = Field(description="Null on the row that started the pairing.")
    to_stage: StageRef
    from_status: StatusName | None
    to_status: StatusName
    changed_by: UserRef
    changed_at: Timestamp
    note: str

    @classmethod
    def of(cls, change: StageChange) -> StageChangeOut:
        return cls(
            id=change.id,
            from_stage=StageRef.of(change.from_stage) if change.from_stage else None,
            to_stage=StageRef.of(change.to_stage),
            from_status=change.from_status,  # type: ignore[arg-type]
            to_status=change.to_status,  # type: ignore[arg-type]
            changed_by=UserRef.of(change.changed_by),
            changed_at=change.changed_at,
            note=change.note,
        )


Title = Annotated[str, StringConstraints(max_length=TITLE_MAX_LENGTH)]
Summary = Annotated[str, StringConstraints(max_length=SUMMARY_MAX_LENGTH)]
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX_LENGTH)]
LocalityName = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH)]
OptionalName = Annotated[str, StringConstraints(max_length=NAME_MAX_LENGTH)]
SectorSlug = Annotated[str, StringConstraints(max_length=60)]
Subdivision = Annotated[str, StringConstraints(max_length=10)]
# A locality's names in other languages and scripts, by language code; the service checks the
# codes, the number of names and their length, as it does for the web form.
OtherNames = dict[
    Annotated[str, StringConstraints(min_length=1, max_length=20)],
    Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH)],
]
StageKey = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class PartnershipCreate(Input):
    locality_a_id: RecordId
    locality_b_id: RecordId
    title: Title = Field(default="", description="Empty: the two localities' names.")
    owner_id: RecordId | None = Field(default=None, description="Default: you.")
    sectors: list[SectorSlug] = Field(default_factory=list, max_length=50)
    summary: Summary = ""
    first_contact_on: SpanDate | None = None
    target_signing_on: SpanDate | None = None
    signed_on: SpanDate | None = None
    stage: StageKey = Field(default="prospect", description="The stage it starts at.")


class PartnershipUpdate(Input):
    """Only the fields given change. Stage moves go through /stage-changes."""

    version: Version
    locality_a_id: RecordId | None = None
    locality_b_id: RecordId | None = None
    title: Title | None = None
    owner_id: RecordId | None = None
    sectors: list[SectorSlug] | None = Field(default=None, max_length=50)
    summary: Summary | None = None
    first_contact_on: SpanDate | None = None
    target_signing_on: SpanDate | None = None
    signed_on: SpanDate | None = None
    status: StatusName | None = Field(default=None, description="Put on hold, drop, reopen.")


class StageChangeCreate(Input):
    stage: StageKey
    note: Note = ""
    version: Version


class LocalityCreate(Input):
    name: LocalityName
    name_en: OptionalName = ""
    kind: LocalityKindName
    country: CountryCode
    subdivision_code: Subdivision = ""
    other_names: OtherNames = Field(
        default_factory=dict, description='By language code: {"ru": "Кызылорда"}.'
    )


class LocalityUpdate(Input):
    version: Version
    name: LocalityName | None = None
    name_en: OptionalName | None = None
    kind: LocalityKindName | None = None
    country: CountryCode | None = None
    subdivision_code: Subdivision | None = None
    other_names: OtherNames | None = Field(
        default=None, description="Replaces every other name; left out (or null), they are kept."
    )


class ListQuery(Input):
    """Query-string arguments of every list; unknown ones (cache busters) are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=100)


class PartnershipQuery(ListQuery):
    q: str = Field(default="", max_length=200, description="Title or either locality's names.")
    stage: str = Field(default="", max_length=40, description="A stage key.")
    status: StatusName | None = None
    sector: str = Field(default="", max_length=60, description="A sector slug.")
    country: CountryCode | None = Field(default=None, description="Either locality's country.")
    owner_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    updated_since: SpanDateTime | None = Field(default=None, description="ISO 8601 with an offset.")


class ReportQuery(Input):
    """The weekly report's filters, as the page takes them."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, strict=False)

    owner_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    sector: str = Field(default="", max_length=60, description="A sector slug.")
    country: CountryCode | None = Field(default=None, description="Either locality's country.")


class LocalityQuery(ListQuery):
    q: str = Field(default="", max_length=200)
    country: CountryCode | None = None


class ErrorBody(Output):
    code: str = Field(description="Stable, machine-readable: not_found, validation_failed, ...")
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


class ErrorOut(Output):
    error: ErrorBody


# --- the work around a pairing --------------------------------------------------------------

TaskStatusName = Literal["open", "done"]
PriorityName = Literal["low", "normal", "high"]
ActivityKindName = Literal["meeting", "visit", "call", "letter", "signing", "note"]
OrganisationKindName = Literal[
    "city_hall",
    "regional_administration",
    "embassy",
    "consulate",
    "ministry",
    "chamber_of_commerce",
    "company",
    "university",
    "other",
]
SideName = Literal["a", "b", "facilitator"]


class TaskOut(Output):
    id: int
    partnership_id: int
    title: str
    description: str
    assignee: UserRef | None
    due_on: date | None
    priority: PriorityName
    status: TaskStatusName
    completed_by: UserRef | None
    completed_at: Timestamp | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, task: Task) -> TaskOut:
        return cls(
            id=task.id,
            partnership_id=task.partnership_id,
            title=task.title,
            description=task.description,
            assignee=UserRef.of(task.assignee) if task.assignee else None,
            due_on=task.due_on,
            priority=task.priority,  # type: ignore[arg-type]
            status=task.status,  # type: ignore[arg-type]
            completed_by=UserRef.of(task.completed_by) if task.completed_by else None,
            completed_at=task.completed_at,
            version=task.version,
            created_at=task.created_at,
            updated_at=task.updated_at,
        )


TaskTitle = Annotated[str, StringConstraints(min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]


class TaskCreate(Input):
    title: TaskTitle
    description: LongText = ""
    assignee_id: RecordId | None = None
    due_on: SpanDate | None = None
    priority: PriorityName = "normal"


class TaskUpdate(Input):
    """Only the fields given change; `status` completes or reopens the task."""

    version: Version
    title: TaskTitle | None = None
    description: LongText | None = None
    assignee_id: RecordId | None = None
    due_on: SpanDate | None = None
    priority: PriorityName | None = None
    status: TaskStatusName | None = None


class PersonRef(Output):
    id: int
    full_name: str


class ActivityOut(Output):
    id: int
    partnership_id: int
    kind: ActivityKindName
    occurred_at: Timestamp
    place: str
    summary: str
    participants: list[PersonRef]
    follow_up_task_ids: list[int]
    created_by: UserRef
    version: int
    created_at: Timestamp

    @classmethod
    def of(cls, activity: Activity) -> ActivityOut:
        return cls(
            id=activity.id,
            partnership_id=activity.partnership_id,
            kind=activity.kind,  # type: ignore[arg-type]
            occurred_at=activity.occurred_at,
            place=activity.place,
            summary=activity.summary,
            participants=[PersonRef(id=p.id, full_name=p.full_name) for p in activity.participants],
            follow_up_task_ids=[task.id for task in activity.follow_ups],
            created_by=UserRef.of(activity.created_by),
            version=activity.version,
            created_at=activity.created_at,
        )


class ActivityCreate(Input):
    kind: ActivityKindName
    occurred_at: SpanDateTime = Field(description="ISO 8601 with an offset.")
    place: Annotated[str, StringConstraints(max_length=200)] = ""
    summary: LongText = ""
    participant_ids: list[RecordId] = Field(default_factory=list, max_length=100)
    follow_up_tasks: list[TaskCreate] = Field(default_factory=list, max_length=10)


class OrganisationOut(Output):
    id: int
    name: str
    kind: OrganisationKindName
    country: str
    city: str
    website: str
    notes: str
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationOut:
        return cls(
            id=organisation.id,
            name=organisation.name,
            kind=organisation.kind,  # type: ignore[arg-type]
            country=organisation.country_code,
            city=organisation.city,
            website=organisation.website,
            notes=organisation.notes,
            version=organisation.version,
            created_at=organisation.created_at,
            updated_at=organisation.updated_at,
        )


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
OptionalCountry = Annotated[str, StringConstraints(pattern=r"^([A-Za-z]{2})?$")]


class OrganisationCreate(Input):
    name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    kind: OrganisationKindName = "other"
    country: OptionalCountry = ""
    city: ShortText = ""
    website: Annotated[str, StringConstraints(max_length=500)] = ""
    notes: LongText = ""


class OrganisationUpdate(Input):
    version: Version
    name: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    kind: OrganisationKindName | None = None
    country: OptionalCountry | None = None
    city: ShortText | None = None
    website: Annotated[str, StringConstraints(max_length=500)] | None = None
    notes: LongText | None = None


class OrganisationRef(Output):
    id: int
    name: str


class PersonOut(Output):
    id: int
    full_name: str
    position: str
    organisation: OrganisationRef | None
    email: str
    phone: str = Field(
        description="E.164, e.g. +38622201000; an extension after ;ext= (+38622201000;ext=123)."
    )
    country: str
    preferred_language: str
    notes: str
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        organisation = person.organisation
        return cls(
            id=person.id,
            full_name=person.full_name,
            position=person.position,
            organisation=OrganisationRef(id=organisation.id, name=organisation.name)
            if organisation
            else None,
            email=person.email,
            phone=person.phone,
            country=person.country_code,
            preferred_language=person.preferred_language,
            notes=person.notes,
            version=person.version,
            created_at=person.created_at,
            updated_at=person.updated_at,
        )


class PersonCreate(Input):
    full_name: Name
    position: ShortText = ""
    organisation_id: RecordId | None = None
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    phone: Annotated[str, StringConstraints(max_length=PHONE_INPUT_MAX_LENGTH)] = ""
    country: OptionalCountry = ""
    preferred_language: Annotated[str, StringConstraints(max_length=60)] = ""
    notes: LongText = ""
    create_anyway: Flag = Field(
        default=False,
        description="Create even if someone with this e-mail or name (as letters) exists; "
        "without it, that is a 409 naming them.",
    )


class PersonUpdate(Input):
    version: Version
    full_name: Name | None = None
    position: ShortText | None = None
    organisation_id: RecordId | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    phone: Annotated[str, StringConstraints(max_length=PHONE_INPUT_MAX_LENGTH)] | None = None
    country: OptionalCountry | None = None
    preferred_language: Annotated[str, StringConstraints(max_length=60)] | None = None
    notes: LongText | None = None


class ContactQuery(ListQuery):
    q: str = Field(
        default="",
        max_length=200,
        description="Name (a person's e-mail too), without caring for accents.",
    )


class WeeklyReportOut(Output):
    """The weekly report's data, as `flask reports weekly --format json` writes it."""

    model_config = ConfigDict(extra="allow")

    week: str
    headline: dict[str, dict[str, int]]
    funnel: list[dict[str, Any]]
    moves: list[dict[str, Any]]


class ShareOut(Output):
    user: UserRef
    shared_by: UserRef
    shared_at: Timestamp

    @classmethod
    def of(cls, share: PartnershipShare) -> ShareOut:
        return cls(
            user=UserRef.of(share.user),
            shared_by=UserRef.of(share.shared_by),
            shared_at=share.shared_at,
        )


class ShareCreate(Input):
    user_id: RecordId = Field(description="A partner account.")
