"""Pure rules of production intake: what a Form 3 needs before it can be submitted (C2.7, C2.8, C2.9, C7.3), and
what the operator must have verified before approving it."""

from datetime import date

from app.modules.applications.rules import Problem
from app.modules.production.models import CHECKLIST, PLATFORMS
from app.modules.security_tests.rules import is_current, reusable_for


def report_problem(report, channel, today: date) -> Problem | None:
    """C2.7, C5.3: a passing report covering the access security spec, less than a year old and not outdated by a
    declared major change. A report of another channel of the same owner serves only if it is of the same year."""
    if report is None:
        return Problem(
            "security_report_id",
            "请选择安全检测报告（C2.7）",
            "Choose the security test report (C2.7)",
            "C2.7",
        )
    if report.channel.owner_id != channel.owner_id:
        return Problem("security_report_id", "检测报告不存在", "No such security report", "C2.7")
    if report.channel_id == channel.id:
        usable = is_current(report, today, channel.major_change_on)
    else:
        usable = reusable_for(report, today) and is_current(report, today, channel.major_change_on)
    if not usable:
        return Problem(
            "security_report_id",
            "所选检测报告不可用：须为检测通过、覆盖接入安全技术规范、一年内且此后未申报重大变更的报告（C2.7、C5.3）",
            "The chosen report cannot be used: it must pass, cover the access security specification, be less than "
            "a year old and predate no declared major change (C2.7, C5.3)",
            "C5.3",
        )
    return None


def recording_problems(recordings: dict) -> list[Problem]:
    """C2.9: one iOS and one Android recording."""
    return [
        Problem(
            f"recordings.{platform}",
            f"请上传 {names[0]} 录屏（C2.9）",
            f"Upload the {names[1]} recording (C2.9)",
            "C2.9",
        )
        for platform, names in PLATFORMS.items()
        if platform not in recordings
    ]


def verification_problems(recordings: dict, report_reviewed: bool) -> list[Problem]:
    """C2.8, C2.9: before approving, the operator has ticked all six operations in both recordings and reviewed the
    security report."""
    problems = recording_problems(recordings)
    for platform, recording in recordings.items():
        missing = [names for step, names in CHECKLIST.items() if step not in recording.checked_steps]
        if missing:
            problems.append(
                Problem(
                    f"recordings.{platform}",
                    f"{PLATFORMS[platform][0]} 录屏未核验：{'、'.join(m[0] for m in missing)}（C2.9）",
                    f"{PLATFORMS[platform][1]} recording not verified: {', '.join(m[1] for m in missing)} (C2.9)",
                    "C2.9",
                )
            )
    if not report_reviewed:
        problems.append(
            Problem(
                "report_reviewed",
                "请先审查安全检测报告（C2.8）",
                "Review the security test report first (C2.8)",
                "C2.8",
            )
        )
    return problems
