"""The sharing panel of a pairing's page: its forms and what it lists.

Apart from the views, so that the pairing's page can show the panel and the sharing views can
answer with the pairing's page, without either module importing the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.partnerships.models import Partnership


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
    fill_choices(form, already={share.user_id for share in shares}, users=users)
    return {"shares": shares, "form": form, "unshare_form": UnshareForm(formdata=None)}


def fill_choices(
    form: ShareForm, *, already: set[int], users: Sequence[User] | None = None
) -> None:
    """The partner accounts offered, but those in `already`; `users`: the active users, when
    the page has read them already."""
    if users is None:
        partners: Sequence[User] = session.scalars(access.partner_users()).all()
    else:  # the same accounts as access.partner_users(), from the active users at hand
        partners = [known for known in users if access.is_partner_account(known)]
    form.user_id.choices = [SelectChoice(0, gettext("Choose a partner…"))] + [
        SelectChoice(user.id, f"{user.name} <{user.email}>")
        for user in partners
        if user.id not in already
    ]
