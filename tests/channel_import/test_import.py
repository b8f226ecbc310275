"""Import of existing channels (issue 16): the archive's format, all or nothing with every problem named, the dry run,
idempotence, the marks and the digest, keys through the lifecycle, and the channels working like any other after."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry, verify_chain
from app.core.enums import ChannelStatus, KeyEnvironment
from app.core.errors import Forbidden
from app.core.timeutil import today
from app.extensions import db
from app.modules.accounts.models import Organisation
from app.modules.accounts.rules import make_uscc
from app.modules.agreements import operations as agreements
from app.modules.agreements.rules import add_months
from app.modules.channel_import import operations as ops
from app.modules.channel_import.models import ChannelImport, ImportedRecord
from app.modules.channels.models import Channel
from app.modules.monitoring.evaluation import evaluate
from app.modules.monitoring.models import MonitoringRecord, MonthlyStatistic
from app.modules.security_tests import operations as security_tests
from tests.conftest import bearer, login

NEW_USCC = make_uscc("91370100000000555")
START = add_months(today().replace(day=1), -26)  # live two years and more


def archive(**sheets: list[list]) -> bytes:
    """A ZIP of CSV files from {name: [header, *rows]}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as packed:
        for name, rows in sheets.items():
            packed.writestr(f"{name}.csv", "\n".join(",".join(str(v) for v in row) for row in rows))
    return buffer.getvalue()


ORGS = [["uscc", "name", "category", "registered_address", "registration_date"]]
CHANNELS = [
    [
        "channel_number",
        "legacy_number",
        "name",
        "owner_uscc",
        "form",
        "access_mode",
        "level",
        "parent_number",
        "same_subject",
        "regions",
        "services",
        "status",
        "live_since",
        "contact_name",
        "contact_phone",
        "contact_email",
        "committed_annual_issuance",
        "committed_mau",
    ]
]


CHANNEL_DEFAULTS = {
    "legacy_number": "",
    "form": "app",
    "access_mode": "sdk",
    "level": 1,
    "parent_number": "",
    "same_subject": "",
    "regions": "370100",
    "services": "standard",
    "status": "live",
    "live_since": "2024-01-01",
    "contact_name": "王芳",
    "contact_phone": "13912340000",
    "contact_email": "",
    "committed_annual_issuance": "",
    "committed_mau": "",
}


def channel_row(number: str, name: str, owner: str, **columns) -> list:
    """A line of channels.csv: a live level-1 APP in Jinan unless `columns` say otherwise."""
    values = CHANNEL_DEFAULTS | {"channel_number": number, "name": name, "owner_uscc": owner} | columns
    return [values[column] for column in CHANNELS[0]]


def figures(number: str, months: int, fall_from: int | None = None) -> list[list]:
    """`months` of figures from START; issuance falls to almost nothing from month `fall_from`."""
    rows, cumulative = [], 0
    for i in range(months):
        new = 3000 if fall_from is None or i < fall_from else 10
        cumulative += new
        rows.append([number, f"{add_months(START, i):%Y-%m}", new, cumulative, cumulative // 3])
    return rows


@pytest.fixture
def prepared(world):
    """What the import refers to and the operator keeps: the agreement version and the testing institution."""
    agreements.publish_version(world.operator, "2024.1", "", "合作协议文本", date(2024, 1, 1))
    security_tests.create_institution(world.operator, "国家信息技术安全研究中心")
    db.session.commit()
    return world


def good_file(fall_from=20) -> bytes:
    last = (today().replace(day=1) - START).days // 28  # every complete month up to last month
    months = sum(1 for i in range(40) if add_months(START, i) < today().replace(day=1))
    assert months >= last - 2
    channels = [
        *CHANNELS,
        channel_row(
            "1376100501",
            "泉城生活APP",
            NEW_USCC,
            services="standard;qr_login",
            live_since=START - timedelta(days=10),
            contact_email="wf@example.cn",
            committed_annual_issuance=240000,
            committed_mau=90000,
        ),
        channel_row(
            "1376100501-001",
            "泉城生活小程序",
            NEW_USCC,
            form="mini_program",
            access_mode="h5",
            level=2,
            parent_number="1376100501",
            same_subject="是",
            live_since=START,
        ),
        channel_row(
            "SD-QL-0007",
            "惠民老版公众号",
            make_uscc("91370100000000001"),
            legacy_number="是",
            form="official_account",
            access_mode="h5",
            regions="370100;370200",
            status="testing",
            live_since="",
            contact_name="李雷",
            contact_phone="053188881234",
            committed_annual_issuance=120000,
            committed_mau=50000,
        ),
    ]
    return archive(
        organisations=[*ORGS, [NEW_USCC, "泉城生活科技有限公司", "social", "济南市历城区", "2016-04-01"]],
        channels=channels,
        agreements=[
            [
                "channel_number",
                "version",
                "signer_name",
                "signed_on",
                "countersigner_name",
                "countersigned_on",
                "term_start",
                "term_end",
            ],
            ["1376100501", "2024.1", "王芳", START, "运营专员", START, START, add_months(today(), 1)],
        ],
        security_reports=[
            ["channel_number", "institution", "test_date", "version_tested", "covers_spec", "result", "findings"],
            ["1376100501", "国家信息技术安全研究中心", today() - timedelta(days=100), "8.2", "是", "pass", "无高危"],
        ],
        figures=[
            ["channel_number", "month", "new_issuance", "cumulative_issuance", "monthly_active_users"],
            *figures("1376100501", months, fall_from),
        ],
    )


def test_issue16_an_operator_imports_existing_channels_with_their_history(prepared, client):
    world, data = prepared, good_file()
    dry = ops.import_channels(world.operator, data, filename="existing.zip", source="cli", dry_run=True)
    assert dry.dry_run and dry.summary["channels"] == 3 and dry.summary["organisations"] == 1
    assert dry.summary["organisations_existing"] == [] and dry.summary["figures"] >= 24
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 0  # a dry run writes nothing

    answer = client.post("/api/v1/channel-imports?filename=existing.zip", headers=bearer(world.operator), data=data)
    assert answer.status_code == 201, answer.json
    channel = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "1376100501"))
    assert channel.status == ChannelStatus.live and channel.live_since == START - timedelta(days=10)
    assert channel.owner.category == "social" and channel.committed_mau == 90000
    child = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "1376100501-001"))
    assert child.parent_id == channel.id and child.same_subject
    legacy = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "SD-QL-0007"))
    assert legacy.status == ChannelStatus.testing and legacy.owner_id == world.org_a.id  # linked, not duplicated
    marks = db.session.scalars(sa.select(ImportedRecord)).all()
    assert {m.object_type for m in marks} == {"organisation", "channel", "agreement", "security_report"}
    assert any(m.legacy_number for m in marks if m.object_id == legacy.id and m.object_type == "channel")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "channel_import.create"))
    assert entry.after["sha256"] == answer.json["sha256"] and entry.actor_id == world.operator.id
    lifecycle = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "channel.import")).all()
    assert {e.object_id for e in lifecycle} == {str(channel.id), str(child.id), str(legacy.id)}
    assert verify_chain().first_bad is None  # the entries written in one go continue the hash chain
    statistics = db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyStatistic))
    assert statistics == dry.summary["figures"]

    again = client.post("/api/v1/channel-imports", headers=bearer(world.operator), data=data)
    assert again.status_code == 200 and again.json["already_imported"]  # the same file twice: nothing new
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 3


def test_issue16_c4_9_the_same_day_the_monthly_evaluation_raises_notices_for_imported_channels(prepared):
    """Issuance fell away in the file's last months: evaluating last month raises the C4.9 notices at once."""
    ops.import_channels(prepared.operator, good_file(fall_from=20), source="cli")
    db.session.commit()
    evaluate(add_months(today().replace(day=1), -1), trigger="cli")
    db.session.commit()
    channel = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "1376100501"))
    rules = set(db.session.scalars(sa.select(MonitoringRecord.rule).where(MonitoringRecord.channel_id == channel.id)))
    assert "C4.9a" in rules


def test_issue16_c5_1_keys_for_imported_channels_are_issued_once_through_the_lifecycle(prepared, client):
    record = ops.import_channels(prepared.operator, good_file(), source="cli").channel_import
    db.session.commit()
    with pytest.raises(Forbidden):
        ops.issue_keys(prepared.company_a, record.id)
    answer = client.post(f"/api/v1/channel-imports/{record.id}/keys", headers=bearer(prepared.operator))
    assert answer.status_code == 200
    issued = {k["channel_number"]: k for k in answer.json["items"]}
    assert issued["1376100501"]["environment"] == KeyEnvironment.production
    assert issued["SD-QL-0007"]["environment"] == KeyEnvironment.test and len(issued) == 3
    again = client.post(f"/api/v1/channel-imports/{record.id}/keys", headers=bearer(prepared.operator))
    assert again.json["items"] == []  # every channel already holds an active key: nothing shown twice


def problems_of(answer) -> set:
    return {(p["file"], p["line"], p["field"]) for p in answer.json["error"]["problems"]}


def test_issue16_a_bad_file_changes_nothing_and_names_every_problem(prepared, client):
    bad = archive(
        organisations=[*ORGS, ["91370100000000999", "坏单位", "bank", "", ""]],  # bad check digit
        channels=[
            *CHANNELS,
            channel_row(
                "1376100501", "泉城生活APP", NEW_USCC, live_since=today() + timedelta(days=3), contact_phone="12345"
            ),
            channel_row(
                "1346100502", "冒充银行", make_uscc("91370100000000001"), form="mini_program", contact_name="李雷"
            ),
        ],
        figures=[
            ["channel_number", "month", "new_issuance", "cumulative_issuance", "monthly_active_users"],
            ["9999", "2024-13", 1, 1, 1],
        ],
    )
    answer = client.post("/api/v1/channel-imports", headers=bearer(prepared.operator), data=bad)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "import_refused"
    found = problems_of(answer)
    assert ("organisations.csv", 2, "uscc") in found
    assert {
        ("channels.csv", 2, "owner_uscc"),
        ("channels.csv", 2, "live_since"),
        ("channels.csv", 2, "contact_phone"),
    } <= found
    assert ("channels.csv", 3, "access_mode") in found  # C2.5: a mini-program by SDK
    assert ("figures.csv", 2, "channel_number") in found and ("figures.csv", 2, "month") in found
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChannelImport)) == 0


def test_issue16_c3_4_numbers_follow_the_scheme_or_are_marked_legacy_and_never_duplicate(prepared, client):
    org = [[NEW_USCC, "泉城生活科技有限公司", "social", "", ""]]
    row = channel_row("1346100501", "泉城生活APP", NEW_USCC, committed_annual_issuance=1, committed_mau=1)
    wrong_digits = client.post(
        "/api/v1/channel-imports",
        headers=bearer(prepared.operator),
        data=archive(organisations=ORGS + org, channels=[*CHANNELS, row]),
    )
    assert ("channels.csv", 2, "channel_number") in problems_of(wrong_digits)  # category digit 4 is a bank's
    ops.import_channels(prepared.operator, good_file(), source="cli")
    db.session.commit()
    row[0] = "1376100501"
    duplicate = client.post(
        "/api/v1/channel-imports", headers=bearer(prepared.operator), data=archive(channels=[*CHANNELS, row])
    )
    assert ("channels.csv", 2, "channel_number") in problems_of(duplicate)  # already in the service
    from app.modules.applications.numbering import next_value

    assert next_value("channel:level1") == 502  # the imported serial is never handed out again


def test_issue16_c1_2_an_imported_channel_takes_its_owners_kind(prepared, client):
    row = channel_row("1346100501", "惠民银行", make_uscc("91370100000000001"))
    channels = [[*CHANNELS[0][:4], "category", *CHANNELS[0][4:]], [*row[:4], "bank", *row[4:]]]
    answer = client.post("/api/v1/channel-imports", headers=bearer(prepared.operator), data=archive(channels=channels))
    assert ("channels.csv", 2, "category") in problems_of(answer)


def test_issue16_only_the_operator_imports(prepared, client):
    for user in (prepared.company_a, prepared.national, prepared.admin):
        assert client.post("/api/v1/channel-imports", headers=bearer(user), data=good_file()).status_code == 403


def test_issue16_the_page_dry_runs_imports_and_lists_the_imports(prepared, client):
    login(client, "operator")
    upload = {"file": (io.BytesIO(good_file()), "existing.zip"), "dry_run": "y"}
    page = client.post("/channel-imports", data=upload, content_type="multipart/form-data").text
    assert "预演结果" in page and "1376100501" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 0
    upload = {"file": (io.BytesIO(good_file()), "existing.zip")}
    done = client.post("/channel-imports", data=upload, content_type="multipart/form-data")
    assert done.status_code == 302
    detail = client.get(done.headers["Location"]).text
    assert "泉城生活APP" in detail and "原编号" in detail and "SD-QL-0007" in detail
    legacy = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "SD-QL-0007"))
    page = client.get(f"/channels/{legacy.id}").text
    assert 'id="imported-mark"' in page and "channels.csv 第 4 行" in page and "原平台编号" in page
    bad = {"file": (io.BytesIO(b"not a zip"), "x.zip")}
    refused = client.post("/channel-imports", data=bad, content_type="multipart/form-data").text
    assert 'id="import-problems"' in refused


def test_issue16_the_cli_imports_with_a_dry_run(prepared, app, tmp_path):
    path = tmp_path / "existing.zip"
    path.write_bytes(good_file())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["channels", "import", str(path), "--operator", "operator", "--dry-run"])
    assert dry.exit_code == 0 and json.loads(dry.output)["dry_run"]
    done = runner.invoke(args=["channels", "import", str(path), "--operator", "operator"])
    assert done.exit_code == 0 and json.loads(done.output)["created"]["channels"] == 3
    path.write_bytes(b"broken")
    refused = runner.invoke(args=["channels", "import", str(path), "--operator", "operator"])
    assert refused.exit_code == 1 and json.loads(refused.output)["problems"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 3


def test_issue16_an_imported_channel_goes_through_a_change_an_incident_and_an_exit(prepared, client):
    """From the day of the import the channel is like any other (issue 16, Done when)."""
    from app.core.timeutil import utcnow
    from app.modules.changes import operations as changes
    from app.modules.exits import operations as exits
    from app.modules.incidents import operations as incidents
    from tests.changes.test_changes import CHANGE, _approve_chain
    from tests.gateway.test_gateway import call

    world = prepared
    row = channel_row(
        "1376100777",
        "惠民存量APP",
        make_uscc("91370100000000001"),
        services="standard;qr_login",
        live_since="2023-05-01",
        contact_name="张敏",
        contact_phone="13912345678",
        committed_annual_issuance=300000,
        committed_mau=100000,
    )
    record = ops.import_channels(world.operator, archive(channels=[*CHANNELS, row]), source="cli").channel_import
    key = ops.issue_keys(world.operator, record.id)[0]
    channel = key.channel
    assert call(client, "GET", "/api/v1/channel/services/qr_login", key.key.key_id, key.secret).status_code == 200
    change = changes.apply_for_change(world.company_a, channel.id, CHANGE)
    _approve_chain(world, change)
    changes.decide_change(world.operator, change.id, True, "同意", "运营", "13800000000")
    assert [r.code for r in channel.regions] == ["370100", "370200"]
    incident = incidents.report_incident(
        world.company_a,
        channel.id,
        {"incident_type": "page_tampering", "discovered_at": utcnow(), "description": "活动页被篡改"},
    )
    incidents.confirm(world.operator, incident.id, services=["qr_login"])
    assert call(client, "GET", "/api/v1/channel/services/qr_login", key.key.key_id, key.secret).status_code == 403
    exit_ = exits.apply_exit(world.company_a, channel.id, add_months(today(), 3), "业务整合")
    exits.give_opinion(world.shandong, exit_.id, True, "同意")
    exits.national_decide(world.national, exit_.id, True, "同意")
    exits.notify(world.operator, exit_.id)
    assert exits.complete_due(exit_.transition_end) == [exit_.id]
    assert channel.status == ChannelStatus.exited


@pytest.mark.commits
def test_issue16_two_operators_importing_one_file_at_once_create_it_once(app, prepared):
    """Real parallel imports (PostgreSQL in CI): one writes, the other is told (409 concurrent_write or the earlier
    import); nothing is duplicated and nothing half-written."""
    from app.core.enums import Role
    from tests.conftest import World
    from tests.reviews.test_concurrency import race

    second = World.user("operator2", Role.operator)
    db.session.commit()
    data = good_file()
    outcomes = race(app, [prepared.operator.id, second.id], lambda user: ops.import_channels(user, data, source="api"))
    assert set(outcomes.values()) <= {"won", "concurrent_write"} and "won" in outcomes.values()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChannelImport)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 3


def test_issue16_a_damaged_or_hostile_archive_is_refused_cleanly(prepared, client):
    """Not a ZIP, an unknown member, a member that is not UTF-8 or lacks columns, a damaged member: 422, every one
    named, nothing written."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("channels.csv", "channel_number,name\n1,x\n")  # columns missing
        packed.writestr("figures.csv", "\xff\xfe".encode("latin-1"))
        packed.writestr("evil.sh", "rm -rf /")
    damaged = bytearray(archive(channels=[CHANNELS[0]]))
    damaged[40:44] = b"XXXX"  # inside the deflated data: the CRC no longer matches
    for data, expected in (
        (b"not a zip", ("file", "file")),
        (buffer.getvalue(), ("file", "file")),
        (bytes(damaged), None),
    ):
        answer = client.post("/api/v1/channel-imports", headers=bearer(prepared.operator), data=data)
        assert answer.status_code == 422 and answer.json["error"]["code"] == "import_refused", answer.json
        found = {(p["file"], p["field"]) for p in answer.json["error"]["problems"]}
        if expected:
            assert expected in found
    problems = {
        (p["file"], p["field"])
        for p in client.post("/api/v1/channel-imports", headers=bearer(prepared.operator), data=buffer.getvalue()).json[
            "error"
        ]["problems"]
    }
    assert {("channels.csv", "owner_uscc"), ("figures.csv", "file")} <= problems
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChannelImport)) == 0


def test_issue16_c4_11_an_imported_agreement_renews_on_its_own_term(prepared):
    """The imported term drives renewal: warned ahead of its end, renewed by itself when it has ended."""
    from app.modules.agreements.models import AgreementRenewal
    from app.modules.agreements.renewal import check_renewals

    ops.import_channels(prepared.operator, good_file(fall_from=None), source="cli")  # term ends in a month
    db.session.commit()
    term_end = add_months(today(), 1)
    assert check_renewals(term_end - timedelta(days=5)).get("warned") == 1
    assert check_renewals(term_end + timedelta(days=1)).get("renewed") == 1
    renewal = db.session.scalar(sa.select(AgreementRenewal))
    assert renewal.term_end == term_end and renewal.new_term_end > term_end


def test_issue16_every_kind_of_bad_row_is_named(prepared, client):
    """One archive with a problem of every kind: each is reported on its own file, line and field."""
    other = make_uscc("91370100000000777")
    org_a = make_uscc("91370100000000001")
    organisations = [
        *ORGS,
        [NEW_USCC, "泉城生活科技有限公司", "social", "", ""],
        [NEW_USCC, "泉城生活科技有限公司", "social", "", ""],
        [make_uscc("91370100000000888"), "", "xyz", "长" * 301, "2024-13-01"],
        [org_a, "别的名字", "social", "", ""],
    ]
    header = [*CHANNELS[0], "category"]
    good = channel_row("1376100501", "泉城生活APP", NEW_USCC, committed_annual_issuance=1, committed_mau=1)
    channels = [
        header,
        [*channel_row("1376100502", "电视", other, form="tv", access_mode="x", level=3), ""],
        [*channel_row("1376100503", "", NEW_USCC, level=2, parent_number="NOPE"), ""],
        [*channel_row("1376100504", "坏地域", NEW_USCC, regions="999999", services="nope", status="gone"), ""],
        [*channel_row("1376100505", "测试中", NEW_USCC, status="testing", committed_mau="abc"), ""],
        [
            *channel_row("1376100501-001", "他人小程序", org_a, level=2, parent_number="1376100501", same_subject="是"),
            "",
        ],
        [*good, ""],
        [
            *channel_row(
                "BAD NUMBER!", "旧号", NEW_USCC, legacy_number="是", committed_annual_issuance=1, committed_mau=1
            ),
            "",
        ],
        [
            *channel_row("1376100501-1", "坏二级号", NEW_USCC, level=2, parent_number="1376100501", same_subject="是"),
            "",
        ],
        [*good, ""],
        [
            *channel_row("1376100506", "冒充", NEW_USCC, contact_name="", committed_annual_issuance=1, committed_mau=1),
            "bank",
        ],
    ]
    agreement_header = [
        "channel_number",
        "version",
        "signer_name",
        "signed_on",
        "countersigner_name",
        "countersigned_on",
        "term_start",
        "term_end",
    ]
    agreements = [
        agreement_header,
        ["1376100501", "9.9", "王芳", "x", "", "2024-01-02", "", "2025-01-01"],
        ["1376100501", "2024.1", "王芳", "2024-01-01", "", "2024-01-02", "", "2025-01-01"],
        ["1376100501", "2024.1", "王芳", "2024-01-01", "", "2024-01-02", "", "2025-01-01"],
        ["NOPE", "2024.1", "", "2024-02-01", "", "2024-01-02", "2024-06-01", "2024-01-01"],
    ]
    reports = [
        ["channel_number", "institution", "test_date", "version_tested", "covers_spec", "result", "findings"],
        ["1376100501", "无名机构", today() + timedelta(days=1), "1", "也许", "maybe", ""],
    ]
    figure_rows = [
        ["channel_number", "month", "new_issuance", "cumulative_issuance", "monthly_active_users"],
        ["1376100501", "2024-02", 1, 1, 1],
        ["1376100501", "2024-02", 1, 1, 1],
        ["1376100501", "2024-03", "abc", 1, 1],
    ]
    data = archive(
        organisations=organisations,
        channels=channels,
        agreements=agreements,
        security_reports=reports,
        figures=figure_rows,
    )
    answer = client.post("/api/v1/channel-imports", headers=bearer(prepared.operator), data=data)
    found = problems_of(answer)
    expected = {
        ("organisations.csv", 3, "uscc"),
        ("organisations.csv", 4, "category"),
        ("organisations.csv", 4, "name"),
        ("organisations.csv", 4, "registered_address"),
        ("organisations.csv", 4, "registration_date"),
        ("organisations.csv", 5, "uscc"),
        ("channels.csv", 2, "owner_uscc"),
        ("channels.csv", 2, "form"),
        ("channels.csv", 2, "access_mode"),
        ("channels.csv", 2, "level"),
        ("channels.csv", 3, "name"),
        ("channels.csv", 4, "regions"),
        ("channels.csv", 4, "services"),
        ("channels.csv", 4, "status"),
        ("channels.csv", 5, "committed_mau"),
        ("channels.csv", 8, "channel_number"),
        ("channels.csv", 9, "channel_number"),
        ("channels.csv", 10, "channel_number"),
        ("channels.csv", 11, "category"),
        ("channels.csv", 11, "contact_name"),
        ("agreements.csv", 2, "version"),
        ("agreements.csv", 2, "signed_on"),
        ("agreements.csv", 4, "channel_number"),
        ("agreements.csv", 5, "channel_number"),
        ("agreements.csv", 5, "signer_name"),
        ("agreements.csv", 5, "countersigned_on"),
        ("agreements.csv", 5, "term_end"),
        ("security_reports.csv", 2, "institution"),
        ("security_reports.csv", 2, "test_date"),
        ("security_reports.csv", 2, "result"),
        ("security_reports.csv", 2, "covers_spec"),
        ("figures.csv", 3, "month"),
    }
    assert expected <= found, expected - found
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 0
