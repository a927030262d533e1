"""Error pages that say what happened in plain words and never show internals."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, lazy_gettext
from flask_babel.speaklater import LazyString
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from crm.api.errors import error_response, is_api_request
from crm.db import session
from crm.security import FormTooLarge

_ = lazy_gettext

# Lazy: each is read in the language of the page that shows it (the API's in English).
MESSAGES = {
    400: (_("Bad request"), _("The request could not be understood.")),
    401: (_("Log in first"), _("You need to log in to do that.")),
    403: (_("Not allowed"), _("Your account may not do that.")),
    404: (
        _("Not found"),
        _("There is nothing here. It may have been removed, or the link is wrong."),
    ),
    405: (_("Not allowed"), _("That page cannot be used that way.")),
    409: (_("Changed meanwhile"), _("Someone changed this a moment ago. Reload and try again.")),
    413: (_("Too large"), _("What you sent is too large.")),
    422: (_("Cannot be processed"), _("Some of what you sent is not valid.")),
    429: (_("Slow down"), _("Too many attempts. Wait a little and try again.")),
    500: (
        _("Something went wrong"),
        _("The error was logged. Try again, or tell an administrator."),
    ),
}
CSRF_MESSAGE = _("The form had expired or came from elsewhere. Reload the page and try again.")


def render_error(status: int, message: str | LazyString | None = None) -> ResponseReturnValue:
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    if is_api_request():
        # The JSON API speaks English, by decision: a lazy message is read in English here.
        with force_locale("en"):
            return error_response(status, str(message or default_message))
    text = str(message or default_message)
    if request.headers.get("HX-Request"):
        return render_template("errors/_message.html", message=text), status
    return (
        render_template("errors/error.html", status=status, title=str(title), message=text),
        status,
    )


def _message_given(error: HTTPException) -> str | None:
    """What `abort(400, message)` said was wrong. Werkzeug's stock descriptions (English, about
    "the browser or proxy") give way to ours."""
    stock = {vars(klass).get("description") for klass in type(error).__mro__}
    return None if error.description in stock else error.description


def api_message(error: HTTPException) -> str:
    """What the API says for an HTTP error: what `abort()` said, else the app's own words in
    English (the API's language, README: Languages), not werkzeug's stock description."""
    given = _message_given(error)
    if given:
        return given
    # A program sending the body can cut it to size: the limit is what it needs to know, and
    # which limit it was (werkzeug's 413 is the same for all three).
    if isinstance(error, FormTooLarge) and error.parts is not None:
        return f"The multipart form has more than {error.parts:,} parts."
    if isinstance(error, FormTooLarge) and error.field_bytes is not None:
        size = _size(error.field_bytes)
        return f"A field of the multipart form is larger than the limit of {size}."
    limit = request.max_content_length
    if isinstance(error, RequestEntityTooLarge) and limit:
        return f"The request body is larger than the limit of {_size(limit)}."
    if error.code in MESSAGES:
        with force_locale("en"):
            return str(MESSAGES[error.code][1])
    return error.description or ""


def _size(limit: int) -> str:
    megabytes, rest = divmod(limit, 2**20)
    return f"{limit:,} bytes" if rest else f"{megabytes} MB"  # never "1.90735 MB"


def protocol_headers(error: HTTPException) -> dict[str, str]:
    """The headers HTTP asks for with this status (Allow with a 405, Retry-After with a 429) as
    werkzeug gives them: our page or JSON replaces werkzeug's body, which must not drop them."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError) -> ResponseReturnValue:
        # Two saves raced past the version check; the second one lost, and must not half-apply.
        session.rollback()
        return render_error(409)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        response = app.make_response(render_error(error.code or 500, _message_given(error)))
        response.headers.update(protocol_headers(error))
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        propagate = app.config["PROPAGATE_EXCEPTIONS"]
        if propagate or (propagate is None and app.testing):
            raise error
        return render_error(500)
