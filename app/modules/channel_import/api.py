"""API of the import of existing channels (issue 16): upload (or dry-run) an archive, list imports, issue keys."""

from flask import jsonify, request
from flask_login import current_user
from marshmallow import Schema, fields

from app.core.http.api import api_bp, doc
from app.core.i18n import current_locale
from app.core.schema_fields import ZonedDateTime
from app.extensions import db
from app.modules.channel_import import operations as ops


class ImportOutcomeSchema(Schema):
    dry_run = fields.Boolean()
    already_imported = fields.Boolean(metadata={"description": "the same file (SHA-256) was imported before"})
    sha256 = fields.String()
    import_id = fields.Integer(allow_none=True)
    created = fields.Dict(metadata={"description": "records created (or, in a dry run, that would be), by kind"})


class ChannelImportSchema(Schema):
    id = fields.Integer()
    sha256 = fields.String()
    filename = fields.String()
    source = fields.String()
    counts = fields.Dict()
    imported_by = fields.Function(lambda i: i.imported_by.display_name)
    imported_at = ZonedDateTime()


class ChannelImportListSchema(Schema):
    items = fields.List(fields.Nested(ChannelImportSchema))


class ImportKeySchema(Schema):
    channel_number = fields.Function(lambda k: k.channel.channel_number)
    key_id = fields.Function(lambda k: k.key.key_id)
    environment = fields.Function(lambda k: str(k.key.environment))
    secret = fields.String(metadata={"description": "shown once, for hand-over to the channel"})


class ImportKeyListSchema(Schema):
    items = fields.List(fields.Nested(ImportKeySchema))


def refused(exc: ops.ImportRefused):
    body = {"code": exc.code, "message": exc.message(current_locale()), "fields": exc.fields, "problems": exc.problems}
    return jsonify({"error": body}), 422


@api_bp.post("/channel-imports")
@doc(
    "Operator: import existing channels from a ZIP of CSV files (README, 'Existing channels'); `?dry_run=1` checks "
    "and reports what would be created. All or nothing: 422 import_refused lists every problem (file, line, field, "
    "reason). The same file again creates nothing (already_imported).",
    response_schema=ImportOutcomeSchema,
    tag="channel_import",
    status=201,
    raw_body=("application/zip",),
    query={"dry_run": {"type": "boolean"}, "filename": {"type": "string"}},
)
def import_channels_api():
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "yes")
    try:
        outcome = ops.import_channels(
            current_user,
            request.get_data(),
            filename=request.args.get("filename", ""),
            source="api",
            dry_run=dry_run,
        )
    except ops.ImportRefused as exc:
        return refused(exc)
    created = not (outcome.dry_run or outcome.already_imported)
    return ImportOutcomeSchema().dump(outcome.as_dict()), 201 if created else 200


@api_bp.get("/channel-imports")
@doc(
    "Operator: the imports of existing channels, newest first",
    response_schema=ChannelImportListSchema,
    tag="channel_import",
)
def list_channel_imports_api():
    ops.guard(current_user)
    items = db.session.scalars(ops.imports_list().limit(200)).all()
    return {"items": ChannelImportSchema(many=True).dump(items)}


@api_bp.post("/channel-imports/<int:import_id>/keys")
@doc(
    "Operator: issue a production key for each live imported channel (a test key for each in testing) that has "
    "none active; the secrets are in this answer only — hand each to its channel (C5.1)",
    response_schema=ImportKeyListSchema,
    tag="channel_import",
)
def issue_import_keys_api(import_id: int):
    return {"items": ImportKeySchema(many=True).dump(ops.issue_keys(current_user, import_id))}
