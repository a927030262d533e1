from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import or_

from crm import access
from crm.db import session
from crm.errors import DomainError, StaleVersion
from crm.forms import attach_domain_error
from crm.localities import picker, services
from crm.localities.countries import country_choices
from crm.localities.forms import EditLocalityForm, LocalityForm
from crm.localities.models import Locality
from crm.partnerships import queries
from crm.partnerships.models import Partnership
from crm.routing import first_record_id_arg, number_arg
from crm.tasks.dates import today_for
from crm.tasks.queries import overdue_counts

bp = Blueprint("localities", __name__, url_prefix="/localities")


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    q = request.args.get("q", "")[:200]
    country = request.args.get("country", "")[:2].upper()
    statement = services.search_localities(q, country).where(
        Locality.id.in_(access.visible_localities(current_user).with_only_columns(Locality.id))
    )
    total = queries.count(statement)
    per_page = int(current_app.config["PAGE_SIZE"])
    last_page = max(1, -(-total // per_page))
    page = min(number_arg("page", 1, least=1), last_page)
    localities = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return render_template(
        "localities/index.html",
        localities=localities,
        q=q,
        country=country,
        countries=country_choices(),
        total=total,
        page=page,
        last_page=last_page,
    )


@bp.get("/options")
@login_required
def options() -> ResponseReturnValue:
    """The options of a locality select for a search typed beside it (htmx).

    Only the pairing forms use it, so only those who may create or edit pairings may ask.
    """
    access.require(access.can_edit_pipeline(current_user))
    q = next((request.args[name] for name in ("q", "q_a", "q_b") if request.args.get(name)), "")
    # The select itself is sent along, so that a locality picked from earlier matches stays.
    selected = first_record_id_arg("locality_a_id", "locality_b_id", "selected")
    found = picker.matches(q[:200])
    if selected and selected not in {locality.id for locality in found}:
        chosen = session.get(Locality, selected)
        found = ([chosen] if chosen else []) + found
    return render_template(
        "_select_options.html",
        records=found,
        selected=[selected],
        q=q,
        label=picker.option_label,
        placeholder=picker.placeholder(),
        nothing=gettext("No locality matches “%(q)s”", q=q),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    _require_editor()
    form = LocalityForm()
    if form.validate_on_submit():
        try:
            locality = services.create_locality(_data_from(form))
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(gettext("Added %(name)s.", name=locality.full_name), "success")
            return redirect(url_for(".show", locality_id=locality.id))
    status = 422 if form.is_submitted() else 200
    return render_template("localities/form.html", form=form, locality=None), status


@bp.get("/<id:locality_id>")
@login_required
def show(locality_id: int) -> ResponseReturnValue:
    locality = access.get_visible_locality_or_404(current_user, locality_id)
    statement = access.visible_partnerships(current_user).where(
        or_(Partnership.locality_a_id == locality.id, Partnership.locality_b_id == locality.id)
    )
    partnerships = session.scalars(
        queries.with_card_details(statement.order_by(Partnership.last_activity_at.desc()))
    ).all()
    return render_template(
        "localities/show.html",
        locality=locality,
        partnerships=partnerships,
        overdue=overdue_counts((p.id for p in partnerships), today_for(current_user)),
    )


@bp.route("/<id:locality_id>/edit", methods=["GET", "POST"])
@login_required
def edit(locality_id: int) -> ResponseReturnValue:
    locality = access.get_visible_locality_or_404(current_user, locality_id)
    _require_editor()
    form = EditLocalityForm(obj=locality)
    if not form.other_names.raw_data:
        # The field is text and the model holds a dict: when the field was not posted (a GET,
        # or a post without it) WTForms leaves it the dict, which a save could not read (a 500).
        # Given as the form writes it, the names stay as saved, like any other field not posted.
        form.other_names.data = services.format_other_names(locality)
    if form.validate_on_submit():
        try:
            services.update_locality(
                locality, _data_from(form), expected_version=form.version.data or 0
            )
            session.commit()
        except StaleVersion as error:
            session.rollback()
            flash(error.message, "warning")
            session.refresh(locality)
            form = EditLocalityForm(formdata=None, obj=locality)
            form.other_names.data = services.format_other_names(locality)
            return render_template("localities/form.html", form=form, locality=locality), 409
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for(".show", locality_id=locality.id))
    status = 422 if form.is_submitted() else 200
    return render_template("localities/form.html", form=form, locality=locality), status


def _data_from(form: LocalityForm) -> services.LocalityData:
    return services.LocalityData(
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        kind=form.kind.data or "",
        country_code=form.country_code.data or "",
        subdivision_code=form.subdivision_code.data or "",
        other_names=services.parse_other_names(form.other_names.data or ""),
    )


def _require_editor() -> None:
    if not access.can_edit_pipeline(current_user):
        abort(403)
