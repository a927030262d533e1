"""Small SVG charts drawn on the server: no chart library, nothing loaded at run time, and the
same markup reads in the browser, the PDF and the e-mail."""

from __future__ import annotations

from flask_babel import gettext
from markupsafe import Markup, escape

from crm.reports.weekly import WeeklyReport

BAR_HEIGHT = 22
GAP = 8
# The label column fits the longest label (stage names run long in Kazakh and Slovenian), between
# these bounds; a label longer still is squeezed to fit rather than cut off.
MIN_LABEL_WIDTH = 190
MAX_LABEL_WIDTH = 360
# DejaVu Sans at 12 px averages under 7 px a letter, but a browser may draw the labels in a wider
# sans-serif (Cyrillic capitals most): 8 px a letter keeps the longest inside the chart.
LETTER_WIDTH = 8
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
    left = _label_width([row.stage_name for row in report.funnel])
    parts = [
        _svg_open(
            height,
            left,
            gettext("Open pairings by stage at the end of the week, with the week before"),
        )
    ]
    for index, row in enumerate(report.funnel):
        y = GAP + index * (BAR_HEIGHT + GAP)
        parts.append(_label(row.stage_name, y, left))
        parts.append(_bar(y, row.open, largest, COLOURS["open"], BAR_HEIGHT - 8, left))
        parts.append(
            _bar(y + BAR_HEIGHT - 7, row.previous_open, largest, COLOURS["previous"], 5, left)
        )
        shown = gettext("%(open)d (was %(previous)d)", open=row.open, previous=row.previous_open)
        parts.append(_value(y, row.open, largest, shown, left))
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
    left = _label_width([label for label, _, _ in values])
    parts = [_svg_open(height, left, gettext("Moves this week"))]
    for index, (label, value, colour) in enumerate(values):
        y = GAP + index * (BAR_HEIGHT + GAP)
        parts.append(_label(label, y, left))
        parts.append(_bar(y, value, largest, colour, BAR_HEIGHT - 4, left))
        parts.append(_value(y, value, largest, str(value), left))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def _label_width(labels: list[str]) -> int:
    longest = max((len(label) for label in labels), default=0)
    return max(MIN_LABEL_WIDTH, min(MAX_LABEL_WIDTH, longest * LETTER_WIDTH + 16))


def _svg_open(height: int, label_width: int, title: str) -> str:
    width = label_width + BAR_AREA + 120
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>"
    )


def _label(text: str, y: int, label_width: int) -> str:
    room = label_width - 12
    squeeze = (
        f' textLength="{room}" lengthAdjust="spacingAndGlyphs"'
        if len(text) * LETTER_WIDTH > room
        else ""
    )
    return (
        f'<text x="{label_width - 8}" y="{y + BAR_HEIGHT / 2 + 4}" text-anchor="end"{squeeze} '
        f'fill="#1c2430">{escape(text)}</text>'
    )


def _bar(y: float, value: int, largest: int, colour: str, height: float, left: int) -> str:
    width = 0 if value == 0 else max(2, round(BAR_AREA * value / largest))
    return f'<rect x="{left}" y="{y}" width="{width}" height="{height}" fill="{colour}" rx="2"/>'


def _value(y: int, value: int, largest: int, text: str, left: int) -> str:
    x = left + (0 if value == 0 else max(2, round(BAR_AREA * value / largest))) + 6
    return f'<text x="{x}" y="{y + BAR_HEIGHT / 2 + 4}" fill="#1c2430">{escape(text)}</text>'
