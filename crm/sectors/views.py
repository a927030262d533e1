from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from crm import access
from crm.db import get_or_404, session
from crm.errors import DomainError, StaleVersion
from crm.forms import attach_domain_error, posted_a_stale_version
from crm.i18n.locale import current_language
from crm.partnerships.models import Partnership, partnership_sectors
from crm.sectors import services
from crm.sectors.forms import MergeSectorForm, RenameSectorForm, SectorNameForm, target_choice
from crm.sectors.models import Sector

bp = Blueprint("sectors", __name__, url_prefix="/sectors")


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    return _render_index(SectorNameForm(formdata=None))


@bp.post("")
@login_required
def create() -> ResponseReturnValue:
    _require_admin()
    form = SectorNameForm()
    if form.validate_on_submit():
        try:
            sector = services.add_sector(form.name.data or "")
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(gettext("Added the sector %(name)s.", name=sector.name), "success")
            return redirect(url_for(".index"))
    return _render_index(form, status=422)


@bp.post("/<id:sector_id>/rename")
@login_required
def rename(sector_id: int) -> ResponseReturnValue:
    _require_admin()
    sector = get_or_404(Sector, sector_id)
    form = RenameSectorForm(prefix=f"rename-{sector.id}", version=sector.version)
    if posted_a_stale_version(form):
        # Asked before the name is checked: a name refused as taken may be the other's rename.
        return _stale(StaleVersion())
    if form.validate_on_submit():
        old_name = sector.name
        try:
            services.rename_sector(
                sector,
                form.name.data or "",
                expected_version=form.version.data or 0,
                language=current_language(),
            )
            session.commit()
        except StaleVersion as error:
            return _stale(error)
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(gettext("Renamed %(old)s to %(new)s.", old=old_name, new=sector.name), "success")
            return redirect(url_for(".index"))
    flash(_errors_of(form), "error")
    return _render_index(SectorNameForm(formdata=None), status=_refused_status(form))


@bp.post("/<id:sector_id>/merge")
@login_required
def merge(sector_id: int) -> ResponseReturnValue:
    _require_admin()
    source = get_or_404(Sector, sector_id)
    form = MergeSectorForm(prefix=f"merge-{source.id}", version=source.version)
    if posted_a_stale_version(form) or _posted_a_stale_target(form):
        # Before the choice is checked: the sector chosen may itself be merged away since.
        return _stale(StaleVersion())
    form.into.choices = [
        SelectChoice(target_choice(sector.id, sector.version), sector.name)
        for sector in services.all_sectors()
    ]
    chosen = form.posted_target()
    if form.validate_on_submit() and chosen is not None:
        target_id, target_version = chosen
        target = get_or_404(Sector, target_id)
        source_name = source.name
        try:
            moved = services.merge_sectors(
                source,
                target,
                expected_version=form.version.data or 0,
                expected_target_version=target_version,
            )
            session.commit()
        except StaleVersion as error:
            return _stale(error)
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(
                ngettext(
                    "Merged %(source)s into %(target)s (%(num)d pairing re-tagged).",
                    "Merged %(source)s into %(target)s (%(num)d pairings re-tagged).",
                    moved,
                    source=source_name,
                    target=target.name,
                ),
                "success",
            )
            return redirect(url_for(".index"))
    flash(_errors_of(form), "error")
    return _render_index(SectorNameForm(formdata=None), status=_refused_status(form))


def _posted_a_stale_target(form: MergeSectorForm) -> bool:
    """Whether the sector chosen to merge into was renamed, or merged away, since the page was
    drawn: its name was what the admin chose by."""
    chosen = form.posted_target()
    if chosen is None:
        return False  # no value a page gives: the choice's own validation says so
    target_id, version = chosen
    target = session.get(Sector, target_id)
    # A version not reached yet is a tampered form, which the choices refuse.
    return target is None or version < target.version


def _stale(error: StaleVersion) -> ResponseReturnValue:
    """The sectors as they are now, the other admin's change among them, to decide again on."""
    session.rollback()
    flash(error.message, "warning")
    return _render_index(SectorNameForm(formdata=None), status=error.status_code)


def _refused_status(form: RenameSectorForm | MergeSectorForm) -> int:
    # A post without its version is no stale page but a broken one: nothing to compare.
    return 400 if form.version.errors else 422


def _render_index(form: SectorNameForm, *, status: int = 200) -> ResponseReturnValue:
    # Counted over the pairings this user may see: a partner learns nothing of the others.
    visible_ids = access.visible_partnerships(current_user).with_only_columns(Partnership.id)
    usage = dict(
        session.execute(
            select(partnership_sectors.c.sector_id, func.count())
            .where(partnership_sectors.c.partnership_id.in_(visible_ids))
            .group_by(partnership_sectors.c.sector_id)
        ).all()
    )
    sectors = services.all_sectors()
    return (
        render_template(
            "sectors/index.html",
            sectors=sectors,
            usage=usage,
            form=form,
            target_choice=target_choice,
        ),
        status,
    )


def _errors_of(form: SectorNameForm | MergeSectorForm) -> str:
    messages = [str(error) for errors in form.errors.values() for error in errors]
    # Once each: a hidden field's error is also the form's (crm.forms.VersionField).
    unique = dict.fromkeys(messages + list(form.form_errors))
    return " ".join(unique) or gettext("That did not work.")


def _require_admin() -> None:
    if not access.can_manage_reference_data(current_user):
        abort(403)
