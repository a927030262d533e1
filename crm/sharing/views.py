"""Share and unshare a pairing, from the panel on its page (officers and admins)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.errors import DomainError
from crm.partnerships.models import Partnership
from crm.sharing import services

bp = Blueprint("sharing", __name__, url_prefix="/partnerships")


class ShareForm(FlaskForm):
    user_id = SelectField(
        _l("Share with"),
        coerce=int,
        validators=[DataRequired(_l("Choose a partner from the list."))],
        invalid_choice_message=_l("Choose a partner from the list."),
        invalid_value_message=_l("Choose a partner from the list."),
    )


class UnshareForm(FlaskForm):
    pass


def sharing_panel(
    user: User, partnership: Partnership, *, users: Sequence[User] | None = None
) -> dict[str, Any] | None:
    """What the pairing page shows of its sharing, or None for those who may not share.
    `users`: the active users, when the page has read them already."""
    if not access.can_share(user):
        return None
    shares = partnership.shares  # joined into the page's read of the pairing
    form = ShareForm(formdata=None)
    _fill_choices(form, partnership, already={share.user_id for share in shares}, users=users)
    return {"shares": shares, "form": form, "unshare_form": UnshareForm(formdata=None)}


@bp.post("/<id:partnership_id>/shares")
@login_required
def share(partnership_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_share(current_user))
    form = ShareForm()
    _fill_choices(form, partnership, already=set())
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return _back(partnership)
    partner = session.get(User, form.user_id.data or 0)
    if partner is None:
        flash(gettext("Choose a partner from the list."), "error")
        return _back(partnership)
    try:
        services.share(partnership, partner, by=current_user)
        session.commit()
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
    else:
        flash(
            gettext(
                "Shared with %(name)s; they see it from their next click on.", name=partner.name
            ),
            "success",
        )
    return _back(partnership)


@bp.post("/<id:partnership_id>/shares/<id:user_id>/delete")
@login_required
def unshare(partnership_id: int, user_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_share(current_user))
    if not UnshareForm().validate_on_submit():
        flash(gettext("The form had expired. Try again."), "error")
        return _back(partnership)
    partner = session.get(User, user_id)
    try:
        if partner is None:
            raise DomainError(gettext("That user does not exist."))
        services.unshare(partnership, partner)
        session.commit()
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
    else:
        flash(gettext("No longer shared with %(name)s.", name=partner.name), "success")
    return _back(partnership)


def _back(partnership: Partnership) -> ResponseReturnValue:
    return redirect(url_for("partnerships.show", partnership_id=partnership.id) + "#sharing")


def _fill_choices(
    form: ShareForm,
    partnership: Partnership,
    *,
    already: set[int],
    users: Sequence[User] | None = None,
) -> None:
    if users is None:
        partners: Sequence[User] = session.scalars(access.partner_users()).all()
    else:  # the same accounts as access.partner_users(), from the active users at hand
        partners = [known for known in users if access.is_partner_account(known)]
    form.user_id.choices = [SelectChoice(0, gettext("Choose a partner…"))] + [
        SelectChoice(user.id, f"{user.name} <{user.email}>")
        for user in partners
        if user.id not in already
    ]
