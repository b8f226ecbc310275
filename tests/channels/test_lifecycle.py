"""The channel lifecycle table: every allowed move is walked, every other (status, cause) pair is refused, and no
module but the lifecycle assigns a channel's status."""

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.enums import ChannelStatus
from app.core.errors import Conflict
from app.extensions import db
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import TRANSITIONS, Cause
from app.modules.channels.models import Channel

ALLOWED = [(cause, source) for cause, t in TRANSITIONS.items() for source in sorted(t.sources)]
REFUSED = [(cause, s) for cause, t in TRANSITIONS.items() for s in ChannelStatus if s not in t.sources | {t.target}]


def channel_in(world, status: ChannelStatus) -> Channel:
    channel = Channel(owner_id=world.org_a.id, name="惠民生活APP", form="app", access_mode="sdk", category="social")
    channel.level, channel.status = 1, status
    db.session.add(channel)
    db.session.flush()
    return channel


@pytest.mark.parametrize(("cause", "source"), ALLOWED, ids=[f"{c}-{s}" for c, s in ALLOWED])
def test_every_allowed_move_changes_the_status_and_records_who_when_why(world, cause, source):
    channel = channel_in(world, source)
    target = TRANSITIONS[cause].target
    lifecycle.move(channel, target, cause, world.operator)
    assert channel.status == target
    if source == target:
        return
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.object_type == "channel", AuditEntry.object_id == str(channel.id))
    )
    assert entry.action == TRANSITIONS[cause].action and entry.actor_id == world.operator.id
    assert entry.before["status"] == source
    assert entry.after["status"] == target and entry.after["cause"] == cause


@pytest.mark.parametrize(("cause", "source"), REFUSED, ids=[f"{c}-{s}" for c, s in REFUSED])
def test_every_other_move_is_refused_and_changes_nothing(world, cause, source):
    channel = channel_in(world, source)
    with pytest.raises(Conflict) as refused:
        lifecycle.move(channel, TRANSITIONS[cause].target, cause, world.operator)
    assert refused.value.code == "channel_status" and channel.status == source
    assert "不能" in refused.value.message("zh") and "not possible" in refused.value.message("en")


def test_a_move_to_another_target_than_the_cause_names_is_refused(world):
    channel = channel_in(world, ChannelStatus.live)
    with pytest.raises(Conflict):
        lifecycle.move(channel, ChannelStatus.exited, Cause.exit_transition, world.operator)


def test_every_status_and_cause_has_both_titles():
    for enum in (ChannelStatus, Cause):
        for member in enum:
            assert member.title_zh and member.title_en and member.title_zh != member.title_en
    reached = {t.target for t in TRANSITIONS.values()} | {lifecycle.INITIAL}
    assert reached == set(ChannelStatus)  # every status can be reached


def _assigns_channel_status(node) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        for element in target.elts if isinstance(target, ast.Tuple) else [target]:
            if isinstance(element, ast.Attribute) and element.attr == "status":
                value = ast.unparse(node.value)
                if "ChannelStatus." in value or "channel" in ast.unparse(element.value).lower():
                    return True
    return False


def test_only_the_lifecycle_assigns_a_channel_status():
    offenders = []
    for path in Path("app").rglob("*.py"):
        if path.name == "lifecycle.py" or "demo" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and _assigns_channel_status(node):
                offenders.append(f"{path}:{node.lineno}")
    assert offenders == []


def test_every_status_column_is_an_enum_with_chinese_and_english_titles(app):
    columns = [
        (table.name, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.name == "status" or column.name.endswith("_status")
    ]
    assert len(columns) >= 12
    for table, column in columns:
        enum = getattr(column.type, "enum_class", None)
        assert enum is not None, f"{table}.{column.name} is a free string"
        for member in enum:
            assert member.title_zh and member.title_en, f"{table}.{column.name}: {member} has no title"
