"""Pages of the import of existing channels (issue 16): upload with a dry run, the imports made, each import's
channels and the issuance of their keys (shown once)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.errors import DomainError
from app.core.http.forms import apply_error
from app.core.http.pagination import paginate
from app.core.i18n import _, current_locale
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.accounts.views import fresh_auth
from app.modules.channel_import import operations as ops
from app.modules.channel_import.forms import ChannelImportForm
from app.modules.channel_import.models import ChannelImport, ImportedRecord
from app.modules.channels.panels import register_panel
from app.modules.key_issuance.models import ChannelKey


def import_page():
    ops.guard(current_user)
    form = ChannelImportForm()
    outcome, problems = None, []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            outcome = ops.import_channels(
                current_user, upload.read(), filename=upload.filename or "", source="web", dry_run=form.dry_run.data
            )
        except ops.ImportRefused as exc:
            problems = exc.problems
            flash(exc.message(current_locale())[:300], "danger")
        except DomainError as exc:
            apply_error(form, exc)
        else:
            if outcome.already_imported:
                flash(_("该文件已于此前导入，未新增任何记录"), "warning")
            elif not outcome.dry_run:
                flash(_("已导入"), "success")
                return redirect(url_for("channel_import.import_detail", import_id=outcome.channel_import.id))
    page = paginate(ops.imports_list().options(sa.orm.joinedload(ChannelImport.imported_by)))
    return render_template("channel_import/index.html", form=form, outcome=outcome, problems=problems, page=page)


def import_detail(import_id: int):
    record = ops.get_import(current_user, import_id)
    channels = ops.imported_channels(record)
    keys = {
        k.channel_id
        for k in db.session.scalars(sa.select(ChannelKey).where(ChannelKey.channel_id.in_([c.id for c in channels])))
    }
    legacy = {r.object_id for r in record.records if r.object_type == "channel" and r.legacy_number}
    return render_template(
        "channel_import/detail.html",
        record=record,
        channels=channels,
        keyed=keys,
        legacy=legacy,
        form=ActionForm(),
    )


def issue_keys(import_id: int):
    """Revealing keys needs a fresh proof of identity, as for every key the operator issues."""
    if not fresh_auth():
        return redirect(url_for("accounts.reauth", next=url_for("channel_import.import_detail", import_id=import_id)))
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("channel_import.import_detail", import_id=import_id))
    try:
        issued = ops.issue_keys(current_user, import_id)
    except DomainError as exc:
        flash(exc.message(current_locale()), "danger")
        return redirect(url_for("channel_import.import_detail", import_id=import_id))
    record = ops.get_import(current_user, import_id)
    return render_template("channel_import/keys.html", record=record, issued=issued)


def _channel_panel(channel, user) -> dict | None:
    """Issue 16: a channel brought in by an import says so — when, from which file and line, under which number."""
    mark = db.session.scalar(
        sa.select(ImportedRecord).where(ImportedRecord.object_type == "channel", ImportedRecord.object_id == channel.id)
    )
    return {"mark": mark, "may_open": ops.may_import(user)} if mark else None


register_panel(5, "channel_import/_channel_panel.html", _channel_panel)
