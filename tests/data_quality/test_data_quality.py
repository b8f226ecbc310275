"""S6 data quality: completeness, anomaly and duplicate rates with the offending records, on the page, through the API
and as a logged export (S5). Anomalies the operations refuse today are written as older data would have been."""

import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.extensions import db
from app.modules.accounts import operations as accounts
from app.modules.accounts.rules import make_uscc
from app.modules.channel_import import operations as imports
from app.modules.channels.models import Channel
from app.modules.data_quality.measures import measure
from app.modules.monitoring.imports import import_statistics
from tests.channel_import.test_import import good_file, prepared  # noqa: F401  (the fixture)
from tests.conftest import bearer, login
from tests.web.test_workbench import Statements


def _seeded(world):
    imports.import_channels(world.operator, good_file(fall_from=None), source="cli")
    accounts.create_organisation("泉城生活科技有限公司", make_uscc("91370100000000666"), category="social")
    parent = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "1376100501"))
    parent.contact_phone = "0531-1"  # entered before the S3 checks existed
    db.session.commit()
    return parent


def test_s6_rates_and_the_records_that_offend(prepared):  # noqa: F811
    parent = _seeded(prepared)
    report = measure()
    rates = report.rates()
    duplicates = {f.record for f in report.offending("organisations", "duplicate")}
    assert duplicates == {"泉城生活科技有限公司"} and rates["organisations"]["duplicate"]["records"] == 1
    assert rates["organisations"]["completeness"]["records"] >= 1  # the new one has no address or date
    anomalies = report.offending("contacts", "anomaly")
    assert [f.link for f in anomalies] == [("channel", parent.id)] and "0531-1" in anomalies[0].detail[0]
    missing = {f.record.split()[0] for f in report.offending("figures", "completeness")}
    assert missing == {"1376100501-001"}  # the level-2 channel's figures were never reported (C3.6)
    assert rates["figures"]["anomaly"]["records"] == 0
    assert 0 < rates["figures"]["completeness"]["rate"] < 1


def test_s6_figures_that_do_not_add_up_or_repeat_are_anomalies_and_duplicates(world):
    from datetime import date

    from tests.journeys import live_channel

    channel, _key = live_channel(world)
    channel.live_since = date(2025, 1, 5)  # as an import would have set it
    db.session.commit()
    lines = ["channel_number,month,new_issuance,cumulative_issuance,monthly_active_users"]
    lines += [f"{channel.channel_number},2025-02,100,100,50", f"{channel.channel_number},2025-03,50,400,60"]
    lines += [f"{channel.channel_number},2025-04,50,400,60", f"{channel.channel_number},2025-05,10,410,300"]
    import_statistics(world.operator, "\n".join(lines).encode(), source="import")
    db.session.commit()
    report = measure()
    anomalies = {f.record.rsplit(" ", 1)[-1]: f.detail[1] for f in report.offending("figures", "anomaly")}
    assert "2025-03" in anomalies and "cumulative 400" in anomalies["2025-03"]
    assert "2025-05" not in anomalies  # adds up
    assert [f.record.rsplit(" ", 1)[-1] for f in report.offending("figures", "duplicate")] == ["2025-04"]


def test_s6_the_measure_sends_a_fixed_number_of_statements(prepared):  # noqa: F811
    with Statements(db.engine) as few:
        measure()
    _seeded(prepared)
    with Statements(db.engine) as many:
        measure()
    assert few.count == many.count


def test_s6_s5_page_api_and_logged_export(prepared, client):  # noqa: F811
    _seeded(prepared)
    answer = client.get("/api/v1/data-quality", headers=bearer(prepared.operator))
    assert answer.status_code == 200 and answer.json["rates"]["contacts"]["anomaly"]["records"] == 1
    assert any(f["domain"] == "organisations" and f["measure"] == "duplicate" for f in answer.json["findings"])
    assert client.get("/api/v1/data-quality", headers=bearer(prepared.company_a)).status_code == 403
    assert client.get("/api/v1/data-quality", headers=bearer(prepared.auditor)).status_code == 200
    assert client.get("/api/v1/data-quality/export.csv", headers=bearer(prepared.auditor)).status_code == 403
    export = client.get("/api/v1/data-quality/export.csv", headers=bearer(prepared.operator))
    assert export.status_code == 200 and "0531-1" in export.text and export.text.startswith("\ufeffdomain,")
    logged = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "data_quality.export"))
    assert logged.actor_id == prepared.operator.id
    login(client, "operator")
    page = client.get("/data-quality?domain=contacts&measure=anomaly").text
    assert 'id="quality"' in page and "0531-1" in page and "1376100501" in page


def test_s6_older_data_that_breaks_todays_rules_is_found(prepared):  # noqa: F811
    """Rows as older systems left them (written directly: today's operations refuse them)."""
    from datetime import timedelta

    from app.core.enums import ChannelStatus
    from app.core.timeutil import today
    from app.modules.accounts.models import Organisation

    parent = _seeded(prepared)
    child = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "1376100501-001"))
    legacy = db.session.scalar(sa.select(Channel).where(Channel.channel_number == "SD-QL-0007"))
    org = db.session.get(Organisation, parent.owner_id)
    org.uscc, org.registration_date = "913701000000005550", today() + timedelta(days=3)
    parent.status, parent.contact_email = ChannelStatus.exited, "not-an-address"
    child.live_since, child.contact_phone = today() + timedelta(days=2), "13912345678"
    child.contact_email = "bad@"
    legacy.channel_number, legacy.name = None, child.name
    legacy.regions, legacy.services = [], []
    legacy.owner_id = child.owner_id
    world_channel = db.session.scalar(sa.select(Channel).where(Channel.owner_id == prepared.org_a.id))
    assert world_channel is None
    db.session.commit()
    report = measure()
    found = {(f.domain, f.measure) for f in report.findings}
    assert {("organisations", "anomaly"), ("channels", "anomaly"), ("channels", "completeness")} <= found
    assert ("channels", "duplicate") in found and ("contacts", "anomaly") in found
    details = " ".join(f.detail[1] for f in report.findings)
    assert "check digit" in details and "future" in details and "level-1 channel has left" in details
    assert "missing: number, regions, services" in details
