"""Admin pages for the pipeline's stages: rename them, add one between two others."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from crm import access
from crm.db import get_or_404, session
from crm.errors import DomainError
from crm.i18n.locale import current_language
from crm.partnerships import stages as stage_services
from crm.partnerships.models import Stage

bp = Blueprint("stages", __name__, url_prefix="/stages")


class StageNameForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the stage a name.")), Length(max=100)]
    )


class NewStageForm(StageNameForm):
    after = SelectField(
        _l("Place after"),
        coerce=int,
        invalid_choice_message=_l("Choose a stage from the list."),
        invalid_value_message=_l("Choose a stage from the list."),
    )


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    _require_admin()
    return _render_index()


@bp.post("")
@login_required
def create() -> ResponseReturnValue:
    _require_admin()
    form = _new_stage_form()
    if form.validate_on_submit():
        after = session.get(Stage, form.after.data) if form.after.data else None
        try:
            stage = stage_services.add_stage(form.name.data or "", after=after)
            session.commit()
        except DomainError as error:
            session.rollback()
            flash(error.message, "error")
        else:
            flash(gettext("Added the stage %(name)s.", name=stage.name), "success")
            return redirect(url_for(".index"))
    else:
        flash(_errors_of(form), "error")
    return _render_index(status=422)


@bp.post("/<id:stage_id>/rename")
@login_required
def rename(stage_id: int) -> ResponseReturnValue:
    _require_admin()
    stage = get_or_404(Stage, stage_id)
    form = StageNameForm(prefix=f"rename-{stage.id}")
    if form.validate_on_submit():
        try:
            stage_services.rename_stage(stage, form.name.data or "", language=current_language())
            session.commit()
        except DomainError as error:
            session.rollback()
            flash(error.message, "error")
        else:
            flash(gettext("Renamed the stage to %(name)s.", name=stage.name), "success")
            return redirect(url_for(".index"))
    else:
        flash(_errors_of(form), "error")
    return _render_index(status=422)


def _new_stage_form(formdata: object = ...) -> NewStageForm:
    form = NewStageForm() if formdata is ... else NewStageForm(formdata=None)
    form.after.choices = [SelectChoice(0, gettext("— first —"))] + [
        SelectChoice(stage.id, stage.name) for stage in stage_services.ordered_stages()
    ]
    return form


def _render_index(*, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "stages/index.html",
            stages=stage_services.ordered_stages(),
            new_form=_new_stage_form(formdata=None),
        ),
        status,
    )


def _errors_of(form: FlaskForm) -> str:
    messages = [str(error) for errors in form.errors.values() for error in errors]
    return " ".join(messages) or gettext("That did not work.")


def _require_admin() -> None:
    if not access.can_manage_reference_data(current_user):
        abort(403)
