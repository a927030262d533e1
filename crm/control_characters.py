"""Control characters, which iCalendar and vCard forbid in their text but a form may carry in."""

from __future__ import annotations

import re

# C0 controls and DEL, but tab, line feed and carriage return: the serialisers escape or use
# those themselves.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(text: str) -> str:
    """`text` without the control characters a strict calendar or address book refuses."""
    return _FORBIDDEN.sub("", text)
