"""The base of the domain errors that services raise and views turn into messages."""

from __future__ import annotations

from flask_babel import gettext, ngettext


class DomainError(Exception):
    """A rule of the domain refused a change. `field` names the form field it concerns, if any."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleVersion(DomainError):
    """The record changed since the user loaded it; saving would overwrite someone's work."""

    status_code = 409

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or gettext(
                "Someone changed this record a moment ago; here is what it is now. "
                "Check it and make your change again."
            )
        )


# The length limits shared by several records: one wording, one msgid, one place.
def name_too_long(limit: int) -> str:
    return ngettext(
        "A name can be at most %(num)d character.",
        "A name can be at most %(num)d characters.",
        limit,
    )


def title_too_long(limit: int) -> str:
    return ngettext(
        "A title can be at most %(num)d character.",
        "A title can be at most %(num)d characters.",
        limit,
    )
