"""Key lifecycle (C5.1): rotate with overlap, suspend/resume, revoke with reason, destroy; every step in the key's
history and the audit log; re-authentication before a secret is revealed or a key revoked or destroyed."""

from datetime import timedelta

import pytest

from app.core import timeutil
from app.core.enums import KeyStatus
from app.core.errors import Conflict, Forbidden, RuleViolation
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.rules import effective_status
from tests.conftest import PASSWORD, bearer, next_code, release_clock
from tests.key_issuance.test_issue import approved_application


@pytest.fixture
def issued(world):
    return ops.complete_test_intake(world.operator, approved_application(world).id)[0]


def test_c5_1_rotation_keeps_the_old_key_for_the_overlap(world, issued, app):
    new = ops.rotate_key(world.operator, issued.key)
    assert new.secret != issued.secret and new.key.rotated_from_id == issued.key.id
    now = timeutil.utcnow()
    assert effective_status(issued.key, now) == KeyStatus.active
    later = now + timedelta(days=app.config["KEY_ROTATION_OVERLAP_DAYS"], seconds=1)
    assert effective_status(issued.key, later) == KeyStatus.expired
    assert effective_status(new.key, later) == KeyStatus.active


def test_c5_1_suspend_resume_revoke_destroy(world, issued):
    key = issued.key
    with pytest.raises(RuleViolation):
        ops.suspend_key(world.operator, key, " ")
    ops.suspend_key(world.operator, key, "疑似泄露，核查中")
    ops.resume_key(world.operator, key)
    with pytest.raises(Conflict):
        ops.destroy_key(world.operator, key)
    ops.revoke_key(world.operator, key, "密钥丢失")
    ops.destroy_key(world.operator, key)
    assert key.status == KeyStatus.destroyed and key.secret_ciphertext == b"" and key.wrapped_data_key == b""
    assert [e.action for e in key.events] == ["issue", "suspend", "resume", "revoke", "destroy"]


def test_c5_1_only_the_operator_manages_keys(world, issued):
    with pytest.raises(Forbidden):
        ops.suspend_key(world.national, issued.key, "x")


def test_c5_1_api_rotation_needs_reauthentication_and_shows_the_secret_once(world, issued, client):
    headers = bearer(world.operator)
    refused = client.post(f"/api/v1/keys/{issued.key.key_id}/rotate", headers=headers, json={"password": "wrong"})
    assert refused.status_code == 401
    try:
        rotated = client.post(
            f"/api/v1/keys/{issued.key.key_id}/rotate",
            headers=headers,
            json={"password": PASSWORD, "otp": next_code(world.operator)},
        )
    finally:
        release_clock()
    assert rotated.status_code == 201 and rotated.headers["Cache-Control"] == "no-store"
    listing = client.get(f"/api/v1/channels/{issued.channel.id}/keys", headers=headers)
    assert rotated.json["secret"] not in listing.text and issued.secret not in listing.text
    assert [k["key_id"] for k in listing.json["items"]] == [issued.key.key_id, rotated.json["key_id"]]


def test_c5_1_api_suspend_and_revoke(world, issued, client):
    headers = bearer(world.operator)
    suspended = client.post(f"/api/v1/keys/{issued.key.key_id}/suspend", headers=headers, json={"reason": "核查"})
    assert suspended.json["status"] == "suspended"
    try:
        revoked = client.post(
            f"/api/v1/keys/{issued.key.key_id}/revoke",
            headers=headers,
            json={"reason": "泄露", "password": PASSWORD, "otp": next_code(world.operator)},
        )
    finally:
        release_clock()
    assert revoked.json["status"] == "revoked" and revoked.json["events"][-1]["reason"] == "泄露"


def test_c5_1_keys_are_the_operators_alone_403_for_companies(world, issued, client):
    """Only the platform operator sees or acts on keys (C5.1): a company — owner or not — gets 403, never the key."""
    for company in (world.company_a, world.company_b):
        listed = client.get(f"/api/v1/channels/{issued.channel.id}/keys", headers=bearer(company))
        assert listed.status_code == 403 and issued.key.key_id not in listed.text
        suspend = client.post(
            f"/api/v1/keys/{issued.key.key_id}/suspend", headers=bearer(company), json={"reason": "x"}
        )
        assert suspend.status_code == 403


def test_c5_1_an_unknown_key_is_404(world, client):
    response = client.post("/api/v1/keys/pk_nosuchkey/suspend", headers=bearer(world.operator), json={"reason": "x"})
    assert response.status_code == 404


def test_s10_ui_warns_confirms_and_reauthenticates_before_revoking(world, issued, client):
    from tests.conftest import login

    login(client, "operator")
    page = client.get(f"/keys/{issued.key.key_id}/revoke")
    assert page.status_code == 200 and "吊销不可撤销" in page.text and issued.key.status == KeyStatus.active
    assert client.post(f"/keys/{issued.key.key_id}/revoke", data={"reason": "丢失"}).status_code == 302
    assert issued.key.status == KeyStatus.revoked and issued.key.status_reason == "丢失"
    with client.session_transaction() as session:
        session.pop("reauth_at")
    assert client.get(f"/keys/{issued.key.key_id}/destroy").headers["Location"].startswith("/account/reauth")


def test_c5_1_ui_rotation_shows_the_new_secret_once(world, issued, client):
    from app.extensions import db
    from tests.conftest import login

    login(client, "operator")
    shown = client.post(f"/keys/{issued.key.key_id}/rotate")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    secret = shown.text.split('<div class="secret">')[1].split("<")[0]
    db.session.expire_all()
    assert secret not in client.get(f"/channels/{issued.channel.id}").text
    assert len(issued.channel.keys) == 2


def test_the_channel_page_offers_only_the_key_actions_the_state_allows(world, issued, client):
    from tests.conftest import login

    login(client, "operator")
    page = client.get(f"/channels/{issued.channel.id}").text
    assert f"/keys/{issued.key.key_id}/suspend" in page and f"/keys/{issued.key.key_id}/resume" not in page
    ops.suspend_key(world.operator, issued.key, "核查")
    page = client.get(f"/channels/{issued.channel.id}").text
    assert f"/keys/{issued.key.key_id}/resume" in page and f"/keys/{issued.key.key_id}/suspend" not in page
