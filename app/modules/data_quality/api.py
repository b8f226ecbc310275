"""API of the data-quality report (S6) and its export (S5)."""

from flask import Response, stream_with_context
from flask_login import current_user
from marshmallow import Schema, fields

from app.core.http.api import api_bp, doc
from app.core.i18n import localized
from app.modules.data_quality import operations as ops


class FindingSchema(Schema):
    domain = fields.String(metadata={"description": "organisations, channels, contacts or figures"})
    measure = fields.String(metadata={"description": "completeness, anomaly or duplicate"})
    record = fields.String()
    problem = fields.Function(lambda f: localized(f.detail))


class DataQualitySchema(Schema):
    rates = fields.Dict(
        metadata={"description": "{domain: {total, completeness|anomaly|duplicate: {records, of, rate}}}"}
    )
    findings = fields.List(fields.Nested(FindingSchema), metadata={"description": "every offending record"})


@api_bp.get("/data-quality")
@doc(
    "Data quality (S6): completeness, anomaly and duplicate rates of organisations, channels, contacts and monthly "
    "figures, with every offending record",
    response_schema=DataQualitySchema,
    tag="data_quality",
)
def data_quality_api():
    report = ops.report_for(current_user)
    return DataQualitySchema().dump({"rates": report.rates(), "findings": report.findings})


@api_bp.get("/data-quality/export.csv")
@doc("Export the offending records as CSV (S5: its own permission, logged)", tag="data_quality", produces=("text/csv",))
def data_quality_export_api():
    lines = ops.export_csv(current_user)
    headers = {"Content-Disposition": "attachment; filename=data-quality.csv"}
    return Response(stream_with_context(lines), mimetype="text/csv; charset=utf-8", headers=headers)
