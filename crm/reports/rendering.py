"""Every output of the weekly report, each drawn from the one computed `WeeklyReport`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template

from crm.reports.charts import funnel_svg, moves_svg
from crm.reports.weekly import WeeklyReport

# A spreadsheet would run a cell that starts like a formula; a leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"

Cell = str | int | None


def neutralise(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    header: tuple[str, ...]
    rows: Callable[[WeeklyReport, ZoneInfo], Iterable[tuple[Cell, ...]]]


def _local(report: WeeklyReport, zone: ZoneInfo) -> Callable[[Any], str]:
    return lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


SECTIONS = (
    Section(
        "headline",
        "Headline figures",
        ("figure", "this week", "week before", "change"),
        lambda r, z: ((f.label, f.value, f.previous, f.change) for f in r.headline),
    ),
    Section(
        "funnel",
        "Open pairings by stage",
        ("stage", "open", "week before", "on hold"),
        lambda r, z: ((f.stage_name, f.open, f.previous_open, f.on_hold) for f in r.funnel),
    ),
    Section(
        "moves",
        "What moved",
        ("when", "pairing id", "pairing", "what", "from", "to", "by", "note"),
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
            for m in r.moves
        ),
    ),
    Section(
        "signed",
        "Memoranda signed",
        ("when", "pairing id", "pairing", "by"),
        lambda r, z: ((_local(r, z)(m.at), m.pairing.id, m.pairing.title, m.by) for m in r.signed),
    ),
    Section(
        "events",
        "Meetings and visits",
        ("when", "pairing id", "pairing", "what", "where", "who", "summary"),
        lambda r, z: (
            (
                _local(r, z)(e.at),
                e.pairing.id,
                e.pairing.title,
                e.kind,
                e.place,
                ", ".join(e.participants),
                e.summary,
            )
            for e in r.events
        ),
    ),
    Section(
        "tasks_completed",
        "Tasks completed",
        ("task id", "task", "pairing id", "pairing", "completed by", "completed at"),
        lambda r, z: (
            (
                t.id,
                t.title,
                t.pairing.id,
                t.pairing.title,
                t.completed_by,
                _local(r, z)(t.completed_at),
            )
            for t in r.tasks_completed
        ),
    ),
    Section(
        "tasks_overdue",
        "Tasks overdue",
        ("assignee", "task id", "task", "pairing id", "pairing", "due"),
        lambda r, z: (
            (
                t.assignee,
                t.id,
                t.title,
                t.pairing.id,
                t.pairing.title,
                t.due_on.isoformat() if t.due_on else "",
            )
            for group in r.overdue_by_assignee
            for t in group.tasks
        ),
    ),
    Section(
        "tasks_due_next_week",
        "Tasks due next week",
        ("due", "task id", "task", "pairing id", "pairing", "assignee"),
        lambda r, z: (
            (
                t.due_on.isoformat() if t.due_on else "",
                t.id,
                t.title,
                t.pairing.id,
                t.pairing.title,
                t.assignee,
            )
            for t in r.due_next_week
        ),
    ),
    Section(
        "stalled",
        "Stalled",
        ("pairing id", "pairing", "stage", "owner", "since", "days"),
        lambda r, z: (
            (s.pairing.id, s.pairing.title, s.stage, s.owner, _local(r, z)(s.since), s.days)
            for s in r.stalled
        ),
    ),
    Section(
        "by_sector",
        "By sector",
        ("sector", "open", "moved", "signed"),
        lambda r, z: ((b.label, b.open, b.moved, b.signed) for b in r.by_sector),
    ),
    Section(
        "by_country_pair",
        "By country pair",
        ("countries", "open", "moved", "signed"),
        lambda r, z: ((b.label, b.open, b.moved, b.signed) for b in r.by_country_pair),
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)


def section(key: str) -> Section:
    for candidate in SECTIONS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def to_json(report: WeeklyReport) -> dict[str, Any]:
    """Plain figures another program can read; each section lists its pairings by id and title."""

    def pairing(ref: Any) -> dict[str, Any]:
        return {"id": ref.id, "title": ref.title}

    return {
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
        "moves": [
            {
                "pairing": pairing(m.pairing),
                "at": m.at.isoformat(),
                "kind": m.kind,
                "from_stage": m.from_stage,
                "to_stage": m.to_stage,
                "by": m.by,
                "note": m.note,
            }
            for m in report.moves
        ],
        "signed": [pairing(m.pairing) for m in report.signed],
        "stalled": {
            "days": report.stalled_days,
            "total": report.stalled_total,
            "pairings": [
                {
                    **pairing(s.pairing),
                    "stage": s.stage,
                    "owner": s.owner,
                    "since": s.since.isoformat(),
                    "days": s.days,
                }
                for s in report.stalled
            ],
        },
        "events": [
            {
                "pairing": pairing(e.pairing),
                "at": e.at.isoformat(),
                "kind": e.kind,
                "place": e.place,
                "participants": list(e.participants),
                "summary": e.summary,
            }
            for e in report.events
        ],
        "tasks": {
            "completed": [task_json(t) for t in report.tasks_completed],
            "overdue": [
                {"assignee": group.assignee, "tasks": [task_json(t) for t in group.tasks]}
                for group in report.overdue_by_assignee
            ],
            "due_next_week": [task_json(t) for t in report.due_next_week],
        },
        "by_sector": [vars_of(b) for b in report.by_sector],
        "by_country_pair": [vars_of(b) for b in report.by_country_pair],
    }


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


def to_csv(report: WeeklyReport, zone: ZoneInfo, section_key: str) -> bytes:
    """One section's rows, UTF-8 with a BOM so that Excel reads the diacritics right."""
    chosen = section(section_key)
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow(chosen.header)
    for row in chosen.rows(report, zone):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(report: WeeklyReport, zone: ZoneInfo) -> bytes:
    """A sheet per section. Text is written as text, never parsed as a formula."""
    import xlsxwriter  # only the downloads need it

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    for chosen in SECTIONS:
        sheet = workbook.add_worksheet(chosen.title[:31])
        sheet.write_row(0, 0, chosen.header, bold)
        for index, row in enumerate(chosen.rows(report, zone), start=1):
            for column, cell in enumerate(row):
                value = neutralise(cell)
                if isinstance(value, int):
                    sheet.write_number(index, column, value)
                else:
                    sheet.write_string(index, column, value or "")
        sheet.set_column(0, len(chosen.header) - 1, 22)
    workbook.close()
    return output.getvalue()


def document_html(report: WeeklyReport, zone: ZoneInfo) -> str:
    """A standalone HTML document (styles inside), for the PDF and the e-mail."""
    return render_template("reports/document.html", **template_context(report, zone))


def template_context(report: WeeklyReport, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "report": report,
        "zone": zone,
        "local": _local(report, zone),
        "funnel_chart": funnel_svg(report),
        "moves_chart": moves_svg(report),
    }


def to_pdf(report: WeeklyReport, zone: ZoneInfo) -> bytes:
    from weasyprint import HTML  # loads Pango; only the PDF needs it

    return HTML(string=document_html(report, zone)).write_pdf()


def to_text(report: WeeklyReport, zone: ZoneInfo) -> str:
    """The plain-text part of the e-mail."""
    local = _local(report, zone)
    lines = [f"Twinning weekly status report: {report.week.label}", ""]
    lines += [f"{f.label}: {f.value} (week before: {f.previous})" for f in report.headline]
    lines += ["", "What moved:"]
    lines += [
        f"- {local(m.at)} {m.pairing.title}: {m.kind_label}"
        + (
            f", {m.from_stage} → {m.to_stage}"
            if m.from_stage and m.from_stage != m.to_stage
            else ""
        )
        + f" ({m.by})"
        + (f" — {m.note}" if m.note else "")
        for m in report.moves
    ] or ["- nothing"]
    lines += ["", "Meetings, visits and signings:"]
    lines += [
        f"- {local(e.at)} {e.kind}: {e.pairing.title}" + (f", {e.place}" if e.place else "")
        for e in report.events
    ] or ["- none"]
    lines += [
        "",
        f"Tasks completed: {len(report.tasks_completed)}",
        f"Tasks overdue at the end of the week: {report.overdue_total}",
    ]
    lines += [f"- {group.assignee}: {len(group.tasks)}" for group in report.overdue_by_assignee]
    lines += [f"Tasks due next week: {len(report.due_next_week)}"]
    lines += ["", f"Stalled for {report.stalled_days}+ days: {report.stalled_total}"]
    lines += [f"- {s.pairing.title}: {s.stage}, {s.days} days ({s.owner})" for s in report.stalled]
    return "\n".join(lines) + "\n"
