"""The guards of the exit workflow (C6.1–C6.4, C6.6): who may take each step, in which state, and what a refusal
leaves unchanged — the branches the journeys of test_exits.py do not take."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.timeutil import today
from app.extensions import db
from app.modules.exits import operations as ops
from app.modules.exits.models import Exit
from app.modules.key_issuance.operations import complete_test_intake, revoke_key
from app.modules.messaging.models import Message
from app.modules.security_tests.jobs import check_report_expiry
from app.modules.security_tests.operations import declare_major_change
from tests.applications.test_level2 import level2_data
from tests.exits.test_exits import LATER
from tests.journeys import live_channel
from tests.key_issuance.test_issue import approved_application
from tests.monitoring.test_evaluation import BANK, live


def _consulting(world):
    channel, key = live_channel(world)
    return channel, key, ops.apply_exit(world.company_a, channel.id, LATER(), "业务整合")


def test_c6_1_one_exit_at_a_time_and_only_the_owner_files_it(world):
    channel, _key, _exit = _consulting(world)
    with pytest.raises(Conflict) as exc:
        ops.apply_exit(world.company_a, channel.id, LATER(), "再次申请")
    assert exc.value.code == "exiting"
    with pytest.raises(Forbidden):
        ops.apply_exit(world.operator, channel.id, LATER(), "运营机构代为申请")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Exit).where(Exit.channel_id == channel.id)) == 1


def test_c6_2_only_the_asked_provincial_center_gives_its_opinion_once(world):
    _channel, _key, exit_ = _consulting(world)
    for outsider in (world.guangdong, world.national):
        with pytest.raises(NotFound):
            ops.give_opinion(outsider, exit_.id, True, "同意")
    ops.give_opinion(world.shandong, exit_.id, False, "建议延后")
    with pytest.raises(Conflict) as exc:
        ops.give_opinion(world.shandong, exit_.id, True, "改为同意")
    assert exc.value.code == "decided" and exit_.opinions[0].agree is False


def test_c6_2_the_national_center_decides_and_a_rejection_gives_its_reasons(world):
    channel, _key, exit_ = _consulting(world)
    ops.give_opinion(world.shandong, exit_.id, True, "同意")
    with pytest.raises(Forbidden):
        ops.national_decide(world.operator, exit_.id, True, "")
    with pytest.raises(RuleViolation):
        ops.national_decide(world.national, exit_.id, False, "  ")
    ops.national_decide(world.national, exit_.id, False, "协议期内用户较多，暂不同意")
    assert exit_.status == "rejected" and channel.status == "live"
    told = db.session.scalars(sa.select(Message).where(Message.organisation_id == world.org_a.id)).all()
    assert any("不同意" in m.body for m in told)
    with pytest.raises(Conflict) as exc:
        ops.national_decide(world.national, exit_.id, True, "")
    assert exc.value.code == "not_consulting"
    with pytest.raises(Conflict) as exc:
        ops.notify(world.operator, exit_.id)
    assert exc.value.code == "not_approved" and channel.status == "live"


def test_c6_2_c6_3_the_operator_notifies_and_the_owner_acts_only_in_the_transition(world):
    _channel, _key, exit_ = _consulting(world)
    with pytest.raises(Conflict) as exc:
        ops.confirm_push_notice(world.company_a, exit_.id)
    assert exc.value.code == "not_in_transition"
    ops.give_opinion(world.shandong, exit_.id, True, "同意")
    ops.national_decide(world.national, exit_.id, True, "同意")
    with pytest.raises(Forbidden):
        ops.notify(world.company_a, exit_.id)
    ops.notify(world.operator, exit_.id)
    with pytest.raises(Forbidden):
        ops.confirm_push_notice(world.operator, exit_.id)
    assert exit_.push_notice_confirmed_at is None


def test_c6_4_a_forced_exit_is_the_operators_with_a_listed_cause(world):
    channel, _key = live_channel(world)
    with pytest.raises(Forbidden):
        ops.open_forced_exit(world.company_a, channel.id, "reputation_damage", "证据")
    with pytest.raises(RuleViolation) as exc:
        ops.open_forced_exit(world.operator, channel.id, "parent_exit", "只能随一级渠道退出")
    assert exc.value.code == "C6.4"
    with pytest.raises(NotFound):
        ops.open_forced_exit(world.operator, 2**31 - 1, "reputation_damage", "证据")
    assert ops.open_exit(channel) is None


def test_c6_4_a_voluntary_exit_in_progress_becomes_forced_and_a_second_forced_exit_is_the_same(world):
    channel, key, voluntary = _consulting(world)
    forced = ops.open_forced_exit(world.operator, channel.id, "reputation_damage", "冒用名义收费")
    assert voluntary.status == "rejected" and "因强制退出终止" in voluntary.national_opinion
    assert ops.open_forced_exit(world.operator, channel.id, "level3_incident", "另一事由").id == forced.id
    revoke_key(world.operator, key.key, "提前收回")  # a key already revoked stays as it is when the exit closes
    ops.complete_due(forced.transition_end)
    assert channel.status == "exited" and key.key.status_reason == "提前收回"
    with pytest.raises(Conflict) as exc:
        ops.open_forced_exit(world.operator, channel.id, "reputation_damage", "已退出")
    assert exc.value.code == "exited"


def test_c6_4_the_system_opens_a_forced_exit_for_a_security_report_overdue_past_the_grace(world, app):
    channel, _key = live_channel(world)
    declare_major_change(world.company_a, channel, "upgrade", "核心交易系统重构")  # C5.3: a new test is due
    grace_days = 30 * app.config["EXIT_GRACE_MONTHS"]
    flagged = today() - timedelta(days=grace_days - 5)
    assert check_report_expiry(flagged)["overdue"] == 1
    assert ops.open_due_forced_exits(today()) == 0  # still within the grace period
    assert ops.open_due_forced_exits(today() + timedelta(days=10)) == 1
    exit_ = ops.open_exit(channel)
    assert (exit_.kind, exit_.cause, channel.status) == ("forced", "security_report_overdue", "exiting")
    assert ops.open_due_forced_exits(today() + timedelta(days=10)) == 0  # the channel is already leaving


def test_c6_6_a_level2_channel_already_exiting_keeps_its_own_exit_when_its_parent_leaves(world):
    parent = live(world, **BANK)
    child = complete_test_intake(world.operator, approved_application(world, **level2_data(parent)).id)[0].channel
    own = ops.open_forced_exit(world.operator, child.id, "reputation_damage", "二级渠道自身问题")
    ops.open_forced_exit(world.operator, parent.id, "reputation_damage", "一级渠道问题")
    exits_of_child = db.session.scalars(sa.select(Exit).where(Exit.channel_id == child.id)).all()
    assert [e.id for e in exits_of_child] == [own.id] and own.parent_exit_id is None
