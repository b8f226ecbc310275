"""Level-2 channels: C3.1 (subject), C3.3 (filed by the level-1 owner), C3.4 (linked number), C3.7, C3.8."""

import pytest

from app.core.enums import ChannelCategory
from app.core.errors import RuleViolation
from app.extensions import db
from app.modules.applications import operations as ops
from app.modules.key_issuance.operations import complete_test_intake
from tests.conftest import application_data
from tests.key_issuance.test_issue import approved_application

LEVEL2 = {
    "basic_facts": "服务10万人",
    "management_relation": "全资子公司",
    "capability_relation": "复用账户体系",
    "business_relation": "地域同一级渠道",
}


def level1_channel(world, category="bank", platform=False):
    app = approved_application(world, category=category, existing_users=10, social=None)
    channel = complete_test_intake(world.operator, app.id)[0].channel
    channel.platform_capability = platform
    db.session.commit()
    return channel


def level2_data(parent, same_subject=True, **kw):
    rows = [
        {
            "name": "二级小程序",
            "form": "mini_program",
            "access_mode": "h5",
            "regions": ["370100"],
            "services": ["standard"],
        }
    ]
    return (
        application_data(
            category=str(parent.category),
            level=2,
            parent_channel_id=parent.id,
            social=None,
            same_subject=same_subject,
            rows=rows,
            level2=LEVEL2,
            existing_users=10,
        )
        | kw
    )


def test_c3_1_different_subject_refused_under_a_bank_parent(world):
    parent = level1_channel(world, "bank")
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, level2_data(parent, same_subject=False))
    assert exc.value.code == "C3.1"


def test_c3_1_different_subject_allowed_under_national_signed_platform(world):
    parent = level1_channel(world, "national_signed", platform=True)
    app = ops.create_draft(world.company_a, level2_data(parent, same_subject=False))
    assert app.level == 2 and app.same_subject is False


def test_c3_1_national_signed_without_platform_capability_refused(world):
    parent = level1_channel(world, "national_signed", platform=False)
    with pytest.raises(RuleViolation):
        ops.create_draft(world.company_a, level2_data(parent, same_subject=False))


def test_c3_3_only_the_level1_owner_files(world):
    parent = level1_channel(world)
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_b, level2_data(parent))
    assert exc.value.code == "C3.3"


def test_c3_7_different_subject_cannot_inherit(world):
    parent = level1_channel(world, "national_signed", platform=True)
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, level2_data(parent, same_subject=False, inherit_parent_scope=True))
    assert exc.value.code == "C3.7"


def test_c3_7_same_subject_inherits_parent_grants(world):
    parent = level1_channel(world)
    app = ops.create_draft(world.company_a, level2_data(parent, inherit_parent_scope=True))
    assert app.rows[0].region_codes == [r.code for r in parent.regions]


def test_c3_8_level2_supplement_required(world):
    parent = level1_channel(world)
    draft = ops.create_draft(world.company_a, level2_data(parent, level2=None))
    from tests.conftest import attach_sheet

    attach_sheet(world.company_a, draft)
    with pytest.raises(RuleViolation) as exc:
        ops.submit(world.company_a, draft)
    assert exc.value.code == "C3.8"


def test_c3_4_level2_number_linked_to_level1(world):
    parent = level1_channel(world)
    app = approved_application(world, **level2_data(parent))
    issued = complete_test_intake(world.operator, app.id)
    assert issued[0].channel.channel_number == f"{parent.channel_number}-001"
    assert issued[0].channel.parent_id == parent.id
    assert parent.category == ChannelCategory.bank


def test_c3_2_level2_states_what_it_reuses_of_the_level1(world):
    """C3.2: the capability relation (what is reused: account system, identity authentication, liveness) is part of
    the supplement and must be filled."""
    parent = level1_channel(world)
    draft = ops.create_draft(world.company_a, level2_data(parent, level2=LEVEL2 | {"capability_relation": " "}))
    from tests.conftest import attach_sheet

    attach_sheet(world.company_a, draft)
    with pytest.raises(RuleViolation) as exc:
        ops.submit(world.company_a, draft)
    assert list(exc.value.fields) == ["level2.capability_relation"]
