from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from crm.auth import services
from crm.auth.forms import LoginForm
from crm.db import session
from crm.navigation import safe_local_path

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("board.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form), status
    user = services.authenticate(form.email.data or "", form.password.data or "")
    if user is None:
        session.rollback()
        form.password.errors = ["The e-mail or the password is not right."]
        return render_template("auth/login.html", form=form), 401
    session.commit()
    # A fresh session at login, so an identifier planted before it is worth nothing after.
    cookie_session.clear()
    login_user(user)
    flash(f"Welcome, {user.name}.", "success")
    return redirect(safe_local_path(form.next.data) or url_for("board.home"))


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    cookie_session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
