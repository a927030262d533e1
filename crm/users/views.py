from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required, login_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from crm import access
from crm.auth import services, sessions
from crm.auth.forms import NewPasswordForm
from crm.auth.models import Role, User
from crm.db import get_or_404, session
from crm.errors import DomainError
from crm.forms import attach_domain_error
from crm.sharing.models import PartnershipShare
from crm.users import services as handover
from crm.users.forms import ConfirmForm, HandoverForm, NewUserForm, RoleForm

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
            flash(
                gettext(
                    "Created the account of %(name)s (%(role)s).",
                    name=user.name,
                    role=user.role_label,
                ),
                "success",
            )
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
            flash(_now_in_role(user), "success")
            _warn_of_work_left(user)
            if not access.can_manage_users(current_user):
                # An admin who made themselves something else may no longer see this page.
                return redirect(url_for("board.home"))
            return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, role_form=form, status=422)


@bp.post("/<id:user_id>/deactivate")
def deactivate(user_id: int) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    return _toggle(
        user,
        services.deactivate,
        lambda name: gettext("%(name)s is deactivated; their sessions have ended.", name=name),
    )


@bp.post("/<id:user_id>/reactivate")
def reactivate(user_id: int) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    return _toggle(
        user, services.reactivate, lambda name: gettext("%(name)s is active again.", name=name)
    )


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
            flash(
                gettext(
                    "New password set for %(name)s; their sessions have ended.", name=user.name
                ),
                "success",
            )
            return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, password_form=form, status=422)


@bp.post("/<id:user_id>/handover")
def hand_over(user_id: int) -> ResponseReturnValue:
    user = get_or_404(User, user_id)
    form = _handover_form(user, formdata=request.form)
    if form.validate_on_submit():
        successor = get_or_404(User, int(form.successor.data or 0))
        try:
            moved = handover.hand_over(user, successor)
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(handover.handed_over(user, successor, moved), "success")
            return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, handover_form=form, status=422)


def _toggle(
    user: User, change: Callable[[User], None], done: Callable[[str], str]
) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        flash(gettext("The form had expired. Try again."), "error")
        return _render_show(user, status=400)
    try:
        change(user)
        session.commit()
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
        return _render_show(user, status=422)
    flash(done(user.name), "success")
    _warn_of_work_left(user)
    return redirect(url_for(".show", user_id=user.id))


def _warn_of_work_left(user: User) -> None:
    """After a role change or a deactivation that leaves someone unable to own pairings."""
    if not access.may_own_pairings(user) and handover.work_of(user):
        flash(
            gettext(
                "%(name)s still owns pairings or holds open tasks: hand them over to someone "
                "else below.",
                name=user.name,
            ),
            "warning",
        )


def _handover_form(user: User, *, formdata: object) -> HandoverForm:
    """Who may take `user`'s work over: anyone who may own pairings but them; empty
    (`formdata=None`) or as posted."""
    choices = [
        SelectChoice(str(candidate.id), candidate.name)
        for candidate in access.owner_choices(current_user)
        if candidate.id != user.id
    ]
    return HandoverForm(formdata=formdata, choices=choices)


def _now_in_role(user: User) -> str:
    """A whole sentence per role, so that a translation can decline the role's name."""
    messages = {
        Role.ADMIN.value: gettext("%(name)s is now an admin.", name=user.name),
        Role.OFFICER.value: gettext("%(name)s is now an officer.", name=user.name),
        Role.PARTNER.value: gettext("%(name)s is now a partner.", name=user.name),
        Role.VIEWER.value: gettext("%(name)s is now a viewer.", name=user.name),
    }
    return messages.get(user.role) or gettext(
        "%(name)s is now %(role)s.", name=user.name, role=user.role_label
    )


def _render_show(
    user: User,
    *,
    role_form: RoleForm | None = None,
    password_form: NewPasswordForm | None = None,
    handover_form: HandoverForm | None = None,
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
            work=handover.work_of(user),
            handover_form=handover_form or _handover_form(user, formdata=None),
        ),
        status,
    )
