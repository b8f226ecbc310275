"""The monitoring overview, its missing-report list and the CSV export hold national volume (issue 15 item 9): the same
number of SQL statements for 10 channels as for 200 — the rows a page shows come with their owners, the export is
streamed a thousand channels at a time with their regions."""

import random
from datetime import date

import sqlalchemy as sa

from app.core.enums import Role
from app.extensions import db
from app.modules.monitoring.jobs import check_missing_reports
from app.modules.monitoring.models import MissingReport
from tests.bench.monitoring import load
from tests.conftest import World, _clear, bearer, login
from tests.web.test_workbench import Statements


def _channels_missing_march(n: int) -> None:
    """`n` live channels with January and February figures, flagged for not reporting March (C3.6)."""
    load(n, 2, date(2026, 1, 1), random.Random(n))
    if db.engine.dialect.name == "postgresql":  # the rows above were given their ids: move the sequences past them
        db.session.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('user_account', 'id'), max(id)) FROM user_account")
        )
        db.session.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('organisation', 'id'), max(id)) FROM organisation")
        )
    db.session.commit()
    check_missing_reports(date(2026, 4, 15))


def _count(client, url: str, **kw) -> tuple[int, bytes]:
    for _ in range(2):  # warm: the session, the user, reference data (a streamed body read to its end)
        client.get(url, **kw).get_data()
    with Statements(db.engine) as statements:
        response = client.get(url, **kw)
        body = response.get_data()  # a streamed body is produced here
    assert response.status_code == 200, url
    return statements.count, body


def _measure(client, token) -> dict[str, int]:
    overview, page = _count(client, "/monitoring?state=missing")
    assert b'id="missing-reports"' in page
    export, body = _count(client, "/monitoring/export.csv?state=missing")
    api, _ = _count(client, "/api/v1/monitoring/overview?state=missing", headers=token)
    flagged = db.session.scalar(sa.select(sa.func.count()).select_from(MissingReport))
    assert body.count(b"\n") - 1 == flagged  # every flagged channel exported, after the header
    return {"overview": overview, "export": export, "api": api, "lines": flagged}


def _measured_with(app, client, n: int) -> dict[str, int]:
    """A fresh deployment's database with `n` such channels, an operator signed in, the three pages counted."""
    _clear(db.session.connection(), app)
    _channels_missing_march(n)
    operator = World.user(f"volume_operator_{n}", Role.operator)
    db.session.commit()
    login(client, operator.username)
    return _measure(client, bearer(operator))


def test_s12_c3_6_the_monitoring_overview_and_its_export_send_as_many_statements_for_200_channels_as_for_10(
    app, empty_database, client
):
    few = _measured_with(app, client, 10)
    many = _measured_with(app, client, 200)
    assert few.pop("lines") < 20 < many.pop("lines")  # one page, then several pages
    assert many == few
