"""Application schemas. Input refuses unknown fields; status, applicant, round and numbers are never inputs."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.enums import AccessMode, ChannelCategory, ChannelForm, Stage, StepStatus
from app.core.i18n import localized
from app.core.schema_fields import ZonedDateTime
from app.modules.accounts.schemas import StrictSchema, id_field

REGION_CODE = fields.String(validate=validate.Regexp(r"^\d{6}$", error="a 6-digit GB/T 2260 code"))


class RowInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    form = fields.String(required=True, validate=validate.OneOf([f.value for f in ChannelForm]))
    access_mode = fields.String(required=True, validate=validate.OneOf([m.value for m in AccessMode]))
    national_scope = fields.Boolean(load_default=False)
    regions = fields.List(REGION_CODE, load_default=list, validate=validate.Length(max=400))
    services = fields.List(
        fields.String(validate=validate.Length(max=48)), load_default=list, validate=validate.Length(max=50)
    )


class SocialInSchema(StrictSchema):
    user_groups = fields.String(validate=validate.Length(max=2000))
    registered_users = fields.Integer(validate=validate.Range(min=0, max=10**12))
    monthly_active_users = fields.Integer(validate=validate.Range(min=0, max=10**12))
    introduction = fields.String(validate=validate.Length(max=4000))
    download_url = fields.String(validate=validate.Length(max=500))
    covered_regions = fields.String(validate=validate.Length(max=2000))
    scenario_fit = fields.String(validate=validate.Length(max=4000))
    entry_point = fields.String(validate=validate.Length(max=2000))
    expansion_plan = fields.String(validate=validate.Length(max=4000))
    committed_annual_issuance = fields.Integer(validate=validate.Range(min=0, max=10**12))
    committed_mau = fields.Integer(validate=validate.Range(min=0, max=10**12))
    company_materials = fields.String(validate=validate.Length(max=2000))


class Level2InSchema(StrictSchema):
    basic_facts = fields.String(validate=validate.Length(max=4000))
    management_relation = fields.String(validate=validate.Length(max=4000))
    capability_relation = fields.String(validate=validate.Length(max=4000))
    business_relation = fields.String(validate=validate.Length(max=4000))


class ApplicationInSchema(StrictSchema):
    category = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([c.value for c in ChannelCategory]),
        metadata={
            "description": "C1.2: the owner's registered kind. May be left out; any other category is refused "
            "(422, code C1.2) — only a reviewed change of the organisation changes it"
        },
    )
    level = fields.Integer(load_default=1, validate=validate.OneOf([1, 2]))
    parent_channel_id = id_field(load_default=None, allow_none=True)
    same_subject = fields.Boolean(load_default=True)
    inherit_parent_scope = fields.Boolean(load_default=False)
    fill_date = fields.Date(load_default=None, allow_none=True)
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=32))
    contact_email = fields.String(load_default="", validate=validate.Length(max=200))
    operating_since = fields.Date(load_default=None, allow_none=True)
    serves_livelihood = fields.Boolean(load_default=False)
    existing_users = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**12))
    rows = fields.List(fields.Nested(RowInSchema), required=True, validate=validate.Length(min=1, max=20))
    social = fields.Nested(SocialInSchema, load_default=None, allow_none=True)
    level2 = fields.Nested(Level2InSchema, load_default=None, allow_none=True)

    @validates_schema
    def level2_needs_parent(self, data, **_kwargs):
        if data.get("level") == 2 and not data.get("parent_channel_id"):
            raise ValidationError("required for a level-2 application (C3.3)", "parent_channel_id")


class RowRegionSchema(Schema):
    code = fields.String(attribute="region_code")
    name_zh = fields.Function(lambda r: r.region.name_zh)
    requested = fields.Boolean()
    granted = fields.Boolean(allow_none=True)


class RowSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    form = fields.String()
    access_mode = fields.String()
    national_scope = fields.Boolean()
    regions = fields.List(fields.Nested(RowRegionSchema))
    services = fields.Function(lambda r: r.service_codes)
    channel_id = fields.Integer(allow_none=True)
    channel_number = fields.Function(lambda r: r.channel.channel_number if r.channel else None)


STEP_STATUSES = (
    "waiting: an earlier stage has not decided yet; pending: this step can be decided now; approved / rejected: "
    "decided (a rejection returns the application to the applicant, C2.10); cancelled: the round ended without this "
    "step (withdrawn, or returned by another step)"
)


class StepSchema(Schema):
    id = fields.Integer()
    round = fields.Integer()
    stage = fields.String(
        validate=validate.OneOf([s.value for s in Stage]),
        metadata={"description": "municipal → provincial → national → operator (C2.6, C4.1)"},
    )
    region_code = fields.String(allow_none=True)
    advisory = fields.Boolean(metadata={"description": "C2.6: an opinion that does not block the chain"})
    status = fields.String(
        validate=validate.OneOf([s.value for s in StepStatus]), metadata={"description": STEP_STATUSES}
    )
    status_title = fields.Function(lambda step: localized((step.status.title_zh, step.status.title_en)))
    handler = fields.String(metadata={"description": "the unit that handles the step"})
    opened_at = ZonedDateTime(allow_none=True)
    opinion = fields.String()
    reviewer_name = fields.String()
    contact = fields.String()
    phone = fields.String()
    decided_at = ZonedDateTime(allow_none=True)


class AttachmentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = ZonedDateTime()


class RoundSchema(Schema):
    round = fields.Integer()
    submitted_at = ZonedDateTime()
    outcome = fields.String(
        allow_none=True, metadata={"description": "null while in review; returned or approved (C2.10)"}
    )
    closed_at = ZonedDateTime(allow_none=True)
    reasons = fields.String(metadata={"description": "why the round was returned"})
    content = fields.Dict(
        metadata={"description": "C2.10, S8: the application as submitted in this round (kept, never overwritten)"}
    )


class ProblemSchema(Schema):
    """What stops a submission or a go-live, with the rule that asks for it."""

    field = fields.String()
    rule = fields.String()
    zh = fields.String()
    en = fields.String()


class ApplicationSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    status = fields.String()
    status_title = fields.Function(lambda a: a.status.title_zh)
    applicant_id = fields.Integer()
    applicant_name = fields.Function(lambda a: a.applicant.name)
    category = fields.String()
    level = fields.Integer()
    parent_channel_id = fields.Integer(allow_none=True)
    same_subject = fields.Boolean(allow_none=True)
    inherit_parent_scope = fields.Boolean()
    fill_date = fields.Date()
    contact_name = fields.String()
    contact_phone = fields.String()
    contact_email = fields.String()
    operating_since = fields.Date(allow_none=True)
    serves_livelihood = fields.Boolean()
    existing_users = fields.Integer()
    round = fields.Integer()
    submitted_at = ZonedDateTime(allow_none=True)
    completed_at = ZonedDateTime(allow_none=True)
    rows = fields.List(fields.Nested(RowSchema))
    social = fields.Nested(SocialInSchema, allow_none=True)
    level2 = fields.Nested(Level2InSchema, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentSchema))
    rounds = fields.List(fields.Nested(RoundSchema))


class ProgressSchema(Schema):
    current_steps = fields.List(fields.Nested(StepSchema))
    steps = fields.List(fields.Nested(StepSchema))


class ApplicationDetailSchema(ApplicationSchema):
    progress = fields.Nested(ProgressSchema)
    submission_problems = fields.List(
        fields.Nested(ProblemSchema),
        metadata={"description": "draft or returned: what would stop POST …/submit now (empty when it would pass)"},
    )


class ApplicationListSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSchema(exclude=("rows", "social", "level2", "attachments", "rounds"))))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class AttachmentInSchema(Schema):
    """multipart/form-data: `kind` and `file`."""

    multipart = True
    kind = fields.String(required=True)
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
