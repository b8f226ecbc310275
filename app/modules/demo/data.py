"""Demo data for `make run`: one account per role, organisations, and channels in every state the service can reach
today, all created through the same operations the UI and API use (so the audit log and inbox are real)."""

import csv
import io
import zipfile
from contextlib import suppress
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.core import audit, totp
from app.core.enums import Role, Stage
from app.core.timeutil import today, utcnow
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.accounts.operations import (
    confirm_totp,
    create_organisation,
    create_user,
    start_totp_enrollment,
    totp_secret,
)
from app.modules.accounts.rules import make_uscc
from app.modules.accounts.signin import LoginFailed, authenticate
from app.modules.agreements import operations as agreements
from app.modules.agreements.rules import add_months
from app.modules.applications import aggregate
from app.modules.applications import operations as apps
from app.modules.channel_import.operations import import_channels, issue_keys
from app.modules.channels.models import Channel
from app.modules.exits import operations as exits
from app.modules.incidents import operations as incidents
from app.modules.key_issuance.operations import complete_test_intake
from app.modules.monitoring.evaluation import evaluate
from app.modules.monitoring.jobs import check_missing_reports
from app.modules.monitoring.rules import parse_month
from app.modules.notices import operations as notices
from app.modules.production import operations as production
from app.modules.production.models import CHECKLIST
from app.modules.promotions import operations as promotions
from app.modules.reviews.operations import decide_step, round_steps
from app.modules.security_tests import operations as security_tests
from app.modules.security_tests.models import QUALIFICATIONS
from app.modules.work_orders import operations as work_orders

DEMO_PASSWORD = "Demo-essc-2026"
PDF = b"%PDF-1.4\n% demo test information collection sheet\n"
STAFF = [
    ("admin", Role.admin, "权限管理员 周敏", None),
    ("operator", Role.operator, "运营专员 陈晨", None),
    ("national", Role.national_reviewer, "部信息中心 刘洋", None),
    ("shandong", Role.provincial_reviewer, "山东省信息中心 王磊", "370000"),
    ("jinan", Role.municipal_reviewer, "济南市信息中心 李娜", "370100"),
    ("qingdao", Role.municipal_reviewer, "青岛市信息中心 赵强", "370200"),
    ("auditor", Role.auditor, "审计员 孙悦", None),
]
SOCIAL = {
    "user_groups": "城市居民、在职职工",
    "registered_users": 5_200_000,
    "monthly_active_users": 1_300_000,
    "introduction": "本地生活服务平台，提供缴费、出行、政务服务入口",
    "download_url": "https://example.cn/huimin",
    "covered_regions": "山东省济南市、青岛市",
    "scenario_fit": "社保查询、医保缴费与民生服务一站办理",
    "entry_point": "首页-民生服务-电子社保卡",
    "expansion_plan": "逐步接入就业服务与医保电子凭证",
    "committed_annual_issuance": 300_000,
    "committed_mau": 120_000,
    "company_materials": "营业执照、资质证书",
}


def _row(name, form="app", mode="h5", regions=("370100",), services=("standard",), national=False):
    return {
        "name": name,
        "form": form,
        "access_mode": mode,
        "regions": list(regions),
        "services": list(services),
        "national_scope": national,
    }


def _data(category, rows, **extra):
    data = {
        "category": category,
        "contact_name": "张敏",
        "contact_phone": "13912345678",
        "contact_email": "contact@example.cn",
        "operating_since": date(2019, 6, 1),
        "serves_livelihood": True,
        "existing_users": 5_200_000 if category == "social" else 50_000,
        "rows": rows,
        "social": SOCIAL if category == "social" else None,
    }
    return data | extra


def _file(user, data, submit=True):
    draft = apps.create_draft(user, data)
    apps.add_attachment(user, draft, "test_info_sheet", io.BytesIO(PDF), "测试信息采集表.pdf")
    return apps.submit(user, draft) if submit else draft


def _advance(app, users, until: Stage | None):
    """Approve the review steps of `app` stage by stage, stopping before `until`."""
    for stage in (Stage.municipal, Stage.provincial, Stage.national):
        if stage == until:
            return
        for step in [s for s in round_steps(app) if s.stage == stage]:
            user = users["national"] if stage == Stage.national else users[step.region_code]
            decide_step(user, step.id, True, "材料齐全，同意。", user.display_name, "053188880000")


def _staff(name, password, role, real, **kw):
    """A staff account with its second factor already enrolled (S11), as the user would at first sign-in."""
    user = create_user(name, password, role, real, **kw)
    secret = start_totp_enrollment(user)
    confirm_totp(user, totp.code_at(secret, totp.current_step()))
    return user


def current_code(username: str) -> str:
    """The code a demo staff account's authenticator would show now (development only: `flask demo otp`)."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.totp_enabled:
        raise LookupError(f"{username} has no second factor")
    secret = totp_secret(user)
    return totp.code_at(secret, max(totp.current_step(), user.totp_last_step + 1))


def load_demo() -> bool:
    if db.session.scalar(sa.select(User.id).where(User.username == "admin")):
        return False
    staff = {
        name: _staff(
            name, DEMO_PASSWORD, role, real, region_code=region, phone="053188880000", email=f"{name}@example.cn"
        )
        for name, role, real, region in STAFF
    }
    users = {
        "national": staff["national"],
        "370000": staff["shandong"],
        "370100": staff["jinan"],
        "370200": staff["qingdao"],
    }
    orgs = {
        "huimin": create_organisation(
            "山东惠民科技有限公司", make_uscc("91370100000000001"), "济南市历下区", date(2015, 3, 1), category="social"
        ),
        "bank": create_organisation(
            "齐鲁商业银行股份有限公司",
            make_uscc("91370000000000002"),
            "济南市市中区",
            date(2008, 9, 1),
            category="bank",
        ),
        "signed": create_organisation(
            "全民通平台科技有限公司",
            make_uscc("91110000000000003"),
            "北京市海淀区",
            date(2012, 1, 1),
            category="national_signed",
        ),
    }
    companies = {
        k: create_user(
            f"{k}_user",
            DEMO_PASSWORD,
            Role.company,
            f"{o.name} 经办人",
            organisation_id=o.id,
            phone="13912345678",
            email=f"{k}@example.cn",
        )
        for k, o in orgs.items()
    }
    _channels(companies, staff, users)
    db.session.commit()
    return True


def _channels(companies, staff, users):
    huimin, bank, signed = companies["huimin"], companies["bank"], companies["signed"]
    _file(huimin, _data("social", [_row("惠民生活APP（草稿）", mode="sdk")]), submit=False)
    _file(huimin, _data("social", [_row("惠民生活APP", mode="sdk", services=("standard", "qr_login"))]))
    at_province = _file(bank, _data("bank", [_row("齐鲁银行手机银行", regions=("370100", "370200"))]))
    _advance(at_province, users, Stage.provincial)
    at_national = _file(bank, _data("bank", [_row("齐鲁银行公众号", form="official_account")]))
    _advance(at_national, users, Stage.national)
    returned = _file(huimin, _data("social", [_row("惠民小程序", form="mini_program", regions=("370200",))]))
    step = next(s for s in round_steps(returned) if s.stage == Stage.municipal)
    decide_step(
        staff["qingdao"], step.id, False, "用户规模证明材料不足，请补充第三方统计报告。", "赵强", "053288880000"
    )
    _file(huimin, _data("social", [_row("惠民健康小程序", form="mini_program", regions=("370200",))]))  # at Qingdao
    national_scope = _file(signed, _data("national_signed", [_row("全民通APP", mode="sdk", national=True, regions=())]))
    shandong = next(s for s in round_steps(national_scope) if s.region_code == "370000")
    decide_step(staff["shandong"], shandong.id, True, "同意在本省开通。", "王磊", "053188880000")
    approved = _file(huimin, _data("social", [_row("惠民政务公众号", form="official_account")]))
    _advance(approved, users, None)
    testing = _file(bank, _data("bank", [_row("齐鲁银行生活号", form="life_account")]))
    _advance(testing, users, None)
    parent = complete_test_intake(staff["operator"], testing.id)[0].channel
    level2 = _file(
        bank,
        _data(
            "bank",
            [_row("齐鲁银行信用卡小程序", form="mini_program")],
            level=2,
            parent_channel_id=parent.id,
            same_subject=True,
            inherit_parent_scope=True,
            level2={
                "basic_facts": "信用卡客户约80万人",
                "management_relation": "同一法人，信用卡中心运营",
                "capability_relation": "复用手机银行账户体系与实人认证",
                "business_relation": "服务地域与应用范围同一级渠道",
            },
        ),
    )
    _advance(level2, users, None)
    complete_test_intake(staff["operator"], level2.id)
    withdrawn = _file(huimin, _data("social", [_row("惠民旧版APP", mode="sdk")]))
    aggregate.withdraw(huimin, withdrawn)
    _production_stage(bank, staff, users, parent)


# A minimal ISO base media header: enough for the type check of the demo recordings (C2.9); not a playable video.
DEMO_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 1024
AGREEMENT_TEXT = """电子社会保障卡服务渠道合作协议（示例文本）

甲方：电子社会保障卡平台运营机构
乙方：渠道所属单位

第一条 乙方依照《电子社会保障卡服务渠道管理办法》接入电子社会保障卡服务。
第二条 乙方按照接入安全技术规范保障用户数据安全，发生安全事件立即报告。
第三条 协议期限一年，期满按管理办法规定续签。
"""


def _institution(operator):
    institution = security_tests.create_institution(operator, "国家信息技术安全研究中心（示例）")
    for kind in QUALIFICATIONS:
        security_tests.set_qualification(
            operator, institution, kind, f"{kind.upper()}-2024-001", date(2024, 1, 1), date(2028, 12, 31)
        )
    return institution


def _report(user, channel, institution):
    data = {
        "institution_id": institution.id,
        "test_date": today() - timedelta(days=45),
        "version_tested": "6.1.0",
        "covers_spec": True,
        "result": "pass",
        "findings": "未发现高危漏洞；两项中危问题已整改。",
    }
    return security_tests.submit_report(user, channel, data, io.BytesIO(PDF), "安全检测报告.pdf")


def _file_production(user, channel, report):
    contact = {"contact_name": "张敏", "contact_phone": "13912345678", "contact_email": "contact@example.cn"}
    app = production.create_production_draft(user, channel, contact | {"security_report_id": report.id})
    for platform in ("ios", "android"):
        production.upload_recording(user, app, platform, io.BytesIO(DEMO_MP4), f"{platform}-录屏.mp4")
    return production.submit_production(user, app)


def _tested_channel(bank, users, operator, name, **row):
    """A bank channel through test intake: reviews, number and test key (C2.6)."""
    app = _file(bank, _data("bank", [_row(name, **row)]))
    _advance(app, users, None)
    return complete_test_intake(operator, app.id)[0].channel


def _take_live(bank, users, operator, channel, institution, version):
    """C2.8 to the end: verified and countersigned, then the production key."""
    production.go_live(operator, _verified(bank, users, operator, channel, institution, version).id)


def _verified(bank, users, operator, channel, institution, version):
    """C2.8 up to the production key: report, Form 3 with recordings, the review chain, verification, the agreement."""
    app = _file_production(bank, channel, _report(bank, channel, institution))
    _advance(app, users, None)
    for platform in ("ios", "android"):
        production.check_recording(operator, app.id, platform, list(CHECKLIST))
    production.review_report(operator, app.id, True)
    production.verify(operator, app.id, True, "录屏六项操作齐全，检测报告有效。", operator.display_name, "053188880000")
    signed = agreements.sign(bank, channel, version.id, version.sha256, True)
    agreements.countersign(operator, signed.id)
    return app


def _production_stage(bank, staff, users, live_one):
    """C2.8: one channel live, one at the operator's verification, one suspended after a failed re-test (C5.3); the
    agreement in force and a new version announced (C4.12)."""
    operator = staff["operator"]
    institution = _institution(operator)
    version = agreements.publish_version(operator, "2026.1", "", AGREEMENT_TEXT, today().replace(month=1, day=1))
    _take_live(bank, users, operator, live_one, institution, version)
    channel = _tested_channel(bank, users, operator, "齐鲁银行手机银行H5", regions=("370200",))
    _advance(_file_production(bank, channel, _report(bank, channel, institution)), users, None)
    channel = _tested_channel(bank, users, operator, "齐鲁银行老年版APP", mode="sdk")
    _take_live(bank, users, operator, channel, institution, version)
    check = security_tests.order_spot_check(operator, channel, "整改后复测", is_retest=True)
    security_tests.record_spot_check(operator, check, "fail", "复测仍存在越权访问问题")
    upcoming = agreements.publish_version(
        operator, "2027.1", "", AGREEMENT_TEXT + "第四条 乙方每月报送签发量和活跃用户数。\n", add_months(today(), 3)
    )
    agreements.sign(bank, live_one, upcoming.id, upcoming.sha256, True)  # waiting for the operator's countersignature
    _operations(bank, operator, live_one)
    _existing_channels(operator)
    _incidents_and_exits(bank, operator, live_one, users)
    _go_live_waiting(bank, users, operator, institution, upcoming)
    _incident_follow_up(bank, staff, users)
    _exits_further_on(bank, staff, users)
    _late_work(bank, operator, live_one)


def _incidents_and_exits(bank, operator, live_one, users):
    """C5.2: an incident the live channel reported, waiting for the operator; C6: a voluntary exit asking Shandong for
    its opinion; a channel in a forced exit's transition (`exiting`); another forced exit run to completion
    — the channel `exited`, its data deleted, the certificate kept."""
    by_name = {
        c.name: c for c in db.session.scalars(sa.select(Channel).where(Channel.owner_id == bank.organisation_id))
    }
    incidents.report_incident(
        bank,
        live_one.id,
        {
            "incident_type": "page_tampering",
            "discovered_at": utcnow(),
            "description": "活动页面被植入外链，已下线该页面。",
        },
    )
    exits.apply_exit(bank, by_name["齐鲁银行手机银行H5"].id, add_months(today(), 3), "该H5入口并入手机银行APP")
    old = _tested_channel(bank, users, operator, "齐鲁银行旧版H5", regions=("370100",))
    forced = exits.open_forced_exit(operator, old.id, "reputation_damage", "冒用电子社保卡名义开展收费活动")
    exits.complete_due(forced.transition_end)
    leaving = _tested_channel(bank, users, operator, "齐鲁银行旧版小程序", form="mini_program")
    exits.open_forced_exit(operator, leaving.id, "security_report_overdue", "逾期未提交合格的安全检测报告")


def _go_live_waiting(bank, users, operator, institution, version):
    """C2.8: a channel verified, its agreement countersigned, waiting for the operator to issue its production key."""
    channel = _tested_channel(bank, users, operator, "齐鲁银行企业网银", regions=("370100",))
    _verified(bank, users, operator, channel, institution, version)


def _incident_follow_up(bank, staff, users):
    """C5.5, C4.11: a level-2 incident whose rectification report waits for the operator (and whose rectification the
    owner still owes); another rectified and restored, its observation period over, waiting for the national
    center's renewal approval."""
    operator = staff["operator"]
    for name, restored in (("齐鲁银行社保服务小程序", False), ("齐鲁银行微信服务号", True)):
        channel = _tested_channel(
            bank, users, operator, name, form="mini_program" if not restored else "official_account"
        )
        incident = incidents.record_incident(
            operator,
            channel.id,
            {"incident_type": "general_leak", "discovered_at": utcnow(), "description": "日志中发现未脱敏的手机号码。"},
        )
        incidents.confirm(operator, incident.id)
        rectification = incidents.file_rectification(bank, incident.id, "已对日志脱敏并清理历史日志，完成复核。")
        if restored:
            incidents.decide_rectification(operator, rectification.id, True, "整改到位。")
            incidents.restore(operator, incident.id)
            incident.observation_until = today() - timedelta(days=1)  # six stable months, compressed for the demo
    db.session.commit()


def _exits_further_on(bank, staff, users):
    """C6.1, C6.2: a voluntary exit the province agreed to, waiting for the national decision; another approved,
    waiting for the operator to notify the channel."""
    for name, approved in (("齐鲁银行社保卡H5", False), ("齐鲁银行旧版公众号", True)):
        channel = _tested_channel(bank, users, staff["operator"], name, regions=("370100",))
        exit_ = exits.apply_exit(bank, channel.id, add_months(today(), 3), "业务整合，入口并入手机银行APP")
        exits.give_opinion(staff["shandong"], exit_.id, True, "同意退出。")
        if approved:
            exits.national_decide(staff["national"], exit_.id, True, "同意，请运营机构通知渠道。")


def _late_work(bank, operator, live_one):
    """Work past its time: a work order unanswered beyond the response time (C4.6), a live channel that has not
    reported last month's figures (C3.6), an account locked after wrong passwords and a reviewer who has not
    enrolled a second factor (S11), a request refused (S4)."""
    order = work_orders.file_work_order(bank, live_one.id, "对账文件缺少字段", "月度对账文件缺少签发渠道字段，请核查。")
    order.created_at = utcnow() - timedelta(hours=30)  # filed yesterday morning, still unanswered
    db.session.commit()
    due_day = current_app.config["STATISTICS_DUE_DAY"]
    check_missing_reports(today() if today().day >= due_day else today().replace(day=due_day))
    create_user(
        "qingdao_new",
        DEMO_PASSWORD,
        Role.municipal_reviewer,
        "青岛市信息中心 周婷",
        region_code="370200",
        phone="053288880001",
        email="qingdao_new@example.cn",
    )
    create_user(
        "huimin_clerk",
        DEMO_PASSWORD,
        Role.company,
        "山东惠民科技有限公司 经办人（二）",
        organisation_id=db.session.scalar(sa.select(User.organisation_id).where(User.username == "huimin_user")),
        phone="13912345679",
        email="clerk@example.cn",
    )
    for _ in range(current_app.config["LOGIN_MAX_FAILURES"]):
        with suppress(LoginFailed):
            authenticate("huimin_clerk", "wrong-password", ip="10.8.0.21", agent="demo")
    audit.record(
        "access.denied",
        None,
        actor=bank,
        outcome="denied",
        object_type="route",
        object_id="applications.application_detail",
        after={"method": "GET", "status": 403, "path": "/applications/1"},
    )
    db.session.commit()


EXISTING = Path(__file__).parent / "existing_channels"


def existing_channels_file() -> bytes:
    """The demo's channels that were live before this service (README, "Existing channels"): the CSV files of
    `existing_channels/`, packed as the ZIP the import takes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as packed:
        for path in sorted(EXISTING.glob("*.csv")):
            packed.write(path, path.name)
    return buffer.getvalue()


def _existing_channels(operator):
    """Issue 16: the long-lived channels come in through the import, with their agreements, security reports and two
    years of figures; their keys are issued; the file's last month is evaluated — the mobile bank's issuance fell
    away, so it has a notice and an improvement period (C4.9); the service account has not reported October (C3.6)."""
    outcome = import_channels(operator, existing_channels_file(), filename="existing_channels.zip", source="cli")
    issue_keys(operator, outcome.channel_import.id)
    db.session.commit()
    last = max(m for _n, m, _f in _figure_months())
    evaluate(last, trigger="demo")
    db.session.commit()


def _figure_months():
    with open(EXISTING / "figures.csv", encoding="utf-8") as text:
        for row in csv.DictReader(text):
            yield row["channel_number"], parse_month(row["month"]), row


def _operations(bank, operator, channel):
    """C4.3–C4.6: a platform notice not yet acknowledged, a maintenance notice, a promotion awaiting HR&SS review,
    an answered work order."""
    soon = utcnow().replace(second=0, microsecond=0) + timedelta(days=3)
    notice = {
        "kind": "upgrade",
        "title": "平台签名算法升级",
        "body": "平台将于下周升级接口签名校验，请各渠道做好准备。",
    }
    notices.publish_notice(operator, notice | {"starts_at": soon, "ends_at": soon + timedelta(hours=2)})
    maintenance = {"kind": "maintenance", "starts_at": soon, "ends_at": soon + timedelta(hours=4)}
    notices.file_channel_notice(
        bank, channel.id, maintenance | {"description": "核心系统升级，期间电子社保卡服务暂停。"}
    )
    start = today() + timedelta(days=10)
    promotion = {"title": "电子社保卡申领有礼", "description": "新申领用户赠送积分", "starts_on": start}
    promotions.file_promotion(
        bank,
        channel.id,
        promotion | {"ends_on": start + timedelta(days=30), "uses_hrss_wording": True, "wording": "人社部门推荐"},
    )
    work_order = work_orders.file_work_order(
        bank, channel.id, "用户领卡后无法扫码登录", "部分安卓用户领卡后扫码提示签名错误。"
    )
    work_orders.answer(operator, work_order.id, "已定位为客户端时钟偏差，请提示用户校准手机时间。")


def print_logins(echo) -> None:
    echo("")
    echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
    echo("Staff accounts also ask for a one-time code: `flask demo otp USERNAME` prints the current one.")
    for name, role, real, region in STAFF:
        echo(f"  {name:<14} {role.title_en:<26} {real}{' · ' + region if region else ''}")
    for name, org in (
        ("huimin_user", "山东惠民科技有限公司 (social)"),
        ("bank_user", "齐鲁商业银行 (bank)"),
        ("signed_user", "全民通平台科技 (national_signed)"),
    ):
        echo(f"  {name:<14} {'Channel company':<26} {org}")
    echo("")
