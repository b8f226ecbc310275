"""The test intake (C2.2–C2.6, C3.1–C3.8, C7.1–C7.2): Form 1 and its supplements as a draft, amended, submitted; its
attachments; what the national approval does. The aggregate it shares with the other kinds is `aggregate.py`."""

import json

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import (
    AccessMode,
    ApplicationKind,
    ApplicationStatus,
    ChannelCategory,
    ChannelForm,
    ChannelStatus,
)
from app.core.errors import Conflict, NotFound, RuleViolation
from app.core.i18n import register_codes
from app.core.timeutil import today
from app.core.transaction import transactional
from app.core.uploads import remove_upload, save_upload
from app.core.validation import check_email, check_phone
from app.extensions import db
from app.modules.accounts.models import Organisation
from app.modules.applications.aggregate import (
    guard_editable,
    guard_submittable,
    lock_application,
    notify_submitted,
    open_round,
)
from app.modules.applications.kinds import kind_of, register_kind
from app.modules.applications.models import (
    Application,
    ApplicationRow,
    Attachment,
    Level2Supplement,
    RowRegion,
    RowService,
    SocialSupplement,
)
from app.modules.applications.numbering import application_number
from app.modules.applications.rules import Problem, eligibility_problems, supplement_problems
from app.modules.channels import lifecycle
from app.modules.channels import rules as channel_rules
from app.modules.channels.lifecycle import Cause
from app.modules.channels.models import Channel, Service
from app.modules.regions.operations import get_regions

HEADER_FIELDS = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "operating_since",
    "serves_livelihood",
    "existing_users",
    "fill_date",
)
SOCIAL_FIELDS = (
    "user_groups",
    "registered_users",
    "monthly_active_users",
    "introduction",
    "download_url",
    "covered_regions",
    "scenario_fit",
    "entry_point",
    "expansion_plan",
    "committed_annual_issuance",
    "committed_mau",
    "company_materials",
)
LEVEL2_FIELDS = ("basic_facts", "management_relation", "capability_relation", "business_relation")
MAX_ROWS = 20
REQUIRED_ATTACHMENT = "test_info_sheet"


def resolve_services(codes: list[str], field: str) -> list[Service]:
    codes = list(dict.fromkeys(codes or []))
    found = {s.code: s for s in db.session.scalars(sa.select(Service).where(Service.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise RuleViolation(
            f"未知的服务：{', '.join(unknown)}",
            f"Unknown service(s): {', '.join(unknown)}",
            code="C2.4",
            fields={field: ["unknown"]},
        )
    return [found[c] for c in codes]


def _parent_scope(parent: Channel) -> tuple[list[str], list[str]]:
    return [r.code for r in parent.regions], [s.code for s in parent.services]


def _build_row(position: int, data: dict, category, parent: Channel | None, inherit: bool) -> ApplicationRow:
    field = f"rows.{position - 1}"
    form, mode = ChannelForm(data["form"]), AccessMode(data["access_mode"])
    channel_rules.check_access_mode(form, mode, f"{field}.access_mode")
    regions, services = data.get("regions") or [], data.get("services") or []
    national = bool(data.get("national_scope"))
    if inherit and parent is not None:
        regions, services = _parent_scope(parent)
        national = False
    service_rows = resolve_services(services, f"{field}.services")
    channel_rules.check_scope(service_rows, category, f"{field}.services")
    if not national and not regions:
        raise RuleViolation(
            "请选择服务地域，或勾选全国范围（C2.3）",
            "Choose service regions or national scope (C2.3)",
            code="C2.3",
            fields={f"{field}.regions": ["required"]},
        )
    get_regions(regions, f"{field}.regions")
    row = ApplicationRow(
        position=position,
        name=data["name"].strip(),
        form=form,
        access_mode=mode,
        national_scope=national,
        channel_id=data.get("channel_id"),
    )
    row.regions = [RowRegion(region_code=c) for c in dict.fromkeys(regions)]
    row.services = [RowService(service_code=s.code) for s in service_rows]
    return row


def _level2_parent(user, data: dict) -> Channel | None:
    if int(data.get("level") or 1) != 2:
        return None
    parent = db.session.get(Channel, data.get("parent_channel_id") or 0)
    if parent is None or parent.owner_id != user.organisation_id:
        raise RuleViolation(
            "二级渠道的入网申请须由其一级渠道所属单位发起（C3.3）",
            "A level-2 application is filed by the owner of its level-1 channel (C3.3)",
            code="C3.3",
            fields={"parent_channel_id": ["not one of your level-1 channels"]},
        )
    same_subject = bool(data.get("same_subject"))
    channel_rules.check_level2_parent(parent, user.organisation_id, same_subject)
    channel_rules.check_inheritance(same_subject, bool(data.get("inherit_parent_scope")))
    return parent


def _check_fill_date(fill_date) -> None:
    """C7.1: Form 1 is dated the day it is filled — never a day still to come (China time)."""
    if fill_date is not None and fill_date > today():
        raise RuleViolation(
            "填表日期不能晚于今天",
            "The fill date cannot lie in the future",
            code="C7.1",
            fields={"fill_date": ["in the future"]},
        )


def _owner_category(app: Application, asked) -> ChannelCategory:
    """C1.2: the category follows the owner — the kind its organisation was registered with (reviewed, S3). An
    application naming another category is refused: only a reviewed change of the organisation changes it."""
    organisation = db.session.get(Organisation, app.applicant_id)
    if asked and asked != organisation.category.value:
        raise RuleViolation(
            f"渠道类别由所属单位的登记类别决定（{organisation.category.title_zh}），"
            "如单位类别有误，请联系权限管理员复核变更（C1.2）",
            f"The category follows the owner's registered kind ({organisation.category.title_en}); if it is wrong, "
            "ask a permission administrator to review and change it (C1.2)",
            code="C1.2",
            fields={"category": ["not the owner's category"]},
        )
    return organisation.category


def _apply_content(app: Application, user, data: dict) -> None:
    """Validate and write the whole content of a draft (C2.3–C2.5, C3.1, C3.3, C3.7, S3)."""
    check_phone(data.get("contact_phone", ""), "contact_phone")
    check_email(data.get("contact_email", ""), "contact_email")
    _check_fill_date(data.get("fill_date"))
    rows = data.get("rows") or []
    if not rows or len(rows) > MAX_ROWS:
        raise RuleViolation(
            f"申请须包含 1 至 {MAX_ROWS} 个渠道",
            f"An application lists 1 to {MAX_ROWS} channels",
            fields={"rows": ["1 to 20 rows"]},
        )
    parent = _level2_parent(user, data)
    app.category = _owner_category(app, data.get("category"))
    app.level = 2 if parent else 1
    app.parent_channel_id = parent.id if parent else None
    app.same_subject = bool(data.get("same_subject")) if parent else None
    app.inherit_parent_scope = bool(data.get("inherit_parent_scope")) if parent else False
    for name in HEADER_FIELDS:
        if name in data and data[name] is not None:
            setattr(app, name, data[name])
    created = {row.position: row.channel for row in app.rows if row.channel is not None}
    if app.rows:
        app.rows.clear()
        db.session.flush()
    app.rows.extend(_build_row(i, row, app.category, parent, app.inherit_parent_scope) for i, row in enumerate(rows, 1))
    _keep_channels(app, created, user)
    _apply_supplements(app, data)


def _keep_channels(app: Application, created: dict, user) -> None:
    """C2.10: an amended returned application keeps the channels its first submission created, row by row; a row
    taken out withdraws its channel (it is no longer applied for)."""
    for row in app.rows:
        row.channel = created.pop(row.position, None)
    for channel in created.values():
        if channel.status == ChannelStatus.applying:
            lifecycle.move(channel, ChannelStatus.withdrawn, Cause.test_intake_withdrawn, user)


def _apply_supplements(app: Application, data: dict) -> None:
    social = data.get("social")
    if app.category == ChannelCategory.social and social is not None:
        app.social = app.social or SocialSupplement()
        for name in SOCIAL_FIELDS:
            if name in social:
                setattr(app.social, name, social[name])
    elif app.category != ChannelCategory.social:
        app.social = None
    level2 = data.get("level2")
    if app.level == 2 and level2 is not None:
        app.level2 = app.level2 or Level2Supplement()
        for name in LEVEL2_FIELDS:
            if name in level2:
                setattr(app.level2, name, level2[name])
    elif app.level != 2:
        app.level2 = None


@transactional
def create_draft(user, data: dict) -> Application:
    """A company user starts a test-intake application (Form 1). The content is validated before the new row joins
    the session, so a refusal never flushes a half-built application."""
    app = Application(
        kind=ApplicationKind.test,
        status=ApplicationStatus.draft,
        applicant_id=user.organisation_id,
        created_by_id=user.id,
        fill_date=data.get("fill_date") or today(),
    )
    _apply_content(app, user, data)
    app.number = application_number("test", app.fill_date)  # S8: the fill date when the number is given
    db.session.add(app)
    audit.record("application.create", app, after=snapshot(app), actor=user)
    return app


@transactional
def update_draft(user, app: Application, data: dict) -> Application:
    """Amend a draft or a returned application (C2.10: a returned application can be amended and resubmitted)."""
    app = lock_application(app.id)
    guard_editable(app)
    if app.kind != ApplicationKind.test:
        raise Conflict(
            "正式入网申请请在正式入网页面修改",
            "Change a production application through the production-intake form",
            code="wrong_kind",
        )
    before = snapshot(app)
    _apply_content(app, user, data)
    audit.record("application.update", app, before=before, after=snapshot(app), actor=user)
    return app


def content(app: Application) -> dict:
    """What the applicant filled in, as plain Python values: the input of the operations, read back."""
    header = {name: getattr(app, name) for name in HEADER_FIELDS}
    return header | {
        "category": str(app.category),
        "level": app.level,
        "parent_channel_id": app.parent_channel_id,
        "same_subject": app.same_subject,
        "inherit_parent_scope": app.inherit_parent_scope,
        "rows": [
            {
                "name": r.name,
                "form": str(r.form),
                "access_mode": str(r.access_mode),
                "national_scope": r.national_scope,
                "regions": r.region_codes,
                "services": r.service_codes,
            }
            for r in app.rows
        ],
        "social": {n: getattr(app.social, n) for n in SOCIAL_FIELDS} if app.social else None,
        "level2": {n: getattr(app.level2, n) for n in LEVEL2_FIELDS} if app.level2 else None,
    }


def snapshot(app: Application) -> dict:
    """The content with number, status and attachment digests, JSON-ready: kept per round and in the audit log."""
    data = content(app) | {
        "number": app.number,
        "status": str(app.status),
        "attachments": [a.sha256 for a in app.attachments],
    }
    return json.loads(json.dumps(data, default=str))


def submission_problems(app: Application) -> list:
    """Everything that stops a submission: C2.2 eligibility, Form 2 / level-2 supplement, required attachment."""
    config = current_app.config
    problems = eligibility_problems(app, today(), config["MIN_OPERATING_MONTHS"], config["SOCIAL_MIN_USERS"])
    problems += supplement_problems(app, app.applicant)
    if not app.contact_name or not (app.contact_phone or app.contact_email):
        problems.append(Problem("contact_name", "请填写联系人及联系方式", "Give a contact person and details", "C7.1"))
    if not any(a.kind == REQUIRED_ATTACHMENT for a in app.attachments):
        problems.append(
            Problem(
                "attachments",
                "请上传《电子社保卡测试信息采集表》（C7.1）",
                "Upload the test information collection sheet (C7.1)",
                "C7.1",
            )
        )
    return problems


def _sync_channels(app: Application) -> None:
    """Create (first round) or update the channels the rows describe; they stay `applying` during review."""
    for row in app.rows:
        channel = row.channel or Channel(owner_id=app.applicant_id, status=lifecycle.INITIAL)
        channel.name, channel.form, channel.access_mode = row.name, row.form, row.access_mode
        channel.category, channel.level = app.category, app.level
        channel.parent_id, channel.same_subject = app.parent_channel_id, app.same_subject
        lifecycle.move(channel, ChannelStatus.applying, Cause.test_intake_filed, None)
        if row.channel is None:
            db.session.add(channel)
            row.channel = channel


@transactional
def submit(user, app: Application) -> Application:
    """Submit (or resubmit) the application: checks C2.2 and the supplements, snapshots the round, routes it (C2.6)."""
    own_submission = kind_of(app).submit
    if own_submission is not None:
        return own_submission(user, app)
    app = lock_application(app.id)
    guard_submittable(app, submission_problems(app))
    _sync_channels(app)
    open_round(user, app, snapshot)
    notify_submitted(app)
    return app


ATTACHMENT_KINDS = {
    "test_info_sheet": ("电子社保卡测试信息采集表", "Test information collection sheet"),
    "social_materials": ("社会渠道入网补充说明材料", "Social-channel supplement materials"),
    "level2_materials": ("二级渠道情况补充说明", "Level-2 supplement materials"),
    "business_licence": ("营业执照", "Business licence"),
    "other": ("其他材料", "Other"),
}
register_codes("attachment_kind", ATTACHMENT_KINDS)


def get_attachment(app: Application, attachment_id: int) -> Attachment:
    attachment = db.session.scalar(
        sa.select(Attachment).where(Attachment.id == attachment_id, Attachment.application_id == app.id)
    )
    if attachment is None:
        raise NotFound()
    return attachment


def add_attachment(user, app: Application, kind: str, stream, filename: str):
    """Attach a file to an editable application. The file is written first and removed if the row cannot be."""
    if kind not in ATTACHMENT_KINDS:
        raise RuleViolation("未知的附件类型", "Unknown attachment kind", fields={"kind": ["unknown"]})
    guard_editable(app)
    stored = save_upload(stream, filename)
    try:
        attachment = _record_attachment(user, app.id, kind, stored)
    except BaseException:
        remove_upload(stored.stored_name)
        raise
    return attachment


@transactional
def _record_attachment(user, app_id: int, kind: str, stored):
    app = lock_application(app_id)
    guard_editable(app)
    attachment = Attachment(
        application_id=app.id,
        kind=kind,
        uploaded_by_id=user.id,
        **stored.columns(),
    )
    db.session.add(attachment)
    audit.record(
        "attachment.add",
        attachment,
        after={"application": app.number, "kind": kind, "sha256": stored.sha256, "size": stored.size},
        actor=user,
    )
    return attachment


def _approve_test_intake(app: Application, grant) -> None:
    """C2.3, C2.6: the national center grants regions (and services) and the test intake is approved; the operator
    then assigns the number and issues the test key."""
    grant()
    app.status = ApplicationStatus.approved


register_kind(
    ApplicationKind.test,
    operator_step=(
        "运营机构环节通过分配渠道编号和签发测试密钥办结",
        "The operator step is completed by assigning the number and issuing the key",
    ),
    national_approval=_approve_test_intake,
)
