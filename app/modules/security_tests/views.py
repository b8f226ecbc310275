"""Pages of security testing: the institution register (operator) and a channel's reports (C5.3, C5.4)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.errors import DomainError, NotFound
from app.core.http.downloads import send_stored_file
from app.core.http.forms import apply_error, choices
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_channel
from app.core.timeutil import today
from app.extensions import db
from app.modules.security_tests import operations as ops
from app.modules.security_tests.forms import (
    InstitutionForm,
    MajorChangeForm,
    QualificationForm,
    ReportForm,
    SpotCheckForm,
    SpotCheckResultForm,
)
from app.modules.security_tests.models import QUALIFICATIONS, Institution, SpotCheck
from app.modules.security_tests.rules import is_current, missing_qualifications


def institutions():
    items = db.session.scalars(sa.select(Institution).order_by(Institution.name)).all()
    return render_template(
        "security_tests/institutions.html",
        institutions=items,
        today=today(),
        missing=missing_qualifications,
        kinds=QUALIFICATIONS,
        form=InstitutionForm(),
        qualification_form=QualificationForm(),
    )


def new_institution():
    form = InstitutionForm()
    if form.validate_on_submit():
        try:
            ops.create_institution(current_user, form.name.data)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已保存"), "success")
    return redirect(url_for("security_tests.institutions"))


def set_qualification(institution_id: int):
    institution = db.session.get(Institution, institution_id)
    if institution is None:
        raise NotFound()
    form = QualificationForm()
    if form.validate_on_submit():
        try:
            ops.set_qualification(
                current_user,
                institution,
                form.kind.data,
                form.certificate_number.data,
                form.valid_from.data,
                form.valid_until.data,
            )
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已保存"), "success")
    else:
        flash(_("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("security_tests.institutions"))


def _report_form() -> ReportForm:
    form = ReportForm()
    form.institution_id.choices = choices(
        [(i.id, i.name) for i in db.session.scalars(sa.select(Institution).order_by(Institution.name))]
    )
    return form


def channel_reports(channel_id: int):
    return _reports_page(get_channel(current_user, channel_id), _report_form())


def upload_report(channel_id: int):
    channel = get_channel(current_user, channel_id)
    form = _report_form()
    if form.validate_on_submit():
        fields = ("institution_id", "test_date", "version_tested", "covers_spec", "result", "findings")
        try:
            ops.submit_report(
                current_user, channel, {f: form[f].data for f in fields}, form.file.data.stream, form.file.data.filename
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已上传"), "success")
            return redirect(url_for("security_tests.channel_reports", channel_id=channel.id))
    return _reports_page(channel, form)


def _reports_page(channel, form):
    change_form = MajorChangeForm()
    return render_template(
        "security_tests/reports.html",
        channel=channel,
        reports=ops.reports_of(channel),
        form=form,
        change_form=change_form,
        is_current=is_current,
        today=today(),
        spot_checks=ops.spot_checks_of(channel),
        spot_form=SpotCheckForm(),
        result_form=SpotCheckResultForm(),
    )


def declare_major_change(channel_id: int):
    channel = get_channel(current_user, channel_id)
    form = MajorChangeForm()
    if form.validate_on_submit():
        try:
            ops.declare_major_change(current_user, channel, form.kind.data, form.description.data)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已保存"), "success")
    return redirect(url_for("security_tests.channel_reports", channel_id=channel.id))


def download_report(channel_id: int, report_id: int):
    report = ops.get_report(get_channel(current_user, channel_id), report_id)
    return send_stored_file(report.stored_name, report.filename, "application/pdf")


def order_spot_check(channel_id: int):
    """C5.3: the operator orders a spot check (or a re-test after rectification)."""
    channel = get_channel(current_user, channel_id)
    form = SpotCheckForm()
    if form.validate_on_submit():
        try:
            ops.order_spot_check(current_user, channel, form.reason.data, bool(form.is_retest.data))
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已保存"), "success")
    else:
        flash(_("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("security_tests.channel_reports", channel_id=channel.id))


def record_spot_check(check_id: int):
    """C5.3: the result; a failed re-test suspends a live channel until a passing report is accepted."""
    check = db.session.get(SpotCheck, check_id)
    if check is None:
        raise NotFound()
    channel = get_channel(current_user, check.channel_id)
    form = SpotCheckResultForm()
    if form.validate_on_submit():
        try:
            ops.record_spot_check(current_user, check, form.result.data, form.notes.data or "")
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已保存"), "success")
    return redirect(url_for("security_tests.channel_reports", channel_id=channel.id))
