"""The base of the domain errors that services raise and views turn into messages."""

from __future__ import annotations

from collections.abc import Callable

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


class UnknownVersion(DomainError):
    """A version higher than the record's own: the record never had it, so no page or read gave
    it out. A tampered or broken request, which "someone changed this" (a 409) would misname."""

    def __init__(self) -> None:
        super().__init__(incomplete_form())


def check_version(
    current: int, expected: int, *, stale: Callable[[], StaleVersion] = StaleVersion
) -> None:
    """Optimistic locking's one rule, for every record that carries a version: `expected`, the
    version the change was made from, must be the record's `current` one. An earlier one is a
    page or read from before someone's change (`stale`, a 409); a later one never existed.

    A version only moves on, and a request reads the record after the page it posts was drawn,
    so nothing honest sends one ahead (`UnknownVersion`, a 4xx like a post without its version);
    but for a restore from a backup, which can put a record back at an earlier version under a
    page drawn before it: that page is then refused as broken rather than stale, and loading it
    again mends it all the same.
    """
    if expected > current:
        raise UnknownVersion()
    if expected < current:
        raise stale()


def incomplete_form() -> str:
    """What a form says of a hidden version missing, malformed or ahead of the record's: no page
    drew it so, the post was cut short or tampered with, and loading the page again mends it."""
    return gettext("This form arrived incomplete; load the page again and redo the change.")


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
