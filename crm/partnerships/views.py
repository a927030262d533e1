from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from crm import access
from crm.auth.models import User
from crm.auth.services import active_users
from crm.db import session
from crm.errors import DomainError, StaleVersion
from crm.forms import SelectSearch, attach_domain_error, posted_a_stale_version, pressed_find
from crm.localities import picker
from crm.partnerships import board, detail, queries, services
from crm.partnerships.filter_choices import filter_choices
from crm.partnerships.forms import (
    ArchiveForm,
    EditPartnershipForm,
    PartnershipForm,
    StageMoveForm,
    StatusForm,
)
from crm.partnerships.models import Partnership, Status
from crm.partnerships.stages import ordered_stages
from crm.routing import NO_RECORD, LinkById, number_arg, record_id_arg, record_id_in
from crm.sectors.services import all_sectors
from crm.sharing.models import PartnershipShare
from crm.sharing.panel import sharing_panel
from crm.tasks.dates import today_for
from crm.tasks.forms import TaskForm
from crm.tasks.queries import overdue_counts

bp = Blueprint("partnerships", __name__, url_prefix="/partnerships")


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    filters = queries.filters_from(request.args)
    statement = queries.filtered(access.visible_partnerships(current_user), filters)
    bound = queries.SEARCH_COUNT_LIMIT if filters.q.strip() else None
    total = queries.count(statement, limit=bound)
    more_than = bound is not None and total > bound
    if more_than:
        total = bound
    per_page = _per_page()
    last_page = max(1, -(-total // per_page))
    page = min(number_arg("page", 1, least=1), last_page)
    partnerships = queries.page_of(statement, filters, page=page, per_page=per_page)
    return render_template(
        "partnerships/index.html",
        partnerships=partnerships,
        pairing_link=LinkById("partnerships.show", "partnership_id"),
        overdue=overdue_counts((p.id for p in partnerships), today_for(current_user)),
        filters=filters,
        total=total,
        more_than=more_than,
        page=page,
        last_page=last_page,
        **_filter_choices(filters),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    _require_pipeline_editor()
    form = PartnershipForm()
    _fill_choices(form)
    if request.method == "GET":
        form.owner_id.data = current_user.id
        for side in ("a", "b"):
            locality_id = record_id_arg(f"locality_{side}")
            if locality_id:
                getattr(form, f"locality_{side}_id").data = locality_id
    if pressed_find():
        return render_template("partnerships/form.html", form=form, partnership=None)
    if form.validate_on_submit():
        try:
            partnership = services.create_partnership(_data_from(form), by=current_user)
            session.commit()
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        except IntegrityError:
            # Another request created the same pairing between our check and our insert.
            session.rollback()
            form.locality_b_id.errors = [gettext("These two localities were paired a moment ago.")]
        else:
            flash(
                gettext(
                    "Created “%(title)s” at %(stage)s.",
                    title=partnership.title,
                    stage=partnership.stage.name,
                ),
                "success",
            )
            return redirect(url_for(".show", partnership_id=partnership.id))
    status = 422 if form.is_submitted() else 200
    return render_template("partnerships/form.html", form=form, partnership=None), status


@bp.get("/<id:partnership_id>")
@login_required
def show(partnership_id: int) -> ResponseReturnValue:
    # Read once, with what the page shows of it.
    partnership = access.get_visible_or_404(current_user, partnership_id, options=PAGE_LOADS)
    return render_show(partnership, fresh=True)


@bp.route("/<id:partnership_id>/edit", methods=["GET", "POST"])
@login_required
def edit(partnership_id: int) -> ResponseReturnValue:
    # Visibility first: a hidden pairing is a 404 for everyone, exactly like a missing one.
    partnership = access.get_visible_or_404(current_user, partnership_id)
    _require_pipeline_editor()
    form = EditPartnershipForm(obj=partnership)
    _fill_choices(form, owner=partnership.owner)
    if request.method == "GET":
        form.sector_ids.data = [sector.id for sector in partnership.sectors]
    status = 200
    if pressed_find():
        return render_template("partnerships/form.html", form=form, partnership=partnership)
    if form.is_submitted() and posted_a_stale_version(form):
        flash(StaleVersion().message, "warning")
        return render_show(partnership, status=409)
    if form.validate_on_submit():
        try:
            services.update_partnership(
                partnership, _data_from(form), expected_version=form.version.data or 0
            )
            session.commit()
        except StaleVersion as error:
            session.rollback()
            flash(error.message, "warning")
            return render_show(session.get(Partnership, partnership_id), status=409)
        except DomainError as error:
            session.rollback()
            attach_domain_error(form, error)
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for(".show", partnership_id=partnership.id))
    if form.is_submitted():
        status = 422
    return render_template("partnerships/form.html", form=form, partnership=partnership), status


@bp.post("/<id:partnership_id>/stage")
@login_required
def move(partnership_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_move(current_user, partnership))
    form = StageMoveForm(version=partnership.version)
    stages = ordered_stages()
    form.stage.choices = [SelectChoice(stage.key, stage.name) for stage in stages]
    from_board = request.form.get("board_query") is not None
    if not form.validate_on_submit():
        message = _first_error(form)
        return _after_move(partnership, from_board, message, "error", 422)
    stage = next((stage for stage in stages if stage.key == form.stage.data), None)
    if stage is None:  # deleted between rendering the choices and now
        abort(422)
    try:
        services.change_stage(
            partnership,
            stage,
            by=current_user,
            note=form.note.data or "",
            expected_version=form.version.data or 0,
        )
        # Worded before the commit expires the objects, so the answer reads nothing again.
        message = gettext(
            "Moved “%(title)s” to %(stage)s.", title=partnership.title, stage=stage.name
        )
        session.commit()
    except StaleVersion as error:
        session.rollback()
        return _after_move(
            session.get(Partnership, partnership_id), from_board, error.message, "warning", 409
        )
    except DomainError as error:
        session.rollback()
        return _after_move(partnership, from_board, error.message, "error", error.status_code)
    if from_board:
        return board.answer_move_from_board(message, "success", 200)
    flash(message, "success")
    return redirect(url_for(".show", partnership_id=partnership_id))


@bp.post("/<id:partnership_id>/status")
@login_required
def change_status(partnership_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_move(current_user, partnership))
    form = StatusForm(version=partnership.version)
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return render_show(partnership, status=422)
    new_status = Status(form.status.data)
    try:
        services.change_status(
            partnership,
            new_status,
            by=current_user,
            note=form.note.data or "",
            expected_version=form.version.data or 0,
        )
        session.commit()
    except StaleVersion as error:
        session.rollback()
        flash(error.message, "warning")
        return render_show(session.get(Partnership, partnership_id), status=409)
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
        return render_show(session.get(Partnership, partnership_id), status=error.status_code)
    flash(_now_in_status(partnership.title, new_status), "success")
    return redirect(url_for(".show", partnership_id=partnership.id))


@bp.post("/<id:partnership_id>/archive")
@login_required
def archive(partnership_id: int) -> ResponseReturnValue:
    partnership = access.get_visible_or_404(current_user, partnership_id)
    access.require(access.can_archive(current_user))
    form = ArchiveForm(version=partnership.version)
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return render_show(partnership, status=400)
    try:
        services.archive_partnership(
            partnership, by=current_user, expected_version=form.version.data or 0
        )
        # Worded before the commit expires the pairing.
        message = gettext(
            "“%(title)s” was deleted (archived). An administrator can restore it.",
            title=partnership.title,
        )
        session.commit()
    except StaleVersion as error:
        # What the other person made of it, to decide again on.
        session.rollback()
        flash(error.message, "warning")
        return render_show(session.get(Partnership, partnership_id), status=409)
    flash(message, "success")
    return redirect(url_for(".index"))


@bp.get("/archived")
@login_required
def archived() -> ResponseReturnValue:
    if not access.can_restore(current_user):
        abort(403)
    partnerships = session.scalars(
        queries.with_card_details(
            access.archived_partnerships(current_user).order_by(
                Partnership.archived_at.desc(), Partnership.id.desc()
            )
        ).limit(500)
    ).all()
    return render_template("partnerships/archived.html", partnerships=partnerships)


@bp.post("/<id:partnership_id>/restore")
@login_required
def restore(partnership_id: int) -> ResponseReturnValue:
    if not access.can_restore(current_user):
        abort(403)
    partnership = session.scalar(
        access.archived_partnerships(current_user).where(Partnership.id == partnership_id)
    )
    if partnership is None:
        abort(404)
    try:
        services.restore_partnership(partnership)
        session.commit()
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".archived")), 303
    flash(gettext("Restored “%(title)s”.", title=partnership.title), "success")
    return redirect(url_for(".show", partnership_id=partnership.id))


def _after_move(
    partnership: Partnership | None, from_board: bool, message: str, category: str, status: int
) -> ResponseReturnValue:
    """Answer a stage move where it came from: the board (htmx or plain form) or the detail page."""
    if partnership is None:
        abort(404)
    if from_board:
        return board.answer_move_from_board(message, category, status)
    flash(message, category)
    if status >= 400:
        return render_show(partnership, status=status)
    return redirect(url_for(".show", partnership_id=partnership.id))


# What the pairing's page shows of the pairing: its localities, owner and stage joined into its
# own statement; its sectors in one more (joining a many-to-many in made SQLite build the whole
# pairing-sector join first: 0.2 s at 100,000 pairings).
PAGE_LOADS = (
    joinedload(Partnership.locality_a),
    joinedload(Partnership.locality_b),
    joinedload(Partnership.owner),
    joinedload(Partnership.stage),
    selectinload(Partnership.sectors),
    # The sharing panel's shares, joined (one-to-many, then many-to-one: no nested join).
    joinedload(Partnership.shares).joinedload(PartnershipShare.user),
    joinedload(Partnership.shares).joinedload(PartnershipShare.shared_by),
)


def render_show(
    partnership: Partnership | None,
    *,
    status: int = 200,
    task_form: TaskForm | None = None,
    fresh: bool = False,
) -> ResponseReturnValue:
    """The pairing's page; `task_form` carries a refused task back with its messages. `fresh`:
    the pairing was just read with `PAGE_LOADS`, so it is not read again."""
    if partnership is None:
        abort(404)
    if not fresh:
        # Read afresh (the page may follow a refused change), with what the page shows of it.
        partnership = (
            session.scalars(
                select(Partnership)
                .where(Partnership.id == partnership.id)
                .options(*PAGE_LOADS)
                .execution_options(populate_existing=True)
            )
            .unique()
            .one()
        )
    stages = ordered_stages()
    history = queries.history_of(partnership)
    move_form = StageMoveForm(formdata=None, version=partnership.version)
    # No stage chosen at first: one click on "Move" must never send a pairing anywhere.
    move_form.stage.choices = [SelectChoice("", gettext("Choose a stage…"))] + [
        SelectChoice(stage.key, stage.name) for stage in stages if stage.id != partnership.stage_id
    ]
    status_form = StatusForm(formdata=None, version=partnership.version)
    # Read once for the task form's assignees and the sharing panel's partners.
    users = active_users()
    return (
        render_template(
            "partnerships/show.html",
            partnership=partnership,
            stages=stages,
            history=history,
            move_form=move_form,
            status_form=status_form,
            **detail.pairing_context(
                partnership, task_form=task_form, history=history, users=users
            ),
            sharing=sharing_panel(current_user, partnership, users=users),
        ),
        status,
    )


def _data_from(form: PartnershipForm) -> services.PartnershipData:
    return services.PartnershipData(
        locality_a_id=form.locality_a_id.data or 0,
        locality_b_id=form.locality_b_id.data or 0,
        owner_id=form.owner_id.data or 0,
        title=form.title.data or "",
        sector_ids=list(form.sector_ids.data or []),
        summary=form.summary.data or "",
        first_contact_on=form.first_contact_on.data,
        target_signing_on=form.target_signing_on.data,
        signed_on=form.signed_on.data,
    )


def _fill_choices(form: PartnershipForm, *, owner: User | None = None) -> None:
    """`owner`: the pairing's, kept in the list even if they may no longer own it, so that the
    form shows who it is and asks for another rather than quietly picking the first."""
    # A few hundred localities fit in a select; beyond that it holds the chosen ones and the
    # matches of the searches typed beside the two (crm/localities/picker.py). Each select
    # keeps its search as `search` for the template's `search_box`, as crm.forms.select_search
    # does; the ids held are `_chosen_id`'s, which also reads the new form's ?locality_a=.
    selects = {"q_a": form.locality_a_id, "q_b": form.locality_b_id}
    if picker.needs_search():
        typed = {box: request.values.get(box, "")[:200] for box in selects}
        chosen = {box: _chosen_id(select) for box, select in selects.items()}
        locality_choices = picker.searched_choices(chosen.values(), typed.values())
        for box, select in selects.items():
            held = [chosen[box]] if chosen[box] else []
            select.search = SelectSearch(box, typed[box], held)  # type: ignore[attr-defined]
    else:
        locality_choices = picker.all_choices()
        for select in selects.values():
            select.search = None  # type: ignore[attr-defined]
    form.locality_a_id.choices = locality_choices
    form.locality_b_id.choices = locality_choices
    form.owner_id.choices = [
        SelectChoice(user.id, user.name)
        for user in access.owner_choices(current_user, keeping=owner)
    ]
    form.sector_ids.choices = [SelectChoice(sector.id, sector.name) for sector in all_sectors()]


def _chosen_id(field: SelectField) -> int:
    """The locality id a select holds now: posted, from the URL, or the record's own."""
    raw = request.form.get(field.name) if request.method == "POST" else None
    if raw is None:
        raw = request.args.get(field.name.removesuffix("_id")) or field.data
    return record_id_in(str(raw or "")) or NO_RECORD


def _filter_choices(filters: queries.PartnershipFilters) -> dict[str, object]:
    return {
        "stages": ordered_stages(),
        "choices": filter_choices(current_user, filters.owner_id),
        "statuses": list(Status),
        "sorts": queries.SORTS,
    }


def _per_page() -> int:
    return int(current_app.config["PAGE_SIZE"])


def _require_pipeline_editor() -> None:
    if not access.can_edit_pipeline(current_user):
        abort(403)


def _first_error(form: StageMoveForm | StatusForm | ArchiveForm) -> str:
    for field_errors in form.errors.values():
        if field_errors:
            return str(field_errors[0])
    return gettext("The form is not valid.")


def _now_in_status(title: str, status: Status) -> str:
    """A whole sentence per status, so that a translation can make the words agree."""
    if status == Status.OPEN:
        return gettext("“%(title)s” is now open.", title=title)
    if status == Status.ON_HOLD:
        return gettext("“%(title)s” is now on hold.", title=title)
    return gettext("“%(title)s” is now dropped.", title=title)
