"""Share and unshare a pairing, from the panel on its page (officers and admins)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.errors import DomainError
from crm.partnerships.models import Partnership
from crm.partnerships.views import render_show
from crm.sharing import services
from crm.sharing.panel import ShareForm, UnshareForm, fill_choices

bp = Blueprint("sharing", __name__, url_prefix="/partnerships")


@bp.post("/<id:partnership_id>/shares")
@login_required
def share(partnership_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_share(current_user))
    form = ShareForm()
    fill_choices(form, already=set())
    if not form.validate_on_submit():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _refused(partnership, message, 422)
    partner = session.get(User, form.user_id.data or 0)
    if partner is None:
        return _refused(partnership, gettext("Choose a partner from the list."), 422)
    try:
        services.share(partnership, partner, by=current_user)
        session.commit()
    except DomainError as error:
        session.rollback()
        return _refused(partnership, error.message, error.status_code)
    flash(
        gettext("Shared with %(name)s; they see it from their next click on.", name=partner.name),
        "success",
    )
    return _back(partnership)


@bp.post("/<id:partnership_id>/shares/<id:user_id>/delete")
@login_required
def unshare(partnership_id: int, user_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_share(current_user))
    if not UnshareForm().validate_on_submit():
        return _refused(partnership, gettext("The form had expired. Try again."), 400)
    partner = session.get(User, user_id)
    try:
        if partner is None:
            raise DomainError(gettext("That user does not exist."))
        services.unshare(partnership, partner)
        session.commit()
    except DomainError as error:
        session.rollback()
        return _refused(partnership, error.message, error.status_code)
    flash(gettext("No longer shared with %(name)s.", name=partner.name), "success")
    return _back(partnership)


def _back(partnership: Partnership) -> ResponseReturnValue:
    return redirect(url_for("partnerships.show", partnership_id=partnership.id) + "#sharing")


def _refused(partnership: Partnership, message: str, status: int) -> ResponseReturnValue:
    """The pairing's page with why, answered with a 4xx as every other refused form on it is:
    a redirect told whatever sent the post that it was done, and nothing had been."""
    flash(message, "error")
    return render_show(partnership, status=status)
