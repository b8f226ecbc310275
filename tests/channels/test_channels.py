"""Channels: kinds (C1.1–C1.3), what a channel may serve (C2.1), platform capability (C3.1), the catalogue (C2.4)."""

import pytest

from app.core.enums import ChannelCategory, ChannelForm, ChannelStatus
from app.core.errors import RuleViolation
from app.modules.channels import operations as ops
from app.modules.channels.rules import may_serve
from tests.conftest import bearer, login
from tests.key_issuance.test_issue import approved_application


def test_c1_1_forms_and_c1_2_categories_carry_their_chinese_terms():
    """C1.1 forms and C1.2 categories, with the terms the UI and the forms show."""
    assert [f.title_zh for f in ChannelForm] == ["APP", "公众号", "生活号", "小程序"]
    assert [c.title_zh for c in ChannelCategory] == [
        "人社渠道",
        "政府渠道",
        "全国签约渠道",
        "银行渠道",
        "医药渠道",
        "社会渠道",
    ]


def test_c1_3_level2_needs_a_level1_parent(world):
    from app.modules.applications import operations as apps
    from tests.conftest import application_data

    with pytest.raises(RuleViolation) as exc:
        apps.create_draft(world.company_a, application_data(level=2, parent_channel_id=None))
    assert exc.value.code == "C3.3"


@pytest.fixture
def testing_channel(world):
    from app.modules.key_issuance.operations import complete_test_intake

    app = approved_application(world, category="national_signed", existing_users=10, social=None)
    return complete_test_intake(world.operator, app.id)[0].channel


def test_c2_1_a_channel_in_testing_serves_nothing(testing_channel):
    assert testing_channel.status == ChannelStatus.testing
    assert not may_serve(testing_channel, "standard")


def test_c2_1_a_live_channel_serves_only_granted_services(world):
    from tests.journeys import live_channel

    channel, _issued = live_channel(world)
    assert channel.status == ChannelStatus.live
    assert may_serve(channel, "standard") and may_serve(channel, "qr_login")
    assert not may_serve(channel, "local_services")


def test_c3_1_operator_records_platform_capability_through_ui_and_api(world, client, testing_channel):
    login(client, "operator")
    response = client.post(f"/channels/{testing_channel.id}/platform-capability", data={"platform_capability": "1"})
    assert response.status_code == 302 and testing_channel.platform_capability
    api = client.put(
        f"/api/v1/channels/{testing_channel.id}/platform-capability",
        headers=bearer(world.operator),
        json={"platform_capability": False},
    )
    assert api.status_code == 200 and api.json["platform_capability"] is False


def test_c3_1_only_national_signed_channels_have_platform_capability(world):
    from app.modules.key_issuance.operations import complete_test_intake

    app = approved_application(world, category="bank", existing_users=10, social=None)
    bank_channel = complete_test_intake(world.operator, app.id)[0].channel
    with pytest.raises(RuleViolation):
        ops.set_platform_capability(bank_channel, True)


def test_c2_4_operator_adds_a_personalized_service(world, client):
    response = client.post(
        "/api/v1/services",
        headers=bearer(world.operator),
        json={
            "code": "payment_codes",
            "kind": "personalized",
            "name_zh": "医保码",
            "name_en": "Medical insurance code",
        },
    )
    assert response.status_code == 201
    assert (
        client.post(
            "/api/v1/services",
            headers=bearer(world.company_a),
            json={"code": "x", "kind": "personalized", "name_zh": "x", "name_en": "x"},
        ).status_code
        == 403
    )


def test_c2_4_standard_service_cannot_be_disabled_or_duplicated(world):
    with pytest.raises(RuleViolation):
        ops.update_service("standard", {"active": False})
    with pytest.raises(RuleViolation):
        ops.create_service({"code": "standard2", "kind": "standard", "name_zh": "x", "name_en": "x"})


def test_c2_4_operator_edits_the_catalogue_in_the_ui(world, client):
    login(client, "operator")
    response = client.post(
        "/services/qr_login/edit",
        data={"name_zh": "扫码登录服务", "name_en": "QR login", "description": "", "sort_order": "20", "active": "y"},
    )
    assert response.status_code == 302
    assert "扫码登录服务" in client.get("/services").text
