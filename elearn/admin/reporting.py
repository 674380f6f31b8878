"""Admin pages for what the reports measure against: the KPI rule, the targets, course deadlines."""

from __future__ import annotations

import unicodedata
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from elearn import db
from elearn.admin.blueprint import bp
from elearn.admin.forms import KpiRuleForm
from elearn.auth.forms import EmptyForm
from elearn.clock import today_in_japan
from elearn.domain.fiscal import fiscal_year
from elearn.domain.kpi import CountingRule, CountUnit
from elearn.domain.people import Tier
from elearn.models import Course
from elearn.services import visibility
from elearn.services.learning import content, deadlines
from elearn.services.reports import kpi
from elearn.web import permitted, viewer


def _this_year() -> int:
    return fiscal_year(today_in_japan())


def _target_years(rule: CountingRule, stored: dict[tuple[int, int], int]) -> list[int]:
    last = max([_this_year() + 2, *(year for _, year in stored)])
    return list(range(min([rule.since_fiscal_year, *(year for _, year in stored)]), last + 1))


def parse_count(text: str) -> int | None:
    """'1,200', '１２００' or '' (no target) -> 1200 or None; anything else raises ValueError."""
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if not cleaned:
        return None
    value = int(cleaned)
    if value < 0:
        raise ValueError(text)
    return value


@bp.route("/kpi", methods=["GET", "POST"])
@permitted(visibility.may_administer)
def kpi_settings():
    rule = kpi.counting_rule()
    action = request.form.get("action") if request.method == "POST" else None
    # Each form reads the request only when it was the one sent; the other shows what is stored.
    rule_form = KpiRuleForm(prefix="rule", formdata=request.form if action == "rule" else None, data={
        "tiers": [tier.value for tier in Tier if tier in rule.tiers], "since_fiscal_year": rule.since_fiscal_year,
        "unit": rule.unit.value, "municipal_staff_count_for_prefecture": rule.municipal_staff_count_for_prefecture})
    targets_form = EmptyForm(prefix="targets")
    stored = kpi.targets()
    bodies = visibility.bodies(viewer())
    years = _target_years(rule, stored)
    entered = {key: f"{value}" for key, value in stored.items()}
    errors: set[tuple[int, int]] = set()

    if action == "rule":
        if rule_form.validate_on_submit():
            kpi.save_rule(current_user, CountingRule(
                frozenset(Tier(value) for value in rule_form.tiers.data), rule_form.since_fiscal_year.data,
                CountUnit(rule_form.unit.data), rule_form.municipal_staff_count_for_prefecture.data))
            flash(_("The counting rule was saved."), "success")
            return redirect(url_for("admin.kpi_settings"))
    elif action == "targets":
        if not targets_form.validate_on_submit():
            abort(400)
        wanted: dict[tuple[int, int], int | None] = {}
        for body in bodies:
            for year in years:
                text = request.form.get(f"target-{body.id}-{year}", "")
                entered[(body.id, year)] = text
                try:
                    wanted[(body.id, year)] = parse_count(text)
                except ValueError:
                    errors.add((body.id, year))
        if not errors:
            changed = kpi.save_targets(current_user, wanted)
            flash(_("%(count)d targets changed.", count=changed), "success")
            return redirect(url_for("admin.kpi_settings"))
        flash(_("Targets must be whole numbers of 0 or more (or left empty). Nothing was saved; "
                "correct the marked cells."), "error")
    return render_template("admin/kpi_settings.html", rule_form=rule_form, targets_form=targets_form,
                           bodies=bodies, years=years, entered=entered, errors=errors), 400 if errors else 200


@bp.route("/deadlines", methods=["GET", "POST"])
@permitted(visibility.may_administer)
def deadline_settings():
    year = request.args.get("fiscal_year", _this_year(), type=int)
    if not 2019 <= year <= _this_year() + 5:
        year = _this_year()
    form = EmptyForm()
    course_ids = dict(db.session().execute(select(Course.slug, Course.id).where(Course.is_active.is_(True))).all())
    courses = [(course_ids[source.slug], source) for source in content.tree().courses if source.slug in course_ids]
    current = deadlines.for_year(year)
    entered = {course_id: due.isoformat() for course_id, due in current.items()}
    errors: set[int] = set()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        wanted: dict[int, date | None] = {}
        for course_id, _source in courses:
            text = request.form.get(f"due-{course_id}", "").strip()
            entered[course_id] = text
            try:
                wanted[course_id] = date.fromisoformat(text) if text else None
            except ValueError:
                errors.add(course_id)
        if not errors:
            changes = deadlines.save(current_user, year, wanted)
            flash(_("%(count)d deadlines changed.", count=len(changes)), "success")
            return redirect(url_for("admin.deadline_settings", fiscal_year=year))
        flash(_("Write dates as YYYY-MM-DD. Nothing was saved; correct the marked rows."), "error")
    return render_template("admin/deadlines.html", form=form, year=year, courses=courses, entered=entered,
                           errors=errors, years=list(range(_this_year() + 1, _this_year() - 5, -1))), \
        400 if errors else 200
