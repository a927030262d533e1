"""The language switch in the header: a POST, so a link can never change someone's language."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext, refresh
from flask_login import current_user

from crm.db import session
from crm.error_pages import render_error
from crm.i18n.languages import is_language
from crm.i18n.locale import LANGUAGE_SESSION_KEY
from crm.navigation import safe_local_path

bp = Blueprint("i18n", __name__)


@bp.post("/language")
def switch() -> ResponseReturnValue:
    language = request.form.get("language", "")
    if not is_language(language):
        return render_error(400, gettext("Choose one of the languages offered."))
    cookie_session[LANGUAGE_SESSION_KEY] = language
    if current_user.is_authenticated:
        current_user.language = language
        session.commit()
    refresh()
    return redirect(safe_local_path(request.form.get("next")) or url_for("board.home"))
