"""Which language and time zone a request speaks: the user's choice, else the browser's, else ours.

Flask-Babel asks these selectors once per request (and `force_locale` overrides them, as the
weekly e-mail does for each subscriber).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, support
from flask import Flask, current_app, has_request_context, request
from flask import session as cookie_session
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from crm.i18n import wtforms_messages
from crm.i18n.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    SOURCE_LANGUAGE,
    formatting_locale,
    is_language,
)

API_BLUEPRINT = "api"
if TYPE_CHECKING:
    from crm.auth.models import User

# Where a visitor who is not signed in keeps their choice (the login page has the switch too).
LANGUAGE_SESSION_KEY = "language"


def chosen_language() -> str:
    """The language code (en, sl, ru, kk) this request speaks."""
    if has_request_context():
        if request.blueprint == API_BLUEPRINT:
            # The JSON API is a contract for programs: English, whatever the client asks.
            return SOURCE_LANGUAGE
        if current_user and current_user.is_authenticated and is_language(current_user.language):
            return str(current_user.language)
        remembered = cookie_session.get(LANGUAGE_SESSION_KEY)
        if is_language(remembered):
            return str(remembered)
        best = request.accept_languages.best_match(list(LANGUAGES))
        if best:
            return best
    return deployment_language()


def locale_of(user: User) -> str:
    """The Babel locale to write to `user` in when they are not the one asking (an e-mail, a
    calendar feed): their choice, else the deployment's language."""
    language = user.language
    return formatting_locale(language if is_language(language) else deployment_language())


def deployment_language() -> str:
    configured = current_app.config.get("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE)
    return configured if is_language(configured) else DEFAULT_LANGUAGE


def current_locale() -> Locale | None:
    """Flask-Babel's `get_locale`, once the request has chosen its locale, with one look into
    the app context instead of four: a page asks a thousand times (every translated string,
    name, date and country). `force_locale` sets the same attribute, so it is seen here too.

    The app context is read from Flask's context variable, not through the `g` proxy, which
    costs a microsecond a look (werkzeug's proxy machinery): about a millisecond a page.
    """
    try:
        return _cv_app.get().g._flask_babel.babel_locale  # type: ignore[no-any-return]
    except (AttributeError, LookupError):  # not chosen yet, or no app context
        return get_locale()


def current_language() -> str:
    """The language of what is being rendered now, `force_locale` included."""
    locale = current_locale()
    return locale.language if locale is not None and is_language(locale.language) else "en"


def _select_locale() -> str:
    return formatting_locale(chosen_language())


def _select_time_zone() -> str:
    signed_in = has_request_context() and current_user and current_user.is_authenticated
    if signed_in and current_user.time_zone:
        return str(current_user.time_zone)
    return str(current_app.config["TIME_ZONE"])


def _escape_lazy_strings() -> None:
    """Make Jinja escape a `lazy_gettext` string like any other text.

    Flask-Babel's LazyString declares itself safe HTML (`__html__` returns the text as is), so a
    label such as "Give the person's full name" would reach the page unescaped, and so would a
    translation or a placeholder value holding `<` or `&`. Escaping is the default everywhere
    else in the app; lazy strings get no exception.
    """
    LazyString.__html__ = lambda self: str(escape(str(self)))  # type: ignore[method-assign]


class CatalogueByLocale(Domain):
    """Flask-Babel's message domain, with each language's catalogue found by the locale itself.

    Flask-Babel finds the catalogue again for every string it translates (the context, the
    domain, the locale, then the locale's name as text: about 10 µs), and a list page translates
    a few hundred labels. Here it is one look at the chosen locale and one dict hit;
    `force_locale` still works, because it changes the locale that is looked up.
    """

    def __init__(self, domain: str = "messages") -> None:
        super().__init__(domain=domain)
        self._by_locale: dict[tuple[str | None, ...], support.NullTranslations] = {}

    def get_translations(self) -> support.NullTranslations:
        locale = current_locale()
        if locale is None:  # no request or app context: Flask-Babel's own answer
            return super().get_translations()
        key = locale_key(locale)
        try:
            return self._by_locale[key]
        except KeyError:
            translations = self._by_locale[key] = super().get_translations()
            return translations


def locale_key(locale: Locale) -> tuple[str | None, ...]:
    """What tells locales apart, as a dict key: `str(locale)` builds the same from these parts
    at four times the cost, and a page looks up its catalogue a few hundred times."""
    return (locale.language, locale.territory, locale.script, locale.variant, locale.modifier)


def _install_catalogue_lookup(app: Flask, babel: Babel) -> None:
    domain = CatalogueByLocale(app.config.get("BABEL_DOMAIN", "messages"))
    # `domain_instance` is the Babel object's cached default domain: the one `gettext` uses.
    babel.domain_instance = domain  # type: ignore[misc]
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def missing_catalogues(app: Flask) -> list[str]:
    """The languages whose compiled catalogue (.mo) is missing: they would show English."""
    folder = Path(app.root_path) / app.config["BABEL_TRANSLATION_DIRECTORIES"]
    return [
        code
        for code in LANGUAGES
        if code != SOURCE_LANGUAGE and not (folder / code / "LC_MESSAGES" / "messages.mo").exists()
    ]


def _warn_of_missing_catalogues(app: Flask) -> None:
    # Flask-Babel falls back to English without a word; a deployment that skipped the build
    # step should hear of it at start, not from a Kazakh reader.
    missing = missing_catalogues(app)
    if missing:
        app.logger.error(
            "No compiled catalogue for %s: those readers get English. Run `make catalogues` "
            "(or `pybabel compile -d crm/translations`) before starting the app.",
            ", ".join(missing),
        )


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.config.setdefault("BABEL_DEFAULT_LOCALE", formatting_locale(DEFAULT_LANGUAGE))
    babel = Babel(app, locale_selector=_select_locale, timezone_selector=_select_time_zone)
    _install_catalogue_lookup(app, babel)
    # {% trans %} blocks span lines in templates; their msgids should not carry the indentation.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # Forms' built-in messages ("This field is required.") come from our catalogue, not from
    # WTForms' own, which lacks Slovenian (WTF_I18N_ENABLED is off in config.py).
    wtforms_messages.install()
    _escape_lazy_strings()
    _warn_of_missing_catalogues(app)

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"languages": LANGUAGES.values(), "current_language": current_language()}
