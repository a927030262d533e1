"""Every output of the weekly report, each drawn from the one computed `WeeklyReport`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import GeneratorType
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import gettext, lazy_gettext, ngettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from crm.formula_guard import Cell, neutralise
from crm.presentation import datetime_in
from crm.reports.charts import funnel_svg, moves_svg
from crm.reports.weekly import PairingRef, WeeklyReport

UTF8_BOM = "\ufeff"


@dataclass(frozen=True)
class Section:
    key: str
    # The sheet's name and the column headings, in the reader's language when they are read.
    title: LazyString
    header: tuple[LazyString, ...]
    rows: Callable[[WeeklyReport, ZoneInfo], Iterable[tuple[Cell, ...]]]

    @property
    def headings(self) -> list[str]:
        return [str(heading) for heading in self.header]


def _local(report: WeeklyReport, zone: ZoneInfo) -> Callable[[Any], str]:
    """Times in the spreadsheets: sortable, the same in every language."""
    return lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _local_text(zone: ZoneInfo) -> Callable[[Any], str]:
    """Times for people (the page, the PDF, the e-mail): the report's zone, the reader's locale,
    "13 Feb 2026, 10:00"."""

    def shown(moment: Any) -> str:
        return "" if moment is None else datetime_in(moment, zone)

    return shown


class PairingTitles:
    """A report row's pairing as HTML: its title, linked to its page when there is `link`.

    Python rather than a Jinja macro: the page shows some 1,600 of them, and a macro's call
    (a new context, its arguments checked) costs ten times this.
    """

    def __init__(self, link: Callable[[int], str] | None) -> None:
        self._link = link

    def __call__(self, ref: PairingRef) -> Markup:
        title = escape(ref.title)
        if self._link is None:
            return title
        # An f-string of escaped values: Markup.format runs a formatter written in Python.
        return Markup(f'<a href="{escape(self._link(ref.id))}">{title}</a>')  # noqa: S704


_l = lazy_gettext


SECTIONS = (
    Section(
        "headline",
        _l("Headline figures"),
        (_l("figure"), _l("this week"), _l("week before"), _l("change")),
        lambda r, z: ((f.label, f.value, f.previous, f.change) for f in r.headline),
    ),
    Section(
        "funnel",
        _l("Open pairings by stage"),
        (_l("stage"), _l("open"), _l("week before"), _l("on hold")),
        lambda r, z: ((f.stage_name, f.open, f.previous_open, f.on_hold) for f in r.funnel),
    ),
    Section(
        "moves",
        _l("What moved"),
        (
            _l("when"),
            _l("pairing id"),
            _l("pairing"),
            _l("what"),
            _l("from"),
            _l("to"),
            _l("by"),
            _l("note"),
        ),
        lambda r, z: (
            (
                _local(r, z)(m.at),
                m.pairing.id,
                m.pairing.title,
                m.kind_label,
                m.from_stage or "",
                m.to_stage,
                m.by,
                m.note,
            )
            for m in r.rows.moves()
        ),
    ),
    Section(
        "signed",
        _l("Memoranda signed"),
        (_l("when"), _l("pairing id"), _l("pairing"), _l("by")),
        lambda r, z: (
            (_local(r, z)(m.at), m.pairing.id, m.pairing.title, m.by) for m in r.rows.signed()
        ),
    ),
    Section(
        "events",
        _l("Meetings and visits"),
        (
            _l("when"),
            _l("pairing id"),
            _l("pairing"),
            _l("what"),
            _l("where"),
            _l("who"),
            _l("summary"),
        ),
        lambda r, z: (
            (
                _local(r, z)(e.at),
                e.pairing.id,
                e.pairing.title,
                e.kind_label,
                e.place,
                ", ".join(e.participants),
                e.summary,
            )
            for e in r.rows.events()
        ),
    ),
    Section(
        "tasks_completed",
        _l("Tasks completed"),
        (
            _l("task id"),
            _l("task"),
            _l("pairing id"),
            _l("pairing"),
            _l("completed by"),
            _l("completed at"),
        ),
        lambda r, z: (
            (
                t.id,
                t.title,
                t.pairing.id,
                t.pairing.title,
                t.completed_by,
                _local(r, z)(t.completed_at),
            )
            for t in r.rows.tasks("completed")
        ),
    ),
    Section(
        "tasks_overdue",
        _l("Tasks overdue"),
        (_l("assignee"), _l("task id"), _l("task"), _l("pairing id"), _l("pairing"), _l("due")),
        lambda r, z: (
            (
                t.assignee,
                t.id,
                t.title,
                t.pairing.id,
                t.pairing.title,
                t.due_on.isoformat() if t.due_on else "",
            )
            for t in r.rows.tasks("overdue")
        ),
    ),
    Section(
        "tasks_due_next_week",
        _l("Tasks due next week"),
        (_l("due"), _l("task id"), _l("task"), _l("pairing id"), _l("pairing"), _l("assignee")),
        lambda r, z: (
            (
                t.due_on.isoformat() if t.due_on else "",
                t.id,
                t.title,
                t.pairing.id,
                t.pairing.title,
                t.assignee,
            )
            for t in r.rows.tasks("due_next_week")
        ),
    ),
    Section(
        "stalled",
        _l("Stalled"),
        (_l("pairing id"), _l("pairing"), _l("stage"), _l("owner"), _l("since"), _l("days")),
        lambda r, z: (
            (s.pairing.id, s.pairing.title, s.stage, s.owner, _local(r, z)(s.since), s.days)
            for s in r.rows.stalled()
        ),
    ),
    Section(
        "by_sector",
        _l("By sector"),
        (_l("sector"), _l("open"), _l("moved"), _l("signed")),
        lambda r, z: ((b.label, b.open, b.moved, b.signed) for b in r.by_sector),
    ),
    Section(
        "by_country_pair",
        _l("By country pair"),
        (_l("countries"), _l("open"), _l("moved"), _l("signed")),
        lambda r, z: ((b.label, b.open, b.moved, b.signed) for b in r.rows.country_pairs()),
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)


def section(key: str) -> Section:
    for candidate in SECTIONS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def json_chunks(report: WeeklyReport) -> Iterator[str]:
    """The report as JSON for another program: the figures, and every row of every list (not
    only the first ones the page shows), written as the rows are read."""

    def pairing(ref: Any) -> dict[str, Any]:
        return {"id": ref.id, "title": ref.title}

    rows = report.rows
    document = {
        "week": str(report.week),
        "from": report.start.isoformat(),
        "until": report.end.isoformat(),
        "time_zone": report.time_zone,
        "generated_at": report.generated_at.isoformat(),
        "filters": {
            "owner_id": report.filters.owner_id,
            "sector": report.filters.sector or None,
            "country": report.filters.country or None,
        },
        "headline": {
            f.key: {"value": f.value, "previous": f.previous, "change": f.change}
            for f in report.headline
        },
        "funnel": [
            {
                "stage": f.stage_key,
                "name": f.stage_name,
                "open": f.open,
                "previous_open": f.previous_open,
                "on_hold": f.on_hold,
            }
            for f in report.funnel
        ],
        "totals": {
            "moves": report.moves_total,
            "signed": report.signed_total,
            "events": report.events_total,
            "tasks_completed": report.tasks_completed_total,
            "tasks_overdue": report.overdue_total,
            "tasks_due_next_week": report.due_next_week_total,
            "stalled": report.stalled_total,
        },
        "moves": (
            {
                "pairing": pairing(m.pairing),
                "at": m.at.isoformat(),
                "kind": m.kind,
                "from_stage": m.from_stage,
                "to_stage": m.to_stage,
                "by": m.by,
                "note": m.note,
            }
            for m in rows.moves()
        ),
        "signed": (pairing(m.pairing) for m in rows.signed()),
        "stalled": {
            "days": report.stalled_days,
            "total": report.stalled_total,
            "pairings": (
                {
                    **pairing(s.pairing),
                    "stage": s.stage,
                    "owner": s.owner,
                    "since": s.since.isoformat(),
                    "days": s.days,
                }
                for s in rows.stalled()
            ),
        },
        "events": (
            {
                "pairing": pairing(e.pairing),
                "at": e.at.isoformat(),
                "kind": e.kind,
                "place": e.place,
                "participants": list(e.participants),
                "summary": e.summary,
            }
            for e in rows.events()
        ),
        "tasks": {
            "completed": (task_json(t) for t in rows.tasks("completed")),
            # Every overdue task, by due date; how many each person has is beside them.
            "overdue": (task_json(t) for t in rows.tasks("overdue")),
            "overdue_by_assignee": [
                {"assignee": group.assignee, "total": group.total}
                for group in report.overdue_by_assignee
            ],
            "due_next_week": (task_json(t) for t in rows.tasks("due_next_week")),
        },
        "by_sector": [vars_of(b) for b in report.by_sector],
        "by_country_pair": (vars_of(b) for b in rows.country_pairs()),
    }
    return _buffered(_json_pieces(document))


def _json_pieces(value: Any) -> Iterator[str]:
    """JSON text for `value`, where a generator stands for a list to be written row by row."""
    if isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + json.dumps(key) + ":"
            yield from _json_pieces(item)
        yield "}"
    elif isinstance(value, GeneratorType):
        yield "["
        for index, item in enumerate(value):
            yield ("," if index else "") + json.dumps(item, ensure_ascii=False)
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False)


def _buffered(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """Pieces joined into chunks of about `size` characters: a response writes each chunk
    to the socket on its own, and a row apiece would be thousands of small writes."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


def task_json(task: Any) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "pairing": {"id": task.pairing.id, "title": task.pairing.title},
        "assignee": task.assignee,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        "completed_by": task.completed_by or None,
    }


def vars_of(row: Any) -> dict[str, Any]:
    return {"label": row.label, "open": row.open, "moved": row.moved, "signed": row.signed}


def csv_chunks(report: WeeklyReport, zone: ZoneInfo, section_key: str) -> Iterator[bytes]:
    """One section's rows, every one of them, UTF-8 with a BOM so that Excel reads the
    diacritics right; written as the rows are read."""
    chosen = section(section_key)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(chosen.headings)
        yield UTF8_BOM + buffer.getvalue()
        for row in chosen.rows(report, zone):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([neutralise(cell) for cell in row])
            yield buffer.getvalue()

    return (chunk.encode("utf-8") for chunk in _buffered(lines()))


def to_csv(report: WeeklyReport, zone: ZoneInfo, section_key: str) -> bytes:
    return b"".join(csv_chunks(report, zone, section_key))


def to_xlsx(report: WeeklyReport, zone: ZoneInfo) -> bytes:
    """A sheet per section, with every row. Text is written as text, never parsed as a formula.

    In constant-memory mode each row goes to a temporary file as it is written, so a sheet of
    175,000 overdue tasks does not sit in memory as cells.
    """
    import xlsxwriter  # only the downloads need it

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    for chosen in SECTIONS:
        sheet = workbook.add_worksheet(str(chosen.title)[:31])
        sheet.set_column(0, len(chosen.header) - 1, 22)
        sheet.write_row(0, 0, chosen.headings, bold)
        for index, row in enumerate(chosen.rows(report, zone), start=1):
            for column, cell in enumerate(row):
                value = neutralise(cell)
                if isinstance(value, int):
                    sheet.write_number(index, column, value)
                else:
                    sheet.write_string(index, column, value or "")
    workbook.close()
    return output.getvalue()


def document_html(report: WeeklyReport, zone: ZoneInfo) -> str:
    """A standalone HTML document (styles inside), for the PDF and the e-mail."""
    return render_template("reports/document.html", **template_context(report, zone))


def template_context(
    report: WeeklyReport, zone: ZoneInfo, pairing_link: Callable[[int], str] | None = None
) -> dict[str, Any]:
    """What `reports/_report.html` reads; `pairing_link` links each pairing to its page (the
    PDF and the e-mail have none)."""
    return {
        "report": report,
        "zone": zone,
        "local": _local_text(zone),
        "pairing": PairingTitles(pairing_link),
        "funnel_chart": funnel_svg(report),
        "moves_chart": moves_svg(report),
    }


def to_pdf(report: WeeklyReport, zone: ZoneInfo) -> bytes:
    from weasyprint import HTML  # loads Pango; only the PDF needs it

    return HTML(string=document_html(report, zone)).write_pdf()


def to_text(report: WeeklyReport, zone: ZoneInfo) -> str:
    """The plain-text part of the e-mail."""
    local = _local_text(zone)

    def move_line(m: Any) -> str:
        if m.from_stage and m.from_stage != m.to_stage:
            what = gettext(
                "%(what)s, %(from_stage)s → %(to_stage)s",
                what=m.kind_label,
                from_stage=m.from_stage,
                to_stage=m.to_stage,
            )
        else:
            what = m.kind_label
        line = gettext(
            "%(when)s %(pairing)s: %(what)s (%(by)s)",
            when=local(m.at),
            pairing=m.pairing.title,
            what=what,
            by=m.by,
        )
        line = f"{line} — {m.note}" if m.note else line
        return f"- {line}"

    def event_line(e: Any) -> str:
        if e.place:
            line = gettext(
                "%(when)s %(what)s: %(pairing)s, %(place)s",
                when=local(e.at),
                what=e.kind_label,
                pairing=e.pairing.title,
                place=e.place,
            )
        else:
            line = gettext(
                "%(when)s %(what)s: %(pairing)s",
                when=local(e.at),
                what=e.kind_label,
                pairing=e.pairing.title,
            )
        return f"- {line}"

    lines = [gettext("Twinning weekly status report: %(week)s", week=report.week.label), ""]
    lines += [
        gettext(
            "%(figure)s: %(value)d (week before: %(previous)d)",
            figure=f.label,
            value=f.value,
            previous=f.previous,
        )
        for f in report.headline
    ]
    lines += ["", gettext("What moved:")]
    lines += [move_line(m) for m in report.moves] or ["- " + gettext("nothing")]
    lines += more_line(len(report.moves), report.moves_total)
    lines += ["", gettext("Meetings, visits and signings:")]
    lines += [event_line(e) for e in report.events] or ["- " + gettext("none")]
    lines += more_line(len(report.events), report.events_total)
    lines += [
        "",
        gettext("Tasks completed: %(count)d", count=report.tasks_completed_total),
        gettext("Tasks overdue at the end of the week: %(count)d", count=report.overdue_total),
    ]
    lines += [f"- {group.assignee}: {group.total}" for group in report.overdue_by_assignee]
    lines += [gettext("Tasks due next week: %(count)d", count=report.due_next_week_total)]
    lines += [
        "",
        ngettext(
            "Stalled for %(num)d+ day: %(count)d",
            "Stalled for %(num)d+ days: %(count)d",
            report.stalled_days,
            count=report.stalled_total,
        ),
    ]
    lines += [
        "- "
        + ngettext(
            "%(pairing)s: %(stage)s, %(num)d day (%(owner)s)",
            "%(pairing)s: %(stage)s, %(num)d days (%(owner)s)",
            s.days,
            pairing=s.pairing.title,
            stage=s.stage,
            owner=s.owner,
        )
        for s in report.stalled
    ]
    lines += more_line(len(report.stalled), report.stalled_total)
    return "\n".join(lines) + "\n"


def more_line(shown: int, total: int) -> list[str]:
    """The line under a list that shows only its first rows (none when it shows them all)."""
    if total <= shown:
        return []
    return [
        ngettext(
            "%(num)d more — the full list is in the CSV and XLSX downloads.",
            "%(num)d more — the full list is in the CSV and XLSX downloads.",
            total - shown,
        )
    ]
