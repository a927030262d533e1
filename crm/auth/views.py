from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user

from crm.audit.services import Action, record
from crm.auth import services, sessions, throttle
from crm.auth.forms import ChangeOwnPasswordForm, LoginForm, TokenForm
from crm.auth.tokens import ApiToken, issue_token, revoke_token, tokens_of
from crm.db import session
from crm.errors import DomainError
from crm.forms import attach_domain_error
from crm.i18n.locale import LANGUAGE_SESSION_KEY
from crm.navigation import safe_local_path

bp = Blueprint("auth", __name__)

# One message for an unknown e-mail, a wrong password and a deactivated account.
BAD_CREDENTIALS = lazy_gettext("The e-mail or the password is not right.")
TOO_MANY_FAILURES = lazy_gettext(
    "Too many failed logins for this account or from this address. Wait 15 minutes and try again."
)
TOO_MANY_PASSWORD_CHECKS = lazy_gettext(
    "Too many wrong current passwords for this account. Wait 15 minutes and try again."
)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("board.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form), status
    email = services.normalise_email(form.email.data or "")
    known = services.user_by_email(email)
    if throttle.login_blocked(email):
        session.rollback()
        record(
            Action.LOGIN_BLOCKED,
            object_type="user",
            object_id=known.id if known else None,
            object_label=email,
        )
        session.commit()
        form.password.errors = [str(TOO_MANY_FAILURES)]
        return render_template("auth/login.html", form=form), 429
    user = services.authenticate(email, form.password.data or "")
    if user is None:
        session.rollback()
        throttle.record_failure(email)
        record(
            Action.LOGIN_FAILED,
            object_type="user",
            object_id=known.id if known else None,
            object_label=email,
        )
        session.commit()
        form.password.errors = [str(BAD_CREDENTIALS)]
        return render_template("auth/login.html", form=form), 401
    record(Action.LOGIN, object_type="user", object_id=user.id, object_label=email, actor=user)
    session.commit()
    # A fresh session at login, so an identifier planted before it is worth nothing after; the
    # language picked on the login page carries over, as it is no secret.
    language = cookie_session.get(LANGUAGE_SESSION_KEY)
    cookie_session.clear()
    if language:
        cookie_session[LANGUAGE_SESSION_KEY] = language
    login_user(user)
    sessions.start()
    # No "Welcome" flash: the dashboard greets by name, and elsewhere the header shows who.
    return redirect(safe_local_path(form.next.data) or url_for("board.home"))


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    record(Action.LOGOUT, object_type="user", object_id=current_user.id)
    session.commit()
    language = current_user.language or cookie_session.get(LANGUAGE_SESSION_KEY)
    logout_user()
    cookie_session.clear()
    if language:
        # Signed out, the login page still speaks the language the user chose.
        cookie_session[LANGUAGE_SESSION_KEY] = language
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> ResponseReturnValue:
    """Personal API tokens: create one (shown once), see and revoke the others."""
    form = TokenForm()
    new_secret = None
    status = 200
    if form.validate_on_submit():
        try:
            token, new_secret = issue_token(current_user, form.name.data or "")
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = 422
        else:
            flash(
                gettext(
                    "Created the token “%(name)s”. Copy it now: it is not shown again.",
                    name=token.name,
                ),
                "success",
            )
            form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "auth/tokens.html", form=form, tokens=tokens_of(current_user), new_secret=new_secret
        ),
        status,
    )


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    revoke_token(token)
    session.commit()
    flash(
        gettext("Revoked the token “%(name)s”. Scripts using it now get 401.", name=token.name),
        "success",
    )
    return redirect(url_for("auth.tokens"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password; the user's other sessions end, this one goes on."""
    form = ChangeOwnPasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user_id = user.id
        # Checked before the password, as at login: once over the limit, even the right one waits.
        if throttle.password_check_blocked(user_id):
            form.current_password.errors = [str(TOO_MANY_PASSWORD_CHECKS)]
            return render_template("account/password.html", form=form), 429
        try:
            services.change_own_password(
                user,
                current_password=form.current_password.data or "",
                new_password=form.password.data or "",
            )
            session.commit()
        except DomainError as error:
            session.rollback()
            if isinstance(error, services.WrongCurrentPassword):
                throttle.record_password_check_failure(user_id)
            attach_domain_error(form, error)
        else:
            login_user(user)  # the new session token, for this browser only
            sessions.start()
            flash(gettext("Password changed. Your other sessions have ended."), "success")
            return redirect(url_for("board.home"))
    status = 422 if form.is_submitted() else 200
    return render_template("account/password.html", form=form), status
