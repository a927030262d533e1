"""WTForms' built-in messages ("This field is required.") from our own catalogue.

Flask-WTF's i18n would load WTForms' own catalogues, which have Russian and Kazakh but no
Slovenian. Instead, WTF_I18N_ENABLED is off (config.py) and every form, Flask-WTF's and plain
WTForms' (a meeting's follow-up rows are a plain `Form` inside a `FormField`), asks
`DefaultMeta.get_translations`, which `install` points at `TRANSLATIONS`: a gettext/ngettext
pair that reads the catalogue of the request's language through Flask-Babel.

The msgids below are copied from wtforms/locale/wtforms.pot, so that `make translations`
extracts them into our catalogue: the messages the fields and validators our forms use can
produce. They are never evaluated here.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations, lazy_gettext, lazy_ngettext
from wtforms.meta import DefaultMeta

WTFORMS_MESSAGES = (
    # DataRequired, InputRequired, Flask-WTF's FileRequired
    lazy_gettext("This field is required."),
    # Length
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    lazy_gettext("Field must be between %(min)d and %(max)d characters long."),
    # EqualTo
    lazy_gettext("Field must be equal to %(other_name)s."),
    # NumberRange (the record's version, a hidden field)
    lazy_gettext("Number must be at least %(min)s."),
    lazy_gettext("Number must be at most %(max)s."),
    lazy_gettext("Number must be between %(min)s and %(max)s."),
    # SelectField, RadioField, SelectMultipleField
    lazy_gettext("Invalid Choice: could not coerce."),
    lazy_gettext("Not a valid choice."),
    lazy_gettext("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    # DateField, DateTimeField, IntegerField
    lazy_gettext("Not a valid date value."),
    lazy_gettext("Not a valid datetime value."),
    lazy_gettext("Not a valid integer value."),
)


class BabelTranslations:
    """The object WTForms asks for messages: our catalogue, in the request's language.

    No formatting here: WTForms fills in %(min)d and the like itself, so Flask-Babel's
    `ngettext` (which formats with `num`) is not used, only the catalogue's lookups.
    """

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ungettext(singular, plural, n))


TRANSLATIONS = BabelTranslations()


def _get_translations(meta: DefaultMeta, form: Any) -> BabelTranslations:
    return TRANSLATIONS


def install() -> None:
    """Every WTForms form, Flask-WTF's included (with WTF_I18N_ENABLED off, its Meta defers to
    DefaultMeta), takes its built-in messages from `TRANSLATIONS`. Idempotent."""
    DefaultMeta.get_translations = _get_translations  # type: ignore[method-assign]
