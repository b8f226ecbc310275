"""`flask keys rotate-master` (C5.1): every channel key and second factor is re-wrapped under a new master key; data
stays readable throughout (old key kept until nothing names it) and every key keeps working at the gateway."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.crypto import Sealed, master_key_id, rotate_master_key, unseal
from app.extensions import db
from app.modules.accounts import operations as accounts
from app.modules.gateway.signing import sign_request
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.models import ChannelKey
from tests.conftest import next_code, release_clock
from tests.key_issuance.test_issue import approved_application

pytestmark = pytest.mark.commits  # the key files change outside the transaction: the rows must change for real


def test_c5_1_rotate_master_keeps_every_key_working(app, world, client):
    from tests.journeys import live_channel

    _channel, production_key = live_channel(world)
    issued = ops.complete_test_intake(world.operator, approved_application(world).id)[0]
    old_id = master_key_id()
    result = app.test_cli_runner().invoke(args=["keys", "rotate-master"])
    assert result.exit_code == 0, result.output
    new_id = master_key_id()
    assert new_id != old_id and f"{old_id} -> {new_id}" in result.output
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(ChannelKey.master_key_id))) == {new_id}
    assert not (Path(app.config["KEYS_DIR"]) / f"master-{old_id}.key").exists()
    body = b"{}"
    headers = sign_request(issued.key.key_id, issued.secret, "POST", "/api/v1/channel/sandbox/echo", body)
    assert client.post("/api/v1/channel/sandbox/echo", data=body, headers=headers).status_code == 200
    headers = sign_request(production_key.key.key_id, production_key.secret, "GET", "/api/v1/channel/status")
    assert client.get("/api/v1/channel/status", headers=headers).status_code == 200
    try:
        accounts.check_second_factor(world.jinan, next_code(world.jinan))
    finally:
        release_clock()


def test_c5_1_data_stays_readable_between_rotation_and_rewrap(app, world):
    issued = ops.complete_test_intake(world.operator, approved_application(world).id)[0]
    rotate_master_key()
    key = issued.key
    sealed = Sealed(key.secret_ciphertext, key.wrapped_data_key, key.master_key_id)
    assert key.master_key_id != master_key_id()
    assert unseal(sealed, key.key_id).decode() == issued.secret
