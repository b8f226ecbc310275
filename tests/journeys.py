"""The steps of the intake journey as the app's own operations, for tests that need a channel at a given stage:
a channel in integration testing, a qualified institution and a passing report, a production application filed,
reviewed, verified, the agreement signed and countersigned, the channel live."""

import io
from datetime import date, timedelta

import sqlalchemy as sa

from app.core.timeutil import today
from app.extensions import db
from app.modules.agreements import operations as agreements
from app.modules.key_issuance.operations import complete_test_intake
from app.modules.production import operations as production
from app.modules.production.models import CHECKLIST
from app.modules.reviews.operations import decide_step, round_steps
from app.modules.security_tests import operations as security_tests
from app.modules.security_tests.models import QUALIFICATIONS, Institution
from tests.conftest import PDF
from tests.key_issuance.test_issue import approved_application

# The smallest byte strings that pass the type checks: an ISO base media file ("ftyp" box) and a PDF.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64
AGREEMENT_TEXT = "电子社会保障卡服务渠道合作协议\n第一条 双方依照《电子社保卡服务渠道管理办法》开展合作。"


def channel_in_testing(world, **overrides):
    """A channel from the foundation journey: test intake approved, number and test key issued (C2.6)."""
    issued = complete_test_intake(world.operator, approved_application(world, **overrides).id)[0]
    return issued.channel


def qualified_institution(world, name: str = "国家信息安全测评中心"):
    """The institution of that name, registered with all four qualifications on first use."""
    existing = db.session.scalar(sa.select(Institution).where(Institution.name == name))
    if existing is not None:
        return existing
    institution = security_tests.create_institution(world.operator, name)
    for kind in QUALIFICATIONS:
        security_tests.set_qualification(
            world.operator, institution, kind, f"{kind.upper()}-001", date(2024, 1, 1), date(2028, 12, 31)
        )
    return institution


def passing_report(world, channel, institution=None, **overrides):
    institution = institution or qualified_institution(world)
    data = {
        "institution_id": institution.id,
        "test_date": today() - timedelta(days=30),
        "version_tested": "5.2.0",
        "covers_spec": True,
        "result": "pass",
        "findings": "无高危问题",
    } | overrides
    return security_tests.submit_report(world.company_a, channel, data, io.BytesIO(PDF), "检测报告.pdf")


def production_draft(world, channel, report=None):
    report = report or passing_report(world, channel)
    data = {
        "contact_name": "张三",
        "contact_phone": "13912345678",
        "contact_email": "zhang@example.cn",
        "security_report_id": report.id,
    }
    return production.create_production_draft(world.company_a, channel, data)


def upload_recordings(world, app):
    production.upload_recording(world.company_a, app, "ios", io.BytesIO(MOV), "ios.mov")
    production.upload_recording(world.company_a, app, "android", io.BytesIO(MP4), "android.mp4")


def filed_production(world, channel=None):
    channel = channel or channel_in_testing(world)
    app = production_draft(world, channel)
    upload_recordings(world, app)
    return production.submit_production(world.company_a, app)


def reviewed_production(world, app):
    """Municipal and provincial, then national approval (C2.8)."""
    reviewers = {"370100": world.jinan, "370200": world.qingdao, "370000": world.shandong}
    for stage in ("municipal", "provincial", "national"):
        for step in [s for s in round_steps(app) if s.stage == stage]:
            user = world.national if stage == "national" else reviewers[step.region_code]
            decide_step(user, step.id, True, "同意", user.display_name, "13800000000")
    return app


def verified_production(world, app):
    for platform in ("ios", "android"):
        production.check_recording(world.operator, app.id, platform, list(CHECKLIST))
    production.review_report(world.operator, app.id, True)
    return production.verify(world.operator, app.id, True, "录屏与报告核验通过", "运营", "13800000000")


def published_agreement(world, effective_from=None):
    return agreements.publish_version(world.operator, "2026.1", "", AGREEMENT_TEXT, effective_from or today())


def signed_agreement(world, channel, version=None):
    version = version or agreements.current_version() or published_agreement(world)
    agreement = agreements.sign(world.company_a, channel, version.id, version.sha256, True)
    return agreements.countersign(world.operator, agreement.id)


def live_channel(world, channel=None):
    """The whole journey: testing → production review → live, returning the channel and its production key."""
    app = verified_production(world, reviewed_production(world, filed_production(world, channel)))
    channel = production.production_channel(app)
    signed_agreement(world, channel)
    issued = production.go_live(world.operator, app.id)
    return channel, issued
