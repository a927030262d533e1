"""The demo data set, as plain values. `crm.demo.loader` turns it into rows through the services."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "twinning-demo-2026"  # noqa: S105 (printed for everyone; demo only)


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str


USERS = (
    DemoUser("admin@example.com", "Ministry Administrator", "admin"),
    DemoUser("officer@example.com", "Dana Sarsenbayeva", "officer"),
    DemoUser("consul@example.com", "Erlan Zhaksybekov", "officer"),
    # Outside the ministry: sees only Maribor – Kyzylorda Region, shared with her below.
    DemoUser("chamber@example.com", "Mojca Potočnik (Štajerska Chamber of Commerce)", "partner"),
    # Reads everything, changes nothing.
    DemoUser("desk@example.com", "Central Asia Desk, Ministry of Foreign Affairs", "viewer"),
)


@dataclass(frozen=True)
class DemoShare:
    """A pairing (by its two locality keys) shared with a partner by an officer."""

    a: str
    b: str
    partner: str
    shared_by: str


SHARES = (DemoShare("maribor", "kyzylorda", "chamber@example.com", "officer@example.com"),)


@dataclass(frozen=True)
class DemoLocality:
    key: str
    name: str
    name_en: str
    kind: str
    country: str
    subdivision: str = ""
    # Names in other languages and scripts, as exonyms go: Gradec is Graz in Slovenian.
    other_names: tuple[tuple[str, str], ...] = ()


LOCALITIES = (
    DemoLocality(
        "maribor",
        "Maribor",
        "",
        "city",
        "SI",
        "SI-070",
        other_names=(("ru", "Марибор"), ("kk", "Марибор")),
    ),
    DemoLocality(
        "kyzylorda",
        "Қызылорда облысы",
        "Kyzylorda Region",
        "region",
        "KZ",
        "KZ-43",
        other_names=(
            ("ru", "Кызылординская область"),
            ("kk", "Қызылорда облысы"),
            ("kk-latn", "Qyzylorda oblysy"),
            ("sl", "Kizilordska regija"),
        ),
    ),
    DemoLocality(
        "ljubljana",
        "Ljubljana",
        "",
        "city",
        "SI",
        "SI-061",
        other_names=(("ru", "Любляна"), ("kk", "Любляна")),
    ),
    DemoLocality("celje", "Celje", "", "city", "SI", "SI-011"),
    DemoLocality("koper", "Koper", "", "city", "SI", "SI-050"),
    DemoLocality("kranj", "Kranj", "", "city", "SI", "SI-052"),
    DemoLocality("novo_mesto", "Novo mesto", "", "city", "SI", "SI-085"),
    DemoLocality("ptuj", "Ptuj", "", "city", "SI", "SI-096"),
    DemoLocality("nova_gorica", "Nova Gorica", "", "municipality", "SI", "SI-084"),
    DemoLocality("stajerska", "Podravska regija (Štajerska)", "Podravje (Styria)", "region", "SI"),
    DemoLocality(
        "almaty", "Алматы", "Almaty", "city", "KZ", "KZ-75", other_names=(("kk", "Алматы"),)
    ),
    DemoLocality(
        "astana", "Астана", "Astana", "city", "KZ", "KZ-71", other_names=(("kk", "Астана"),)
    ),
    DemoLocality(
        "shymkent", "Шымкент", "Shymkent", "city", "KZ", "KZ-79", other_names=(("kk", "Шымкент"),)
    ),
    DemoLocality(
        "karaganda",
        "Қарағанды облысы",
        "Karaganda Region",
        "region",
        "KZ",
        "KZ-35",
        other_names=(("ru", "Карагандинская область"), ("kk", "Қарағанды облысы")),
    ),
    DemoLocality(
        "turkistan",
        "Түркістан облысы",
        "Turkistan Region",
        "region",
        "KZ",
        "KZ-61",
        other_names=(("ru", "Туркестанская область"), ("kk", "Түркістан облысы")),
    ),
    DemoLocality(
        "pavlodar",
        "Павлодар облысы",
        "Pavlodar Region",
        "region",
        "KZ",
        "KZ-55",
        other_names=(("ru", "Павлодарская область"), ("kk", "Павлодар облысы")),
    ),
    DemoLocality(
        "east_kz",
        "Шығыс Қазақстан облысы",
        "East Kazakhstan Region",
        "region",
        "KZ",
        "KZ-63",
        other_names=(("ru", "Восточно-Казахстанская область"), ("kk", "Шығыс Қазақстан облысы")),
    ),
    DemoLocality(
        "mangystau",
        "Маңғыстау облысы",
        "Mangystau Region",
        "region",
        "KZ",
        "KZ-47",
        other_names=(("ru", "Мангистауская область"), ("kk", "Маңғыстау облысы")),
    ),
    DemoLocality(
        "atyrau",
        "Атырау облысы",
        "Atyrau Region",
        "region",
        "KZ",
        "KZ-23",
        other_names=(("ru", "Атырауская область"), ("kk", "Атырау облысы")),
    ),
    DemoLocality(
        "aktobe",
        "Ақтөбе облысы",
        "Aktobe Region",
        "region",
        "KZ",
        "KZ-15",
        other_names=(("ru", "Актюбинская область"), ("kk", "Ақтөбе облысы")),
    ),
    DemoLocality(
        "graz", "Graz", "", "city", "AT", "AT-6", other_names=(("sl", "Gradec"), ("ru", "Грац"))
    ),
    DemoLocality("zagreb", "Zagreb", "", "city", "HR", "HR-21"),
    DemoLocality("samarkand", "Samarqand", "Samarkand", "city", "UZ", "UZ-SA"),
    DemoLocality("bishkek", "Бишкек", "Bishkek", "city", "KG", "KG-GB"),
    DemoLocality("dresden", "Dresden", "", "city", "DE", "DE-SN", other_names=(("ru", "Дрезден"),)),
    DemoLocality("izmir", "İzmir", "Izmir", "city", "TR", "TR-35"),
    DemoLocality("tbilisi", "თბილისი", "Tbilisi", "city", "GE", "GE-TB"),
    DemoLocality(
        "krakow", "Kraków", "Krakow", "city", "PL", "PL-12", other_names=(("ru", "Краков"),)
    ),
    DemoLocality("brno", "Brno", "", "city", "CZ", "CZ-64"),
    DemoLocality(
        "pecs", "Pécs", "", "city", "HU", "HU-BA", other_names=(("sl", "Pečuh"), ("ru", "Печ"))
    ),
    DemoLocality(
        "trieste",
        "Trieste",
        "",
        "city",
        "IT",
        "IT-36",
        other_names=(("sl", "Trst"), ("ru", "Триест")),
    ),
    DemoLocality("novi_sad", "Нови Сад", "Novi Sad", "city", "RS", "RS-VO"),
)


@dataclass(frozen=True)
class DemoMove:
    """A step of a pairing's history: to a stage key, or to a status (on_hold, dropped, open)."""

    on: str  # ISO date-time in UTC
    to: str
    note: str = ""


@dataclass(frozen=True)
class DemoPairing:
    a: str
    b: str
    owner: str
    sectors: tuple[str, ...]
    history: tuple[DemoMove, ...]  # the first entry is where the pairing started
    summary: str = ""
    first_contact_on: str = ""
    target_signing_on: str = ""


MARIBOR_KYZYLORDA = DemoPairing(
    a="maribor",
    b="kyzylorda",
    owner="officer@example.com",
    sectors=(
        "economics-and-trade",
        "urban-infrastructure",
        "water-resources-management",
        "education",
        "culture",
        "ecology-and-sustainable-development",
    ),
    history=(
        DemoMove(
            "2025-11-18T09:30:00",
            "prospect",
            "Identified with the Honorary Consulate of Kazakhstan in Maribor.",
        ),
        DemoMove(
            "2026-01-22T13:00:00",
            "exploratory_talks",
            "Letters exchanged with the City of Maribor and the Kyzylorda regional akimat.",
        ),
        DemoMove(
            "2026-02-13T10:00:00",
            "agreement_in_principle",
            "Ambassador Altay Abibullayev and Mayor Aleksander Saša Arsenovič agreed in principle "
            "to set up interregional cooperation between Maribor and the Kyzylorda Region.",
        ),
    ),
    summary=(
        "Interregional cooperation between the city of Maribor, Slovenia's second largest city, "
        "and the Kyzylorda Region of Kazakhstan, agreed in principle on 13 February 2026 when "
        "Kazakhstan's ambassador to Slovenia met the mayor of Maribor. The visit was organised "
        "with the help of the Honorary Consulate of Kazakhstan in Maribor; on the same visit the "
        "ambassador met the leadership of the Štajerska Chamber of Commerce and Industry."
    ),
    first_contact_on="2025-11-18",
    target_signing_on="2026-12-15",
)

OFFICER, CONSUL = "officer@example.com", "consul@example.com"

OTHER_PAIRINGS = (
    DemoPairing(
        "ljubljana",
        "astana",
        OFFICER,
        ("economics-and-trade", "investment", "tourism"),
        (
            DemoMove("2024-09-02T08:00:00", "prospect"),
            DemoMove("2024-11-20T10:00:00", "exploratory_talks", "Mayors met at the Astana forum."),
            DemoMove("2025-03-12T10:00:00", "agreement_in_principle"),
            DemoMove("2025-06-03T09:00:00", "memorandum_drafting", "Draft text exchanged."),
            DemoMove("2025-09-15T09:00:00", "memorandum_review", "With both legal services."),
            DemoMove("2025-11-28T11:00:00", "memorandum_signed", "Signed in Ljubljana."),
        ),
        first_contact_on="2024-09-02",
    ),
    DemoPairing(
        "celje",
        "karaganda",
        CONSUL,
        ("industry", "logistics", "education"),
        (
            DemoMove("2025-04-10T09:00:00", "prospect"),
            DemoMove("2025-07-01T09:00:00", "exploratory_talks"),
            DemoMove("2025-10-21T09:00:00", "agreement_in_principle"),
            DemoMove(
                "2026-03-02T09:00:00",
                "memorandum_drafting",
                "Chamber of commerce drafting the economic annex.",
            ),
        ),
    ),
    DemoPairing(
        "koper",
        "mangystau",
        OFFICER,
        ("logistics", "economics-and-trade"),
        (
            DemoMove("2025-05-14T09:00:00", "prospect"),
            DemoMove("2025-08-19T09:00:00", "exploratory_talks", "Port authorities in contact."),
            DemoMove("2026-01-12T09:00:00", "agreement_in_principle"),
            DemoMove("2026-04-08T09:00:00", "memorandum_drafting"),
            DemoMove(
                "2026-06-30T09:00:00", "memorandum_review", "Ministry review of the port annex."
            ),
        ),
        target_signing_on="2026-12-01",
    ),
    DemoPairing(
        "kranj",
        "pavlodar",
        CONSUL,
        ("industry", "innovation-and-technology"),
        (
            DemoMove("2026-03-03T09:00:00", "prospect"),
            DemoMove("2026-05-11T09:00:00", "exploratory_talks"),
        ),
    ),
    DemoPairing(
        "novo_mesto",
        "east_kz",
        OFFICER,
        ("industry", "renewable-energy"),
        (DemoMove("2026-04-21T09:00:00", "prospect"),),
    ),
    DemoPairing(
        "ptuj",
        "turkistan",
        CONSUL,
        ("tourism", "culture", "agriculture"),
        (
            DemoMove("2025-09-09T09:00:00", "prospect"),
            DemoMove("2025-12-02T09:00:00", "exploratory_talks"),
            DemoMove(
                "2026-05-20T09:00:00", "agreement_in_principle", "Both councils voted in favour."
            ),
        ),
    ),
    DemoPairing(
        "stajerska",
        "almaty",
        OFFICER,
        ("economics-and-trade", "agriculture", "investment", "tourism"),
        (
            DemoMove(
                "2026-02-14T09:00:00",
                "prospect",
                "Follow-up to the meeting with the Štajerska Chamber of Commerce and Industry.",
            ),
            DemoMove("2026-04-16T09:00:00", "exploratory_talks"),
        ),
        summary="Trade and economic cooperation between the Štajerska region and Almaty.",
    ),
    DemoPairing(
        "nova_gorica",
        "shymkent",
        CONSUL,
        ("culture", "education"),
        (
            DemoMove("2025-10-01T09:00:00", "prospect"),
            DemoMove("2026-01-20T09:00:00", "exploratory_talks"),
            DemoMove(
                "2026-06-01T09:00:00", "on_hold", "Municipal elections; resume in the autumn."
            ),
        ),
    ),
    DemoPairing(
        "maribor",
        "aktobe",
        OFFICER,
        ("industry",),
        (
            DemoMove("2025-06-10T09:00:00", "prospect"),
            DemoMove("2025-10-10T09:00:00", "dropped", "Aktobe chose a partner in Germany."),
        ),
    ),
    DemoPairing(
        "graz",
        "almaty",
        CONSUL,
        ("innovation-and-technology", "education"),
        (
            DemoMove("2025-02-03T09:00:00", "prospect"),
            DemoMove("2025-05-05T09:00:00", "exploratory_talks"),
            DemoMove("2025-09-01T09:00:00", "agreement_in_principle"),
            DemoMove("2026-01-15T09:00:00", "memorandum_drafting"),
            DemoMove("2026-05-01T09:00:00", "memorandum_review"),
            DemoMove("2026-07-14T09:00:00", "memorandum_signed"),
        ),
    ),
    DemoPairing(
        "zagreb",
        "atyrau",
        OFFICER,
        ("renewable-energy", "industry"),
        (
            DemoMove("2026-06-02T09:00:00", "prospect"),
            DemoMove("2026-09-10T09:00:00", "exploratory_talks"),
        ),
    ),
    DemoPairing(
        "samarkand",
        "ljubljana",
        CONSUL,
        ("tourism", "culture"),
        (
            DemoMove("2025-03-01T09:00:00", "prospect"),
            DemoMove("2025-06-01T09:00:00", "exploratory_talks"),
            DemoMove("2025-11-01T09:00:00", "agreement_in_principle"),
            DemoMove("2026-02-01T09:00:00", "memorandum_drafting"),
            DemoMove(
                "2026-08-20T09:00:00",
                "agreement_in_principle",
                "Back a stage: the draft needs a new tourism annex.",
            ),
        ),
    ),
    DemoPairing(
        "bishkek",
        "maribor",
        OFFICER,
        ("education", "water-resources-management"),
        (DemoMove("2026-07-07T09:00:00", "prospect"),),
    ),
    DemoPairing(
        "dresden",
        "karaganda",
        CONSUL,
        ("industry", "innovation-and-technology"),
        (
            DemoMove("2024-05-01T09:00:00", "prospect"),
            DemoMove("2024-08-01T09:00:00", "exploratory_talks"),
            DemoMove("2024-12-01T09:00:00", "agreement_in_principle"),
            DemoMove("2025-04-01T09:00:00", "memorandum_drafting"),
            DemoMove("2025-08-01T09:00:00", "memorandum_review"),
            DemoMove("2025-10-15T09:00:00", "memorandum_signed"),
        ),
    ),
    DemoPairing(
        "izmir",
        "mangystau",
        OFFICER,
        ("logistics", "tourism"),
        (
            DemoMove("2026-01-05T09:00:00", "prospect"),
            DemoMove("2026-03-25T09:00:00", "exploratory_talks"),
            DemoMove("2026-08-01T09:00:00", "agreement_in_principle"),
            DemoMove("2026-10-12T09:00:00", "memorandum_drafting"),
        ),
    ),
    DemoPairing(
        "tbilisi",
        "almaty",
        CONSUL,
        ("culture", "tourism"),
        (
            DemoMove("2025-12-10T09:00:00", "prospect"),
            DemoMove("2026-03-15T09:00:00", "exploratory_talks"),
            DemoMove("2026-09-01T09:00:00", "on_hold", "Waiting for the new city budget."),
        ),
    ),
    DemoPairing(
        "krakow",
        "astana",
        OFFICER,
        ("education", "innovation-and-technology"),
        (
            DemoMove("2026-02-20T09:00:00", "prospect"),
            DemoMove("2026-05-28T09:00:00", "exploratory_talks"),
            DemoMove("2026-09-30T09:00:00", "agreement_in_principle"),
        ),
    ),
    DemoPairing(
        "brno",
        "pavlodar",
        CONSUL,
        ("industry", "education"),
        (DemoMove("2026-08-18T09:00:00", "prospect"),),
    ),
    DemoPairing(
        "pecs",
        "turkistan",
        OFFICER,
        ("culture", "ecology-and-sustainable-development"),
        (
            DemoMove("2025-07-07T09:00:00", "prospect"),
            DemoMove("2025-10-07T09:00:00", "exploratory_talks"),
            DemoMove("2026-02-07T09:00:00", "agreement_in_principle"),
            DemoMove("2026-06-07T09:00:00", "memorandum_drafting"),
            DemoMove("2026-10-07T09:00:00", "memorandum_review"),
        ),
        target_signing_on="2027-01-20",
    ),
    DemoPairing(
        "trieste",
        "koper",
        CONSUL,
        ("logistics", "tourism", "water-resources-management"),
        (DemoMove("2026-10-20T09:00:00", "prospect"),),
    ),
    DemoPairing(
        "novi_sad",
        "east_kz",
        OFFICER,
        ("agriculture", "water-resources-management"),
        (
            DemoMove("2025-11-11T09:00:00", "prospect"),
            DemoMove("2026-04-04T09:00:00", "exploratory_talks"),
            DemoMove(
                "2026-07-04T09:00:00", "dropped", "No response from the regional administration."
            ),
            DemoMove("2026-10-02T09:00:00", "open", "Reopened after a new governor was appointed."),
        ),
    ),
)

PAIRINGS = (MARIBOR_KYZYLORDA, *OTHER_PAIRINGS)


# Contacts, meetings and follow-up tasks of the Maribor – Kyzylorda case (shared/domain.md).


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    country: str
    city: str
    website: str = ""


ORGANISATIONS = (
    DemoOrganisation("maribor_city", "Mestna občina Maribor", "city_hall", "SI", "Maribor"),
    DemoOrganisation(
        "kz_embassy", "Embassy of Kazakhstan in Slovenia", "embassy", "SI", "Ljubljana"
    ),
    DemoOrganisation(
        "honorary_consulate",
        "Honorary Consulate of Kazakhstan in Maribor",
        "consulate",
        "SI",
        "Maribor",
    ),
    DemoOrganisation(
        "stajerska_chamber",
        "Štajerska Chamber of Commerce and Industry",
        "chamber_of_commerce",
        "SI",
        "Maribor",
    ),
    DemoOrganisation(
        "kyzylorda_akimat",
        "Akimat of the Kyzylorda Region",
        "regional_administration",
        "KZ",
        "Kyzylorda",
    ),
)


@dataclass(frozen=True)
class DemoPerson:
    key: str
    full_name: str
    position: str
    organisation: str
    side: str  # on Maribor – Kyzylorda: "a" (Maribor), "b" (Kyzylorda) or "facilitator"
    role: str
    country: str
    language: str = ""


PEOPLE = (
    DemoPerson(
        "ambassador",
        "Altay Abibullayev",
        "Ambassador of Kazakhstan to Slovenia",
        "kz_embassy",
        "b",
        "ambassador",
        "KZ",
        "Kazakh, Russian, English",
    ),
    DemoPerson(
        "mayor",
        "Aleksander Saša Arsenovič",
        "Mayor of Maribor",
        "maribor_city",
        "a",
        "mayor",
        "SI",
        "Slovenian, English",
    ),
    # The news item names no one at the consulate or the chamber: the demo records their offices.
    DemoPerson(
        "consulate_office",
        "Office of the Honorary Consul of Kazakhstan",
        "Honorary consul's office",
        "honorary_consulate",
        "facilitator",
        "honorary consul",
        "SI",
        "Slovenian, Russian",
    ),
    DemoPerson(
        "chamber_leadership",
        "Leadership of the Štajerska Chamber",
        "President's office",
        "stajerska_chamber",
        "a",
        "chamber of commerce liaison",
        "SI",
        "Slovenian, English",
    ),
)


@dataclass(frozen=True)
class DemoActivity:
    kind: str
    on: str  # ISO date-time in UTC
    place: str
    participants: tuple[str, ...]
    summary: str


ACTIVITIES = (
    DemoActivity(
        "meeting",
        "2026-02-13T09:00:00",
        "Maribor City Hall",
        ("ambassador", "mayor", "consulate_office"),
        "Ambassador Altay Abibullayev met Mayor Aleksander Saša Arsenovič. Agreement in principle "
        "to set up interregional cooperation between the city of Maribor and the Kyzylorda "
        "Region, in economics, urban infrastructure, water resources management, education, "
        "culture and sustainable development. Organised with the help of the Honorary Consulate "
        "of Kazakhstan in Maribor.",
    ),
    DemoActivity(
        "meeting",
        "2026-02-13T12:30:00",
        "Štajerska Chamber of Commerce and Industry, Maribor",
        ("ambassador", "chamber_leadership"),
        "Meeting with the leadership of the Štajerska Chamber of Commerce and Industry: trade "
        "and economic cooperation between Kazakhstan and the Štajerska region, agricultural "
        "processing, ecology, attracting investment and foreign tourists, Slovenian companies "
        "entering the markets of Kazakhstan and Central Asia. Priority sectors presented: "
        "industry, logistics, agriculture, renewable energy sources, innovative technologies.",
    ),
)


@dataclass(frozen=True)
class DemoTask:
    title: str
    assignee: str  # a demo user's e-mail
    due_in_days: int | None  # from the day the demo is loaded; negative means overdue
    priority: str = "normal"
    description: str = ""


TASKS = (
    DemoTask(
        "Draft the memorandum of understanding",
        OFFICER,
        -3,
        "high",
        "First draft in English, then Slovenian and Kazakh; send to both legal services.",
    ),
    DemoTask("Identify water-management contacts in Kyzylorda", CONSUL, -1, "high"),
    DemoTask(
        "Send the chamber's list of Slovenian companies interested in Central Asia",
        OFFICER,
        2,
    ),
    DemoTask("Propose dates for a Kyzylorda delegation to Maribor", OFFICER, 12),
    DemoTask("Thank the Honorary Consulate for organising the visit", CONSUL, None, "low"),
)
