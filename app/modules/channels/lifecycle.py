"""The channel's lifecycle: every allowed change of `Channel.status` in one table, and `move`, the only function that
changes it. Each change has a cause (the verb of a later domain that brings it about) and one audit entry.

    applying ──approved──▶ testing ──Form 3 filed──▶ production_review ──go-live──▶ live ◀──restored──▶ suspended
       │                      ▲                             │                          │                   │
       └──withdrawn──▶ withdrawn └──returned / withdrawn────┘                          └──────┬────────────┘
                               exit transition (C6.2) from testing, production_review, live or suspended ▼
                                                                                  exiting ──▶ exited

A channel that existed before this service is not moved: the import of existing channels creates it where it stands
(`live` or `testing`) and records one `channel.import` entry for it (issue 16).

The messages of each change carry the verb's own context (an application's number, a key's id, an exit's end date)
and are queued by the verb itself, in the same transaction as the move.
"""

from dataclasses import dataclass
from enum import nonmember

from app.core import audit
from app.core.enums import ChannelStatus, TitledEnum
from app.core.errors import Conflict
from app.core.timeutil import utcnow

S = ChannelStatus
INITIAL = S.applying  # a channel is created by its test intake (C2.1)
CONNECTED = frozenset({S.testing, S.production_review, S.live, S.suspended})


class Cause(TitledEnum):
    test_intake_filed = "test_intake_filed"
    test_intake_approved = "test_intake_approved"
    test_intake_withdrawn = "test_intake_withdrawn"
    production_intake_filed = "production_intake_filed"
    production_intake_returned = "production_intake_returned"
    production_intake_withdrawn = "production_intake_withdrawn"
    went_live = "went_live"
    incident_suspension = "incident_suspension"
    incident_rectified = "incident_rectified"
    retest_failed = "retest_failed"
    passing_report_accepted = "passing_report_accepted"
    exit_transition = "exit_transition"
    exit_completed = "exit_completed"
    TITLES = nonmember(
        {
            "test_intake_filed": ("提交测试入网申请", "Test intake filed"),
            "test_intake_approved": (
                "测试入网审核通过，分配渠道编号和测试密钥",
                "Test intake approved, number and test key",
            ),
            "test_intake_withdrawn": ("撤回测试入网申请", "Test intake withdrawn"),
            "production_intake_filed": ("提交正式入网申请", "Production intake filed"),
            "production_intake_returned": ("正式入网申请退回", "Production intake returned"),
            "production_intake_withdrawn": ("撤回正式入网申请", "Production intake withdrawn"),
            "went_live": ("正式上线，签发正式密钥", "Went live with a production key"),
            "incident_suspension": ("二级安全风险事件，暂停服务", "Level-2 security incident: suspended"),
            "incident_rectified": ("整改验收通过，恢复服务", "Rectification accepted: restored"),
            "retest_failed": ("安全复测不通过，暂停服务", "Security re-test failed: suspended"),
            "passing_report_accepted": ("新的安全测试报告通过，恢复服务", "Passing security report: restored"),
            "exit_transition": ("进入退出过渡期", "Exit transition started"),
            "exit_completed": ("退出完成，接口关闭", "Exit completed, interfaces closed"),
        }
    )


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: ChannelStatus
    action: str  # the audit action


def _t(sources, target, action) -> Transition:
    return Transition(frozenset(sources), target, action)


TRANSITIONS: dict[Cause, Transition] = {
    Cause.test_intake_filed: _t({S.applying}, S.applying, "channel.apply"),
    Cause.test_intake_approved: _t({S.applying}, S.testing, "channel.start_testing"),
    Cause.test_intake_withdrawn: _t({S.applying}, S.withdrawn, "channel.withdraw"),
    Cause.production_intake_filed: _t({S.testing}, S.production_review, "channel.production_review"),
    Cause.production_intake_returned: _t({S.production_review}, S.testing, "channel.back_to_testing"),
    Cause.production_intake_withdrawn: _t({S.production_review}, S.testing, "channel.back_to_testing"),
    Cause.went_live: _t({S.production_review}, S.live, "channel.go_live"),
    Cause.incident_suspension: _t({S.live}, S.suspended, "channel.suspend"),
    Cause.incident_rectified: _t({S.suspended}, S.live, "channel.restore"),
    Cause.retest_failed: _t({S.live}, S.suspended, "channel.suspend"),
    Cause.passing_report_accepted: _t({S.suspended}, S.live, "channel.restore"),
    Cause.exit_transition: _t(CONNECTED, S.exiting, "channel.exit_transition"),
    Cause.exit_completed: _t({S.exiting}, S.exited, "channel.exit"),
}


def can_move(channel, to: ChannelStatus, cause: Cause) -> bool:
    transition = TRANSITIONS[cause]
    return transition.target == to and channel.status in transition.sources


def move(channel, to: ChannelStatus, cause: Cause, actor, *, before: dict | None = None, details: dict | None = None):
    """Change the channel's status for `cause`, if the table allows it from where the channel stands; one audit entry
    (who, when, the channel before and after, why). `before` is the channel's snapshot when the verb changed other
    fields first (a number, grants). Moving to where the channel already is changes and records nothing."""
    if channel.status == to:
        return
    if not can_move(channel, to, cause):
        raise Conflict(
            f"渠道当前状态为“{S(channel.status).title_zh}”，不能{cause.title_zh}",
            f"The channel is {S(channel.status).title_en.lower()}: {cause.title_en.lower()} is not possible",
            code="channel_status",
        )
    before = before or channel.snapshot()
    channel.status = to
    after = channel.snapshot() | {"cause": str(cause)} | (details or {})
    audit.record(TRANSITIONS[cause].action, channel, actor=actor, before=before, after=after)


# C6.4: a forced exit is opened by the exits domain; a lower domain that calls for one (a level-3 incident, C5.5)
# asks through here.
_FORCED_EXIT: list = []


def register_forced_exit(open_forced_exit) -> None:
    """`open_forced_exit(user, channel_id, cause, evidence, **context)`, registered by the exits domain."""
    _FORCED_EXIT[:] = [open_forced_exit]


def call_for_forced_exit(user, channel, cause: str, evidence: str, **context):
    """Mark the channel for a forced exit (C6.4) and open it at once."""
    channel.forced_exit_cause, channel.forced_exit_marked_at = cause, utcnow()
    if not _FORCED_EXIT:
        raise RuntimeError("no forced-exit handler is registered (app.modules.exits is not loaded)")
    return _FORCED_EXIT[0](user, channel.id, cause, evidence, **context)
