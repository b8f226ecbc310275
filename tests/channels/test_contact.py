"""C4.2: the contact is fixed at production intake; the owner changes it (S3 checks), the history is kept and the
operator is told; nobody else may change it, and not before the channel is live."""

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, Forbidden, RuleViolation
from app.extensions import db
from app.modules.channels import operations as ops
from app.modules.messaging.models import Message
from tests.conftest import bearer, login
from tests.journeys import channel_in_testing, live_channel

NEW = {"contact_name": "李四", "contact_phone": "13700000000", "contact_email": "li@example.cn"}


def test_c4_2_the_contact_is_fixed_at_production_intake(world):
    channel, _issued = live_channel(world)
    assert (channel.contact_name, channel.contact_phone) == ("张三", "13912345678")


def test_c4_2_the_owner_changes_the_contact_history_kept_operator_told(world):
    channel, _issued = live_channel(world)
    ops.change_contact(world.company_a, channel, NEW)
    assert channel.contact_name == "李四"
    [change] = ops.contact_history(channel)
    assert change.before["contact_name"] == "张三" and change.after["contact_phone"] == "13700000000"
    told = db.session.scalars(sa.select(Message).where(Message.user_id == world.operator.id)).all()
    assert any("联系人变更" in m.subject and "李四" in m.body for m in told)


def test_c4_2_bad_details_others_and_channels_not_live_are_refused(world):
    channel, _issued = live_channel(world)
    with pytest.raises(RuleViolation) as exc:
        ops.change_contact(world.company_a, channel, NEW | {"contact_phone": "12345"})
    assert exc.value.code == "S3"
    with pytest.raises(Forbidden):
        ops.change_contact(world.company_b, channel, NEW)
    with pytest.raises(Conflict):
        ops.change_contact(world.company_a, channel_in_testing(world), NEW)
    assert ops.contact_history(channel) == []


def test_c4_2_through_the_page_and_the_api(world, client):
    channel, _issued = live_channel(world)
    login(client, "company_a")
    assert "变更联系人" in client.get(f"/channels/{channel.id}").text
    assert client.post(f"/channels/{channel.id}/contact", data=NEW).status_code == 302
    db.session.expire_all()
    assert channel.contact_name == "李四"
    response = client.put(
        f"/api/v1/channels/{channel.id}/contact", headers=bearer(world.company_a), json=NEW | {"contact_name": "王五"}
    )
    assert response.status_code == 200 and response.json["contact_name"] == "王五"
    history = client.get(f"/api/v1/channels/{channel.id}/contact-changes", headers=bearer(world.operator)).json
    assert [c["after"]["contact_name"] for c in history["items"]] == ["王五", "李四"]
    other = client.put(f"/api/v1/channels/{channel.id}/contact", headers=bearer(world.company_b), json=NEW)
    assert other.status_code == 404
