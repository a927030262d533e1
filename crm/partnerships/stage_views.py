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
from crm.errors import DomainError, StaleVersion
from crm.forms import VersionField, posted_a_stale_version
from crm.i18n.locale import current_language
from crm.partnerships import stages as stage_services
from crm.partnerships.models import Stage

bp = Blueprint("stages", __name__, url_prefix="/stages")


class StageNameForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the stage a name.")), Length(max=100)]
    )


class RenameStageForm(StageNameForm):
    version = VersionField()


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
    form = RenameStageForm(prefix=f"rename-{stage.id}", version=stage.version)
    if posted_a_stale_version(form):
        # Asked before the name is checked: a name refused as taken may be the other's rename.
        return _stale(StaleVersion())
    if not form.validate_on_submit():
        flash(_errors_of(form), "error")
        # A post without its version is no stale page but a broken one: nothing to compare.
        return _render_index(status=400 if form.version.errors else 422)
    try:
        stage_services.rename_stage(
            stage,
            form.name.data or "",
            expected_version=form.version.data or 0,
            language=current_language(),
        )
        session.commit()
    except StaleVersion as error:
        return _stale(error)
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
        return _render_index(status=422)
    flash(gettext("Renamed the stage to %(name)s.", name=stage.name), "success")
    return redirect(url_for(".index"))


def _stale(error: StaleVersion) -> ResponseReturnValue:
    """The stages as they are now, the other admin's change among them, to decide again on."""
    session.rollback()
    flash(error.message, "warning")
    return _render_index(status=error.status_code)


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
    # Once each: a hidden field's error is also the form's (crm.forms.VersionField).
    messages = dict.fromkeys(str(error) for errors in form.errors.values() for error in errors)
    return " ".join(messages) or gettext("That did not work.")


def _require_admin() -> None:
    if not access.can_manage_reference_data(current_user):
        abort(403)
