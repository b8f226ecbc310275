"""The platform master key rotated without an outage (C5.1, issue 26 item 4): the key store holds several keys by id;
a new key is staged on every host first, then made current for all hosts and every wrapped key re-wrapped, then the
old one retired. Tested with app processes that each have their own key folder, as hosts do; and `flask keys
rotate-master`, the three steps at once on a single host."""

import shutil
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app.core.crypto import Sealed, keyring, master_key_id, unseal
from app.extensions import db
from app.modules.accounts import operations as accounts
from app.modules.gateway.signing import sign_request
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.models import ChannelKey
from tests.conftest import PASSWORD, next_code, release_clock, serve_instance
from tests.journeys import live_channel
from tests.key_issuance.test_issue import approved_application

pytestmark = pytest.mark.commits  # the key files change outside the transaction: the rows must change for real

STATUS = "/api/v1/channel/status"


@pytest.fixture
def key_folder(app, tmp_path, monkeypatch):
    """This process's own copy of the key store (the session's stays as it was for the other tests)."""
    folder = tmp_path / "keys"
    shutil.copytree(app.config["KEYS_DIR"], folder)
    monkeypatch.setitem(app.config, "KEYS_DIR", str(folder))
    return folder


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=["keys", *args])
    db.session.expire_all()
    return result


def test_c5_1_rotate_master_on_one_host_keeps_every_key_working(app, world, client, key_folder):
    _channel, production_key = live_channel(world)
    issued = ops.complete_test_intake(world.operator, approved_application(world).id)[0]
    old_id = master_key_id()
    result = _cli(app, "rotate-master")
    assert result.exit_code == 0, result.output
    new_id = master_key_id()
    assert new_id != old_id and f"{old_id} -> {new_id}" in result.output
    assert set(db.session.scalars(sa.select(ChannelKey.master_key_id))) == {new_id}
    assert set(keyring()) == {new_id} and not (key_folder / "master.key").exists()  # the old key is gone
    body = b"{}"
    headers = sign_request(issued.key.key_id, issued.secret, "POST", "/api/v1/channel/sandbox/echo", body)
    assert client.post("/api/v1/channel/sandbox/echo", data=body, headers=headers).status_code == 200
    headers = sign_request(production_key.key.key_id, production_key.secret, "GET", STATUS)
    assert client.get(STATUS, headers=headers).status_code == 200
    try:
        accounts.check_second_factor(world.jinan, next_code(world.jinan))
    finally:
        release_clock()


def test_c5_1_a_staged_key_opens_nothing_new_until_made_current_and_the_steps_refuse_out_of_order(
    app, world, key_folder
):
    issued = ops.complete_test_intake(world.operator, approved_application(world).id)[0]
    old_id = master_key_id()
    staged = _cli(app, "stage-master")
    new_id = staged.output.split()[3]
    assert (key_folder / f"master-{new_id}.key").stat().st_mode & 0o777 == 0o600
    assert master_key_id() == old_id  # staged, not current: seals still use the old key
    assert "rewrap-master" in staged.output and "copy" in staged.output
    refused = _cli(app, "rewrap-master", "0123456789abcdef")
    assert refused.exit_code != 0 and "not on this host" in refused.output
    assert _cli(app, "retire-master", old_id).exit_code != 0  # rows still name it, and it is current
    assert _cli(app, "rewrap-master", new_id).exit_code == 0
    assert _cli(app, "retire-master", new_id).exit_code != 0  # never the current key
    key = db.session.get(ChannelKey, issued.key.id)
    assert key.master_key_id == new_id
    assert unseal(Sealed(key.secret_ciphertext, key.wrapped_data_key, key.master_key_id), key.key_id).decode() == (
        issued.secret
    )
    status = _cli(app, "status").output
    assert f"current master key: {new_id}" in status and old_id in status and "wraps 0 rows" in status


def _signed_status(base: str, key_id: str, secret: str) -> requests.Response:
    return requests.get(base + STATUS, headers=sign_request(key_id, secret, "GET", STATUS), timeout=30)


def test_c5_1_a_rotation_across_hosts_in_three_steps_never_stops_a_host_that_was_given_the_key(
    app, world, tmp_path, key_folder
):
    _channel, issued = live_channel(world)
    key_id, secret = issued.key.key_id, issued.secret
    db.session.commit()
    hosts = {name: tmp_path / f"host-{name}" for name in ("b", "c")}  # b is given the new key; c is forgotten
    for folder in hosts.values():
        shutil.copytree(key_folder, folder)
    started = []

    def host(folder: Path) -> str:
        process, base = serve_instance(app, folder / "run", KEYS_DIR=str(folder))
        started.append(process)
        return base

    try:
        old_id = master_key_id()
        new_id = _cli(app, "stage-master").output.split()[3]  # step 1, here ("host a") ...
        app.config["KEYS_DIR"] = str(hosts["b"])  # ... and on host b, from the file staged here
        assert _cli(app, "stage-master", "--from", str(key_folder / f"master-{new_id}.key")).exit_code == 0
        assert new_id in keyring()
        app.config["KEYS_DIR"] = str(key_folder)
        before = host(hosts["b"])
        assert _signed_status(before, key_id, secret).status_code == 200
        assert _cli(app, "rewrap-master", new_id).exit_code == 0  # step 2: current for every host, rows re-wrapped
        assert db.session.get(ChannelKey, issued.key.id).master_key_id == new_id
        b, c = host(hosts["b"]), host(hosts["c"])  # fresh processes: they must unseal what is wrapped now
        assert _signed_status(before, key_id, secret).status_code == 200  # never an outage on b
        assert _signed_status(b, key_id, secret).status_code == 200
        forgotten = _signed_status(c, key_id, secret)
        assert forgotten.status_code == 503 and forgotten.json()["error"]["code"] == "key_unavailable"
        try:
            token = requests.post(
                f"{b}/api/v1/auth/token",
                json={"username": "jinan", "password": PASSWORD, "otp": next_code(world.jinan)},
                timeout=30,
            )
        finally:
            release_clock()
        assert token.status_code == 201, token.text  # the second factor, re-wrapped, opens on b
        assert _cli(app, "retire-master", old_id).exit_code == 0  # step 3, on each host: here ...
        assert old_id not in keyring()
        app.config["KEYS_DIR"] = str(hosts["b"])  # ... and on b
        assert _cli(app, "retire-master", old_id).exit_code == 0 and old_id not in keyring()
        after = host(hosts["b"])
        assert _signed_status(after, key_id, secret).status_code == 200
    finally:
        for process in started:
            process.terminate()
            process.wait(10)
