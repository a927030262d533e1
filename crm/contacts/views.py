"""People and organisations: lists, pages, forms, duplicates, merge, vCard, roles on pairings."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from crm import access
from crm.activities.models import Activity, activity_participants
from crm.contacts import picker, queries, services, vcard
from crm.contacts.forms import (
    DeleteForm,
    EditOrganisationForm,
    EditPersonForm,
    MergeForm,
    OrganisationForm,
    PersonForm,
    RoleForm,
    organisation_placeholder,
)
from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.db import session
from crm.errors import DomainError, StaleVersion
from crm.forms import attach_domain_error, posted_a_stale_version, pressed_find, select_search
from crm.partnerships.views import render_show
from crm.routing import NO_RECORD, first_record_id_arg, number_arg, record_id_arg, record_id_args

bp = Blueprint("contacts", __name__)


# People -------------------------------------------------------------------------------------


@bp.get("/people")
@login_required
def people() -> ResponseReturnValue:
    _require_directory_reader()
    q = request.args.get("q", "")[:200]
    statement = queries.search_people(q)
    total = queries.count(statement)
    per_page = int(current_app.config["PAGE_SIZE"])
    last_page = max(1, -(-total // per_page))
    page = min(number_arg("page", 1, least=1), last_page)
    rows = session.scalars(
        statement.options(selectinload(Person.organisation))
        .order_by(Person.name_folded, Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return render_template(
        "contacts/people.html", people=rows, q=q, total=total, page=page, last_page=last_page
    )


@bp.get("/people/options")
@login_required
def person_options() -> ResponseReturnValue:
    """The options of a person select for a search typed beside it (htmx).

    The forms that add a person to a pairing and record a meeting's participants (`pairing`,
    a multiple select) ask, so only those who may do that may ask; the merge form on a person's
    page asks with `merging` (that person), for admins only.
    """
    _require_editor()
    q = (request.args.get("person_q") or request.args.get("q", ""))[:200]
    # The select itself is sent along, so that a person picked from earlier matches stays.
    selected = [first_record_id_arg("person_id", "other_id", "selected")]
    merging = record_id_arg("merging")
    pairing = record_id_arg("pairing")
    if ("merging" in request.args and not merging) or ("pairing" in request.args and not pairing):
        abort(404)  # a search for a record no id can name, not the plain person search
    placeholder: SelectChoice | None
    value = None
    if merging:
        access.require(access.can_manage_reference_data(current_user))
        survivor = _live_person_or_404(merging)
        # The merge select's options are "ID:VERSION" (picker.merge_value).
        held = picker.merge_value_in(request.args.get("other_id", ""))
        selected = [held[0]] if held else selected
        found = picker.merge_candidates(
            survivor,
            duplicates=services.possible_duplicates(
                survivor.full_name, survivor.email, exclude_id=survivor.id
            ),
            selected_id=selected[0],
            query=q,
        )
        label, placeholder, value = (
            picker.merge_label,
            picker.merge_placeholder(),
            picker.merge_value,
        )
    elif pairing:
        selected = record_id_args("participant_ids")
        partnership = access.get_visible_or_404(current_user, pairing)
        found = picker.participant_candidates(partnership, selected, q)
        label, placeholder = picker.option_label, None
    else:
        found = picker.search_candidates(selected[0], q)
        label, placeholder = picker.option_label, picker.placeholder()
    return render_template(
        "_select_options.html",
        records=found,
        selected=selected,
        q=q,
        label=label,
        value=value,
        placeholder=placeholder,
        nothing=gettext("No person matches “%(q)s”", q=q),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def new_person() -> ResponseReturnValue:
    _require_editor()
    form = PersonForm()
    form.fill_choices(_organisation_choices(form))
    duplicates: list[Person] = []
    status = 200
    if pressed_find():
        pass  # the matches of the search are the organisation's options now; nothing is saved
    elif form.validate_on_submit():
        try:
            person = services.create_person(
                _person_data(form), even_if_likely_duplicate=bool(form.create_anyway.data)
            )
            session.commit()
        except services.LikelyDuplicate as likely:
            session.rollback()
            duplicates, status = likely.matches, likely.status_code
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            flash(gettext("Added %(name)s.", name=person.full_name), "success")
            return redirect(url_for(".person", person_id=person.id))
    elif form.is_submitted():
        status = 422
    return (
        render_template("contacts/person_form.html", form=form, person=None, duplicates=duplicates),
        status,
    )


@bp.get("/people/<id:person_id>")
@login_required
def person(person_id: int) -> ResponseReturnValue:
    _require_directory_reader()
    return _person_page(queries.person_or_404(person_id))


def _person_page(record: Person, *, status: int = 200) -> ResponseReturnValue:
    """The person's page, with the merge form for an admin."""
    merge_form = None
    if access.can_manage_reference_data(current_user) and not record.is_deleted:
        merge_form = MergeForm(formdata=None, version=record.version)
        merge_form.other_id.choices = _merge_choices(merge_form, record)
    return _render_person(record, merge_form, status=status)


def _render_person(
    record: Person, merge_form: MergeForm | None, *, status: int = 200
) -> ResponseReturnValue:
    activities = session.scalars(
        select(Activity)
        .join(activity_participants, activity_participants.c.activity_id == Activity.id)
        .where(
            activity_participants.c.person_id == record.id,
            Activity.partnership_id.in_(access.visible_partnership_ids(current_user)),
        )
        .options(selectinload(Activity.partnership))
        .order_by(Activity.occurred_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "contacts/person.html",
        person=record,
        roles=queries.roles_of(record, current_user),
        activities=activities,
        duplicates=[]
        if record.is_deleted
        else services.possible_duplicates(record.full_name, record.email, exclude_id=record.id),
        merge_form=merge_form,
    ), status


@bp.get("/people/<id:person_id>.vcf")
@login_required
def person_vcard(person_id: int) -> ResponseReturnValue:
    _require_directory_reader()
    record = queries.person_or_404(person_id)
    return (
        vcard.vcard_of(record),
        200,
        {
            "Content-Type": "text/vcard; charset=utf-8",
            "Content-Disposition": vcard.content_disposition(record),
        },
    )


def _person_edit_form(record: Person, *, formdata: object) -> EditPersonForm:
    """The person's form: as saved (`formdata=None`) or as posted."""
    form = EditPersonForm(formdata=formdata, obj=record)
    if formdata is None:
        form.organisation_id.data = record.organisation_id or 0  # "none" is 0 in the select
        # As the page shows it ("+386 2 220 10 00 ext. 42"), not as stored; it reads back the same.
        form.phone.data = record.phone_display
    form.fill_choices(_organisation_choices(form, include=record.organisation))
    return form


@bp.route("/people/<id:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit_person(person_id: int) -> ResponseReturnValue:
    _require_editor()
    record = _live_person_or_404(person_id)
    form = _person_edit_form(record, formdata=None if request.method == "GET" else request.form)
    status = 200
    if pressed_find():
        pass  # the matches of the search are the organisation's options now; nothing is saved
    elif form.is_submitted() and posted_a_stale_version(form):
        # Asked before the fields: the organisation a stale form posts may be deleted since,
        # and "not a valid choice" would hide what happened.
        flash(StaleVersion().message, "warning")
        form = _person_edit_form(record, formdata=None)
        status = StaleVersion.status_code
    elif form.validate_on_submit():
        try:
            services.update_person(
                record, _person_data(form), expected_version=form.version.data or 0
            )
            session.commit()
        except StaleVersion as error:
            # As every other record: the form again, holding what was saved meanwhile.
            session.rollback()
            flash(error.message, "warning")
            session.refresh(record)
            form = _person_edit_form(record, formdata=None)
            status = error.status_code
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for(".person", person_id=record.id))
    elif form.is_submitted():
        status = 422
    return (
        render_template("contacts/person_form.html", form=form, person=record, duplicates=[]),
        status,
    )


@bp.route("/people/<id:person_id>/delete", methods=["GET", "POST"])
@login_required
def delete_person(person_id: int) -> ResponseReturnValue:
    """GET asks, saying what links to the person; POST deletes (softly) the person as asked."""
    _require_editor()
    record = _live_person_or_404(person_id)
    if request.method == "GET":
        return _confirm_delete_person(record)
    form = DeleteForm(version=record.version)
    if not form.validate_on_submit():
        flash(" ".join(form.form_errors), "error")
        return _confirm_delete_person(record, status=400)
    try:
        services.delete_person(record, expected_version=form.version.data or 0)
        # Worded before the commit expires the person.
        message = gettext(
            "Deleted %(name)s. Meetings they attended still show their name.",
            name=record.full_name,
        )
        session.commit()
    except StaleVersion as error:
        # What the colleague made of them, to decide again on.
        session.rollback()
        flash(error.message, "warning")
        return _person_page(record, status=error.status_code)
    flash(message, "success")
    return redirect(url_for(".people"))


def _confirm_delete_person(record: Person, *, status: int = 200) -> ResponseReturnValue:
    roles = session.scalar(select(func.count()).where(PartnershipRole.person_id == record.id))
    attended = session.scalar(
        select(func.count()).where(activity_participants.c.person_id == record.id)
    )
    return render_template(
        "contacts/confirm_delete.html",
        what=record.full_name,
        # The template counts these with ngettext (templates/contacts/confirm_delete.html).
        links=[
            (roles or 0, "role on a pairing", "roles on pairings"),
            (attended or 0, "meeting or call", "meetings and calls"),
        ],
        version=record.version,
        action=url_for(".delete_person", person_id=record.id),
        back=url_for(".person", person_id=record.id),
    ), status


@bp.post("/people/<id:person_id>/merge")
@login_required
def merge_person(person_id: int) -> ResponseReturnValue:
    if not access.can_manage_reference_data(current_user):
        abort(403)
    survivor = _live_person_or_404(person_id)
    form = MergeForm(version=survivor.version)
    form.other_id.choices = _merge_choices(form, survivor)
    if pressed_find():
        return _render_person(survivor, form)  # the matches are the options now; nothing merged
    if posted_a_stale_version(form) or _posted_a_stale_duplicate(form):
        # Asked before the choice is checked: the duplicate deleted or merged since is no
        # longer one, and "not a valid choice" would hide what happened.
        return _stale_merge(survivor, services.StaleMerge())
    chosen = form.posted_choice()
    if not form.validate_on_submit() or chosen is None:
        # A post without the survivor's version is no stale page but a broken one: a 400.
        return _render_person(survivor, form, status=400 if form.version.errors else 422)
    duplicate = session.get(Person, chosen[0])
    if duplicate is None:
        abort(404)
    name = duplicate.full_name
    try:
        services.merge_people(
            survivor,
            duplicate,
            expected_version=form.version.data or 0,
            expected_duplicate_version=chosen[1],
        )
        session.commit()
    except StaleVersion as error:
        return _stale_merge(survivor, error)
    except DomainError as error:
        session.rollback()
        attach_domain_error(form, error)
        return _render_person(survivor, form, status=error.status_code)
    flash(
        gettext(
            "Merged %(duplicate)s into %(survivor)s: their pairings and meetings moved here.",
            duplicate=name,
            survivor=survivor.full_name,
        ),
        "success",
    )
    return redirect(url_for(".person", person_id=person_id))


def _posted_a_stale_duplicate(form: MergeForm) -> bool:
    """Whether the duplicate chosen was edited, deleted or merged since the page was drawn: the
    admin chose them by what the option showed."""
    chosen = form.posted_choice()
    if chosen is None:
        return False  # no value a page gives: the choice's own validation says so
    person_id, version = chosen
    duplicate = session.get(Person, person_id)
    # A version not reached yet is no page's: the service refuses it, not being the one shown.
    return duplicate is not None and version < duplicate.version


def _stale_merge(survivor: Person, error: StaleVersion) -> ResponseReturnValue:
    """The survivor's page as it is now, its merge select showing the people as they are now,
    to decide again on; nothing merged."""
    session.rollback()
    flash(error.message, "warning")
    return _person_page(survivor, status=error.status_code)


# Organisations --------------------------------------------------------------------------------


@bp.get("/organisations")
@login_required
def organisations() -> ResponseReturnValue:
    _require_directory_reader()
    q = request.args.get("q", "")[:200]
    statement = queries.search_organisations(q)
    total = queries.count(statement)
    per_page = int(current_app.config["PAGE_SIZE"])
    last_page = max(1, -(-total // per_page))
    page = min(number_arg("page", 1, least=1), last_page)
    rows = session.scalars(
        statement.order_by(Organisation.name_folded, Organisation.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return render_template(
        "contacts/organisations.html",
        organisations=rows,
        q=q,
        total=total,
        page=page,
        last_page=last_page,
    )


@bp.get("/organisations/options")
@login_required
def organisation_options() -> ResponseReturnValue:
    """The options of the person form's organisation select for a search typed beside it
    (htmx); only those who may edit people may ask."""
    _require_editor()
    q = request.args.get("organisation_q", "")[:200]
    # The select is sent along, so that an organisation picked from earlier matches stays.
    selected = record_id_arg("organisation_id")
    return render_template(
        "_select_options.html",
        records=picker.organisation_candidates(selected, q),
        selected=[selected],
        q=q,
        label=picker.organisation_label,
        placeholder=organisation_placeholder(),
        nothing=gettext("No organisation matches “%(q)s”", q=q),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new_organisation() -> ResponseReturnValue:
    _require_editor()
    form = OrganisationForm()
    status = 200
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(_organisation_data(form))
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            flash(gettext("Added %(name)s.", name=organisation.name), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    elif form.is_submitted():
        status = 422
    return render_template("contacts/organisation_form.html", form=form, organisation=None), status


@bp.get("/organisations/<id:organisation_id>")
@login_required
def organisation(organisation_id: int) -> ResponseReturnValue:
    _require_directory_reader()
    return _organisation_page(queries.organisation_or_404(organisation_id))


def _organisation_page(record: Organisation, *, status: int = 200) -> ResponseReturnValue:
    members = session.scalars(
        queries.active_people()
        .where(Person.organisation_id == record.id)
        .order_by(Person.name_folded)
        .limit(500)
    ).all()
    return render_template(
        "contacts/organisation.html", organisation=record, members=members
    ), status


@bp.route("/organisations/<id:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int) -> ResponseReturnValue:
    _require_editor()
    record = _live_organisation_or_404(organisation_id)
    form = EditOrganisationForm(obj=record)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_organisation(
                record, _organisation_data(form), expected_version=form.version.data or 0
            )
            session.commit()
        except StaleVersion as error:
            # As every other record: the form again, holding what was saved meanwhile.
            session.rollback()
            flash(error.message, "warning")
            session.refresh(record)
            form = EditOrganisationForm(formdata=None, obj=record)
            status = error.status_code
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for(".organisation", organisation_id=record.id))
    elif form.is_submitted():
        status = 422
    return (
        render_template("contacts/organisation_form.html", form=form, organisation=record),
        status,
    )


@bp.route("/organisations/<id:organisation_id>/delete", methods=["GET", "POST"])
@login_required
def delete_organisation(organisation_id: int) -> ResponseReturnValue:
    """GET asks, saying who works there; POST deletes (softly) the organisation as asked."""
    _require_editor()
    record = _live_organisation_or_404(organisation_id)
    if request.method == "GET":
        return _confirm_delete_organisation(record)
    form = DeleteForm(version=record.version)
    if not form.validate_on_submit():
        flash(" ".join(form.form_errors), "error")
        return _confirm_delete_organisation(record, status=400)
    try:
        services.delete_organisation(record, expected_version=form.version.data or 0)
        # Worded before the commit expires the organisation.
        message = gettext(
            "Deleted %(name)s. People who work there keep its name.", name=record.name
        )
        session.commit()
    except StaleVersion as error:
        # What the colleague made of it, to decide again on.
        session.rollback()
        flash(error.message, "warning")
        return _organisation_page(record, status=error.status_code)
    flash(message, "success")
    return redirect(url_for(".organisations"))


def _confirm_delete_organisation(record: Organisation, *, status: int = 200) -> ResponseReturnValue:
    members = session.scalar(
        select(func.count()).where(Person.organisation_id == record.id, Person.deleted_at.is_(None))
    )
    return render_template(
        "contacts/confirm_delete.html",
        what=record.name,
        # The template counts this with ngettext (templates/contacts/confirm_delete.html).
        links=[(members or 0, "person works there", "people work there")],
        version=record.version,
        action=url_for(".delete_organisation", organisation_id=record.id),
        back=url_for(".organisation", organisation_id=record.id),
    ), status


# Roles on a pairing ---------------------------------------------------------------------------


@bp.route("/partnerships/<id:partnership_id>/people/new", methods=["GET", "POST"])
@login_required
def add_role(partnership_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    _require_editor()
    form = RoleForm()
    form.fill_choices(partnership, _person_choices(form))
    status = 200
    if pressed_find():
        pass  # the matches of the search are the form's options now; nothing is saved
    elif form.validate_on_submit():
        person_record = session.get(Person, form.person_id.data)
        try:
            if person_record is None:
                raise DomainError(gettext("Choose a person from the list."), field="person_id")
            services.add_role(
                partnership, person_record, side=form.side.data or "", role=form.role.data or ""
            )
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
            status = error.status_code
        else:
            flash(
                gettext(
                    "Added %(name)s as %(role)s.",
                    name=person_record.full_name,
                    role=form.role.data,
                ),
                "success",
            )
            return redirect(url_for("partnerships.show", partnership_id=partnership_id) + "#people")
    elif form.is_submitted():
        status = 422
    return render_template("contacts/role_form.html", form=form, partnership=partnership), status


@bp.post("/partnerships/<id:partnership_id>/people/<id:role_id>/remove")
@login_required
def remove_role(partnership_id: int, role_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    _require_editor()
    link = session.get(PartnershipRole, role_id)
    if not role_id or (link is not None and link.partnership_id != partnership.id):
        abort(404)  # an id no role can have (out of range), or a role of another pairing
    form = DeleteForm(version=link.version if link is not None else None)
    if not form.validate_on_submit():
        flash(" ".join(form.form_errors), "error")
        return render_show(partnership, status=400)
    try:
        if link is None:
            # Gone since the page was drawn (a colleague's Remove, or a merge that found the
            # survivor already on that side): a change to show, like a stale version, not a
            # page that never was.
            raise StaleVersion(
                gettext(
                    "That person is no longer on this pairing: someone removed them, or merged "
                    "them into another person, a moment ago. Here is the pairing as it is now."
                )
            )
        # Named before the removal: the role is gone afterwards.
        name = link.person.full_name
        services.remove_role(link, expected_version=form.version.data or 0)
        session.commit()
    except StaleVersion as error:
        # The pairing's people as they are now, to decide again on.
        session.rollback()
        flash(error.message, "warning")
        return render_show(partnership, status=error.status_code)
    flash(gettext("%(name)s is no longer listed on this pairing.", name=name), "success")
    return redirect(url_for("partnerships.show", partnership_id=partnership_id) + "#people")


# Helpers ------------------------------------------------------------------------------------


def _live_person_or_404(person_id: int) -> Person:
    record = queries.person_or_404(person_id)
    if record.is_deleted:
        abort(404)
    return record


def _live_organisation_or_404(organisation_id: int) -> Organisation:
    record = queries.organisation_or_404(organisation_id)
    if record.deleted_at is not None:
        abort(404)
    return record


def _organisation_choices(
    form: PersonForm, include: Organisation | None = None
) -> list[SelectChoice]:
    """Every organisation (and `include`, the person's own, even deleted), or, beyond a few
    hundred, the chosen one and the matches of the search typed beside the select, shown with
    their place to tell namesakes apart (crm/contacts/picker.py)."""
    search = select_search(
        form.organisation_id, "organisation_q", needed=picker.organisations_need_search()
    )
    if search is not None:
        found = picker.organisation_candidates(_first(search.selected), search.query)
        if include is not None and include.id in search.selected and include not in found:
            # Deleted since: shown as the plain select shows it, for the service to refuse, not
            # dropped for the form to save "no organisation" unasked.
            found.insert(0, include)
        return [SelectChoice(o.id, picker.organisation_label(o)) for o in found]
    rows = list(session.scalars(queries.active_organisations().order_by(Organisation.name_folded)))
    if include is not None and include not in rows:
        rows.append(include)
    return [SelectChoice(o.id, o.name) for o in rows]


def _person_choices(form: RoleForm) -> list[SelectChoice]:
    """Every person, or, beyond a few hundred, the chosen one and the matches of the search
    typed beside the select (crm/contacts/picker.py)."""
    search = select_search(form.person_id, "person_q", needed=picker.needs_search())
    if search is None:
        return picker.all_choices()
    return picker.searched_choices(_first(search.selected), search.query)


def _merge_choices(form: MergeForm, survivor: Person) -> list[SelectChoice]:
    """Every other person, or, beyond a few hundred, the survivor's possible duplicates, the one
    chosen and the matches of the search typed beside the select (crm/contacts/picker.py)."""
    search = select_search(form.other_id, "person_q", needed=picker.needs_search())
    if search is not None:
        return picker.merge_choices(
            survivor,
            duplicates=services.possible_duplicates(
                survivor.full_name, survivor.email, exclude_id=survivor.id
            ),
            selected_id=_first(search.selected),
            query=search.query,
        )
    rows = session.scalars(
        queries.active_people()
        .where(Person.id != survivor.id)
        .order_by(Person.name_folded, Person.id)
    ).all()
    return [picker.merge_placeholder()] + [
        SelectChoice(picker.merge_value(person), picker.merge_label(person)) for person in rows
    ]


def _first(ids: list[int]) -> int:
    """A single select's one id, or NO_RECORD when it holds none."""
    return ids[0] if ids else NO_RECORD


def _person_data(form: PersonForm) -> services.PersonData:
    return services.PersonData(
        full_name=form.full_name.data or "",
        position=form.position.data or "",
        organisation_id=form.organisation_id.data or None,
        email=form.email.data or "",
        phone=form.phone.data or "",
        country_code=form.country_code.data or "",
        preferred_language=form.preferred_language.data or "",
        notes=form.notes.data or "",
    )


def _organisation_data(form: OrganisationForm) -> services.OrganisationData:
    return services.OrganisationData(
        name=form.name.data or "",
        kind=form.kind.data or "",
        country_code=form.country_code.data or "",
        city=form.city.data or "",
        website=form.website.data or "",
        notes=form.notes.data or "",
    )


def _require_directory_reader() -> None:
    """The people and organisations of every pairing: not for a partner, who sees one pairing."""
    access.require(access.can_see_other_users(current_user))


def _require_editor() -> None:
    if not access.can_edit_pipeline(current_user):
        abort(403)
