from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user
from sqlalchemy import func, select

from crm import access
from crm.auth import services, sessions
from crm.auth.forms import NewPasswordForm
from crm.auth.models import User
from crm.db import get_or_404, session
from crm.errors import DomainError
from crm.forms import attach_domain_error
from crm.sharing.models import PartnershipShare
from crm.users.forms import ConfirmForm, NewUserForm, RoleForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.before_request
@login_required
def _admins_only() -> None:
    access.require(access.can_manage_users(current_user))


@bp.get("")
def index() -> ResponseReturnValue:
    shared_counts = dict(
        session.execute(
            select(PartnershipShare.user_id, func.count()).group_by(PartnershipShare.user_id)
        ).all()
    )
    return render_template(
        "users/index.html", users=services.all_users(), shared_counts=shared_counts
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                password=form.password.data or "",
            )
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(f"Created the account of {user.name} ({user.role_label}).", "success")
            return redirect(url_for(".show", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template("users/new.html", form=form), status


@bp.get("/<id:user_id>")
def show(user_id: int) -> ResponseReturnValue:
    return _render_show(get_or_404(User, user_id))


@bp.post("/<id:user_id>/role")
def change_role(user_id: int) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.change_role(user, form.role.data or "")
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(f"{user.name} is now {user.role_label.lower()}.", "success")
            return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, role_form=form, status=422)


@bp.post("/<id:user_id>/deactivate")
def deactivate(user_id: int) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    return _toggle(user, services.deactivate, "deactivated; their sessions have ended")


@bp.post("/<id:user_id>/reactivate")
def reactivate(user_id: int) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    return _toggle(user, services.reactivate, "active again")


@bp.post("/<id:user_id>/password")
def set_password(user_id: int) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data or "")
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            if user.id == current_user.id:
                login_user(user)  # keep this session; the others end
                sessions.start()
            flash(f"New password set for {user.name}; their sessions have ended.", "success")
            return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, password_form=form, status=422)


def _toggle(user: User, change: Callable[[User], None], done: str) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return _render_show(user, status=400)
    try:
        change(user)
        session.commit()
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
        return _render_show(user, status=422)
    flash(f"{user.name} is {done}.", "success")
    return redirect(url_for(".show", user_id=user.id))


def _render_show(
    user: User,
    *,
    role_form: RoleForm | None = None,
    password_form: NewPasswordForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    shares = session.scalars(
        select(PartnershipShare).where(PartnershipShare.user_id == user.id)
    ).all()
    return (
        render_template(
            "users/show.html",
            user=user,
            shares=shares,
            role_form=role_form or RoleForm(formdata=None, role=user.role),
            password_form=password_form or NewPasswordForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
        ),
        status,
    )
