"""The delivery worker (`flask messages worker`, issue 26): it sends what is queued until it is told to stop, and a
round that fails (the database away) is logged and tried again at the next look."""

import threading
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.modules.messaging import cli
from app.modules.messaging.models import Delivery
from app.modules.messaging.operations import send

pytestmark = pytest.mark.commits  # the worker's own sessions read what the test committed


def _sent() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status == "sent"))


def test_s1_the_delivery_worker_sends_the_queue_until_told_to_stop(app, world, monkeypatch):
    send(
        "agreement.announced",
        {"title": "协议", "version": "2027.1", "effective_from": "2027-01-01"},
        organisation_id=world.org_a.id,
    )
    db.session.commit()
    looks = {"n": 0}
    real_look = cli._look

    def counted(limit):
        looks["n"] += 1
        if looks["n"] == 1:  # the first round finds the database away
            monkeypatch.setattr(cli, "deliver_pending", _unreachable)
        else:
            monkeypatch.setattr(cli, "deliver_pending", DELIVER)
        real_look(limit)

    monkeypatch.setattr(cli, "_look", counted)
    stopping = threading.Event()

    def loop():
        with app.app_context():
            cli.deliver_until(0.05, 50, stopping)

    worker = threading.Thread(target=loop)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while _sent() < 2 and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.05)
    finally:
        stopping.set()
        worker.join(10)
    assert not worker.is_alive() and looks["n"] >= 2 and _sent() == 2


DELIVER = cli.deliver_pending


def _unreachable(_limit):
    raise ConnectionError("database away")
