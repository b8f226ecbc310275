"""The data-quality page (S6): the rates per kind of record and measure, and the offending records."""

from flask import Response, render_template, request, stream_with_context, url_for
from flask_login import current_user

from app.modules.data_quality import operations as ops
from app.modules.data_quality.measures import DOMAINS, MEASURES

SHOWN = 50


def data_quality():
    report = ops.report_for(current_user)
    domain, measure = request.args.get("domain", ""), request.args.get("measure", "")
    chosen = (domain, measure) if domain in DOMAINS and measure in MEASURES else None
    findings = report.offending(*chosen) if chosen else []
    return render_template(
        "data_quality/index.html",
        rates=report.rates(),
        domains=DOMAINS,
        measures=MEASURES,
        chosen=chosen,
        findings=findings[:SHOWN],
        more=max(0, len(findings) - SHOWN),
        link=_link,
    )


def _link(finding) -> str | None:
    if finding.link is None:
        return None
    kind, object_id = finding.link
    if kind == "channel":
        return url_for("channels.channel_detail", channel_id=object_id)
    return url_for("accounts.list_organisations")


def export():
    lines = ops.export_csv(current_user)
    headers = {"Content-Disposition": "attachment; filename=data-quality.csv"}
    return Response(stream_with_context(lines), mimetype="text/csv; charset=utf-8", headers=headers)
