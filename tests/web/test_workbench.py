"""The to-do workbench (issue 15, S12, S13): every domain's cards on the home page of whoever holds their permission,
with counts, the most urgent first, deadlines and days waited — on the demo, where each role has work waiting."""

import re

import pytest
import sqlalchemy as sa

from app.core import workbench
from app.core.timeutil import today
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.accounts.operations import totp_secret
from app.modules.demo.data import DEMO_PASSWORD, load_demo
from app.modules.notices import operations as notices
from tests.conftest import login, next_code, release_clock
from tests.journeys import channel_in_testing


def demo_login(client, username: str) -> None:
    """Sign in as a demo account, staff answering with the code its authenticator shows (`flask demo otp`)."""
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    if response.status_code == 302 and "/login/verify" in response.headers["Location"]:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        try:
            response = client.post("/login/verify", data={"code": next_code(user, totp_secret(user))})
        finally:
            release_clock()
    assert response.status_code == 302, response.text


# What waits for each demo login (a card with a count above zero).
EXPECTED = {
    "bank_user": {
        "notices.acknowledge",
        "agreements.to_sign",
        "monitoring.own",
        "monitoring.missing",
        "exits.tasks",
        "work_orders.answered",
        "incidents.rectify",
    },
    "huimin_user": {"applications.returned", "applications.drafts"},
    "operator": {
        "production.to_verify",
        "production.to_go_live",
        "incidents.confirm",
        "incidents.rectifications",
        "key_issuance.to_issue",
        "monitoring.alerts",
        "monitoring.missing",
        "agreements.countersign",
        "exits.notify",
        "work_orders.overdue",
        "audit_log.refused",
    },
    "shandong": {"reviews.waiting", "exits.opinions", "promotions.review"},
    "jinan": {"reviews.waiting"},
    "qingdao": {"reviews.waiting"},
    "national": {"reviews.waiting", "exits.decisions", "promotions.review", "incidents.renewals"},
    "admin": {"accounts.locked", "accounts.no_second_factor", "accounts.failed_sign_ins", "audit_log.refused"},
    "auditor": {"audit_log.refused"},
}
# Cards offered even when nothing waits (the auditor's and administrator's look-out for refused requests).
OFFERED = {"auditor": {"audit_log.refused"}, "admin": {"audit_log.refused", "accounts.locked"}}


def _cards(page: str) -> dict[str, int]:
    pattern = (
        r'data-card="([a-z_.]+)"[^>]*>\s*(?:<header>)?(?:<a [^>]*>)?\s*'
        r'<span class="todo-title">[^<]*</span>\s*<span class="todo-count">([\d,]+)</span>'
    )
    found = re.findall(pattern, page)
    return {key: int(count.replace(",", "")) for key, count in found}


@pytest.fixture
def demo(app, empty_database):
    load_demo()
    return app


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_s12_each_role_sees_the_work_waiting_for_it(demo, client, username):
    demo_login(client, username)
    page = client.get("/").text
    cards = _cards(page)
    waiting = {key for key, count in cards.items() if count}
    assert EXPECTED[username] <= waiting, (username, cards)
    assert OFFERED.get(username, set()) <= set(cards), (username, cards)
    counts = list(cards.values())
    assert counts == sorted(counts, key=lambda n: n == 0)  # the cards with work first, the empty ones after
    assert 'class="todo-clear"' in page or all(counts)


def test_s12_the_demo_holds_work_for_every_card():
    """Issue 15 item 11: whoever tries the demo sees every card of the workbench with something in it."""
    assert set().union(*EXPECTED.values()) == set(workbench._CARDS)


def test_s12_a_card_is_offered_only_to_whoever_holds_its_permission(demo):
    operator = db.session.scalar(sa.select(User).where(User.username == "operator"))
    company = db.session.scalar(sa.select(User).where(User.username == "bank_user"))
    with demo.test_request_context("/"):
        operator_keys = {c.key for c in workbench.cards_for(operator)}
        company_keys = {c.key for c in workbench.cards_for(company)}
    assert "incidents.confirm" in operator_keys and "incidents.confirm" not in company_keys
    assert "notices.acknowledge" in company_keys and "notices.acknowledge" not in operator_keys


def test_s13_items_show_their_deadline_and_an_overdue_one_is_marked():
    late = workbench.Item("x", "/", due=today().replace(year=today().year - 1))
    waiting = workbench.Item("y", "/", since=today().replace(year=today().year - 1))
    assert late.overdue and not workbench.Item("z", "/", due=today()).overdue
    assert waiting.waited_days >= 364


class Statements:
    """Counts the SQL statements sent while it is open."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _seen(self, *_args):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def _home_statements(client) -> int:
    client.get("/")  # warm: the session row, the user
    client.get("/")
    with Statements(db.engine) as statements:
        assert client.get("/").status_code == 200
    return statements.count


def test_s12_the_workbench_sends_as_many_statements_for_30_waiting_items_as_for_6(world, client):
    channel = channel_in_testing(world)
    notice = {"kind": "upgrade", "title": "接口升级", "body": "平台将升级。"}
    for _ in range(6):
        notices.publish_notice(world.operator, notice)
    login(client, "company_a")
    few = _home_statements(client)
    assert _home_statements(client) == few  # the count is stable
    for _ in range(24):
        notices.publish_notice(world.operator, notice)
    many = _home_statements(client)
    assert many == few, (few, many)
    assert 'data-card="notices.acknowledge"' in client.get("/").text and channel.name in client.get("/").text
