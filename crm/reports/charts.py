"""Small SVG charts drawn on the server: no chart library, nothing loaded at run time, and the
same markup reads in the browser, the PDF and the e-mail."""

from __future__ import annotations

from flask_babel import gettext
from markupsafe import Markup, escape

from crm.reports.weekly import WeeklyReport

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
BAR_AREA = 300
COLOURS = {
    "open": "#0b5cad",
    "previous": "#9db8d9",
    "forward": "#1f7a3a",
    "back": "#8a5a00",
    "signed": "#12263f",
}


def funnel_svg(report: WeeklyReport) -> Markup:
    """A bar per stage: open pairings at the end of the week; a thin one for the week before."""
    largest = max(
        [row.open for row in report.funnel] + [row.previous_open for row in report.funnel] + [1]
    )
    height = len(report.funnel) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        _svg_open(
            height,
            gettext("Open pairings by stage at the end of the week, with the week before"),
        )
    ]
    for index, row in enumerate(report.funnel):
        y = GAP + index * (BAR_HEIGHT + GAP)
        parts.append(_label(row.stage_name, y))
        parts.append(_bar(y, row.open, largest, COLOURS["open"], BAR_HEIGHT - 8))
        parts.append(_bar(y + BAR_HEIGHT - 7, row.previous_open, largest, COLOURS["previous"], 5))
        shown = gettext("%(open)d (was %(previous)d)", open=row.open, previous=row.previous_open)
        parts.append(_value(y, row.open, largest, shown))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def moves_svg(report: WeeklyReport) -> Markup:
    """The week's moves: forward, back, signed, on hold, dropped."""
    values = [
        (figure.label, figure.value, COLOURS.get(figure.key, "#5a6472"))
        for figure in report.headline
        if figure.key != "open"
    ]
    largest = max([value for _, value, _ in values] + [1])
    height = len(values) * (BAR_HEIGHT + GAP) + GAP
    parts = [_svg_open(height, gettext("Moves this week"))]
    for index, (label, value, colour) in enumerate(values):
        y = GAP + index * (BAR_HEIGHT + GAP)
        parts.append(_label(label, y))
        parts.append(_bar(y, value, largest, colour, BAR_HEIGHT - 4))
        parts.append(_value(y, value, largest, str(value)))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def _svg_open(height: int, title: str) -> str:
    width = LABEL_WIDTH + BAR_AREA + 120
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>"
    )


def _label(text: str, y: int) -> str:
    return (
        f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT / 2 + 4}" text-anchor="end" '
        f'fill="#1c2430">{escape(text)}</text>'
    )


def _bar(y: float, value: int, largest: int, colour: str, height: float) -> str:
    width = 0 if value == 0 else max(2, round(BAR_AREA * value / largest))
    return (
        f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{height}" '
        f'fill="{colour}" rx="2"/>'
    )


def _value(y: int, value: int, largest: int, text: str) -> str:
    x = LABEL_WIDTH + (0 if value == 0 else max(2, round(BAR_AREA * value / largest))) + 6
    return f'<text x="{x}" y="{y + BAR_HEIGHT / 2 + 4}" fill="#1c2430">{escape(text)}</text>'
