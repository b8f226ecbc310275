"""The operator step (C2.6, C3.4): unique numbers, test keys stored only encrypted, channel in `testing`."""

import pytest
import sqlalchemy as sa

from app.core.crypto import Sealed, unseal
from app.core.enums import ApplicationStatus, ChannelStatus, KeyEnvironment, Stage
from app.core.errors import Conflict, Forbidden
from app.extensions import db
from app.modules.key_issuance.models import ChannelKey
from app.modules.key_issuance.operations import complete_test_intake
from app.modules.reviews.operations import decide_step, round_steps
from tests.conftest import file_application


def approved_application(world, user=None, **overrides):
    """File (as company A unless `user` is given) and approve through every review step of the chain."""
    app = file_application(user or world.company_a, **overrides)
    reviewers = {
        "370100": world.jinan,
        "370200": world.qingdao,
        "370000": world.shandong,
        "440100": world.guangzhou,
        "440000": world.guangdong,
    }
    for stage in (Stage.municipal, Stage.provincial, Stage.national):
        for s in [s for s in round_steps(app) if s.stage == stage]:
            user = world.national if stage == Stage.national else reviewers[s.region_code]
            decide_step(user, s.id, True, "同意", user.display_name, "13800000000")
    assert app.status == ApplicationStatus.approved
    return app


def test_c2_6_operator_assigns_number_and_test_key(world):
    app = approved_application(world)
    issued = complete_test_intake(world.operator, app.id)
    channel = issued[0].channel
    assert channel.status == ChannelStatus.testing
    assert channel.channel_number.startswith("137") and len(channel.channel_number) == 10
    assert [r.code for r in channel.regions] == ["370100"]
    assert {s.code for s in channel.services} == {"standard", "qr_login"}
    assert app.status == ApplicationStatus.completed
    assert issued[0].key.environment == KeyEnvironment.test


def test_test_key_is_stored_only_encrypted(world):
    app = approved_application(world)
    issued = complete_test_intake(world.operator, app.id)[0]
    row = db.session.scalar(sa.select(ChannelKey))
    assert issued.secret.encode() not in row.secret_ciphertext
    assert (
        unseal(Sealed(row.secret_ciphertext, row.wrapped_data_key, row.master_key_id), row.key_id)
        == issued.secret.encode()
    )
    raw = db.session.execute(sa.text("SELECT * FROM audit_entry")).all()
    assert issued.secret not in repr(raw)


def test_numbers_are_unique(world):
    first = complete_test_intake(world.operator, approved_application(world).id)[0].channel.channel_number
    second = complete_test_intake(world.operator, approved_application(world).id)[0].channel.channel_number
    assert first != second and first[:5] == second[:5]


def test_only_operator_issues(world):
    app = approved_application(world)
    with pytest.raises(Forbidden):
        complete_test_intake(world.national, app.id)


def test_cannot_issue_twice_or_before_approval(world):
    app = approved_application(world)
    complete_test_intake(world.operator, app.id)
    with pytest.raises(Conflict):
        complete_test_intake(world.operator, app.id)
    pending = file_application(world.company_a)
    with pytest.raises(Conflict):
        complete_test_intake(world.operator, pending.id)
