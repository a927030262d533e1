"""Error pages that say what happened in plain words and never show internals."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from crm.api.errors import error_response, is_api_request
from crm.db import session

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Log in first", "You need to log in to do that."),
    403: ("Not allowed", "Your account may not do that."),
    404: ("Not found", "There is nothing here. It may have been removed, or the link is wrong."),
    405: ("Not allowed", "That page cannot be used that way."),
    409: ("Changed meanwhile", "Someone changed this a moment ago. Reload and try again."),
    413: ("Too large", "What you sent is too large."),
    422: ("Cannot be processed", "Some of what you sent is not valid."),
    429: ("Slow down", "Too many attempts. Wait a little and try again."),
    500: ("Something went wrong", "The error was logged. Try again, or tell an administrator."),
}


def render_error(status: int, message: str | None = None) -> ResponseReturnValue:
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    if is_api_request():
        return error_response(status, message or default_message)
    if request.headers.get("HX-Request"):
        return render_template("errors/_message.html", message=message or default_message), status
    return (
        render_template(
            "errors/error.html", status=status, title=title, message=message or default_message
        ),
        status,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400, "The form had expired or came from elsewhere. Reload the page and try again."
        )

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError) -> ResponseReturnValue:
        # Two saves raced past the version check; the second one lost, and must not half-apply.
        session.rollback()
        return render_error(409)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        propagate = app.config["PROPAGATE_EXCEPTIONS"]
        if propagate or (propagate is None and app.testing):
            raise error
        return render_error(500)
