"""Recording a panel meeting and its priorities, then actions and outcomes against a priority."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from engage.auth.access import allow
from engage.extensions import db
from engage.models import Panel, Priority
from engage.panels import MANAGERS, blueprint
from engage.panels.helpers import (
    now,
    panel_or_404,
    priority_or_404,
    staff,
    summary,
    theme_choices,
    theme_names,
    today,
)
from engage.panels.pack_views import chosen_period
from engage.repository import panels as records
from engage.services import panels as panel_service
from forms.panels import ActionForm, MeetingForm, OutcomeForm

Page = Response | tuple[str, int] | str


def _day(value: date | None) -> date:
    """A date from a form that passed validation, so never None."""
    assert value is not None
    return value


def _meeting_details(form: MeetingForm) -> panel_service.MeetingDetails:
    """The validated answers; call only after ``validate()`` succeeded."""
    priorities = [
        panel_service.NewPriority(
            wording=slot.wording.data,
            themes=tuple(slot.themes.data),
            owner=slot.owner.data,
            review_on=_day(slot.review_on.data),
        )
        for slot in form.filled_priorities()
    ]
    endings = [
        panel_service.Ending(
            priority_id=int(entry.form.priority_id.data),
            status=entry.form.status.data,
            outcome=entry.form.outcome.data,
            outcome_on=_day(entry.form.outcome_on.data),
        )
        for entry in form.endings
    ]
    return panel_service.MeetingDetails(
        held_on=_day(form.held_on.data),
        attendees=int(form.attendees.data),
        period_start=_day(form.period_start.data),
        period_end=_day(form.period_end.data),
        notes=form.notes.data,
        priorities=priorities,
        endings=endings,
    )


@blueprint.route("/<slug>/meetings/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def record_meeting(slug: str) -> Page:
    panel = panel_or_404(slug)
    open_priorities = records.active_priorities(db.session(), panel.id)
    form = MeetingForm(
        theme_choices=theme_choices(),
        open_priorities=[p.id for p in open_priorities],
        today=today(),
    )
    if not form.is_submitted():
        _, period = chosen_period(today())
        form.period_start.data = period.start
        form.period_end.data = period.end
    if not form.validate_on_submit():
        page = render_template(
            "panels/meeting_form.html",
            form=form,
            errors=summary(form),
            panel=panel,
            open_priorities=open_priorities,
            theme_names=theme_names(),
            nav_active="panels",
        )
        return (page, 400) if form.errors else page
    panel_service.record_meeting(
        db.session(), panel.id, _meeting_details(form), user_id=staff().id, now=now()
    )
    return redirect(url_for("panels.panel", slug=panel.slug), code=303)


@blueprint.route("/priorities/<int:priority_id>/actions/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def record_action(priority_id: int) -> Page:
    priority, panel = priority_or_404(priority_id)
    form = ActionForm(today=today(), set_on=priority.set_on)
    if not form.validate_on_submit():
        return _priority_form_page("panels/action_form.html", form, priority, panel)
    panel_service.record_action(
        db.session(),
        priority.id,
        _day(form.taken_on.data),
        form.description.data,
        user_id=staff().id,
        now=now(),
    )
    return redirect(url_for("panels.panel", slug=panel.slug) + f"#priority-{priority.id}", 303)


@blueprint.route("/priorities/<int:priority_id>/outcome", methods=["GET", "POST"])
@allow(*MANAGERS)
def record_outcome(priority_id: int) -> Page:
    priority, panel = priority_or_404(priority_id)
    if priority.status != "active" and request.method == "GET":
        return redirect(url_for("panels.panel", slug=panel.slug) + f"#priority-{priority.id}")
    form = OutcomeForm(today=today(), set_on=priority.set_on)
    if not form.validate_on_submit():
        return _priority_form_page("panels/outcome_form.html", form, priority, panel)
    panel_service.record_outcome(
        db.session(),
        panel_service.Ending(
            priority_id=priority.id,
            status=form.status.data,
            outcome=form.outcome.data,
            outcome_on=_day(form.outcome_on.data),
        ),
        user_id=staff().id,
        now=now(),
    )
    return redirect(url_for("panels.panel", slug=panel.slug) + f"#priority-{priority.id}", 303)


def _priority_form_page(template: str, form: FlaskForm, priority: Priority, panel: Panel) -> Page:
    """A form about one priority, shown again with its errors (400) or for the first time."""
    page = render_template(
        template,
        form=form,
        errors=summary(form),
        priority=priority,
        panel=panel,
        nav_active="panels",
    )
    return (page, 400) if form.errors else page
