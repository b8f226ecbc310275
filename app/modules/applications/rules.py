"""Pure intake rules: eligibility (C2.2) and completeness of the supplements (C7.2, C3.8)."""

from dataclasses import dataclass
from datetime import date

from app.core.enums import ChannelCategory
from app.core.timeutil import today


@dataclass(frozen=True)
class Problem:
    field: str
    zh: str
    en: str
    rule: str


def months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def eligibility_problems(app, today: date, min_months: int, social_min_users: int) -> list[Problem]:
    """C2.2: livelihood service, operated at least a year in the region, and for a social channel a user base of at
    least `social_min_users` (default 1,000,000)."""
    problems = []
    if not app.serves_livelihood:
        problems.append(
            Problem(
                "serves_livelihood",
                "渠道须服务于民生（C2.2）",
                "The channel must serve people's livelihood (C2.2)",
                "C2.2",
            )
        )
    if app.operating_since is None or months_between(app.operating_since, today) < min_months:
        problems.append(
            Problem(
                "operating_since",
                f"渠道须在申请地域运营满 {min_months} 个月且有稳定用户群（C2.2）",
                f"The channel must have operated for at least {min_months} months in the requested region (C2.2)",
                "C2.2",
            )
        )
    if app.category == ChannelCategory.social and (app.existing_users or 0) < social_min_users:
        problems.append(
            Problem(
                "existing_users",
                f"社会渠道现有用户数须不少于 {social_min_users:,}（C2.2）",
                f"A social channel needs at least {social_min_users:,} existing users (C2.2)",
                "C2.2",
            )
        )
    return problems


@dataclass(frozen=True)
class Fact:
    """One condition of C2.2 as a reviewer checks it: what the application states, what the rule asks, whether it
    holds."""

    title: tuple[str, str]
    stated: tuple[str, str]
    required: tuple[str, str]
    holds: bool


def eligibility_facts(app, on: date, min_months: int, social_min_users: int) -> list[Fact]:
    """C2.2 for the reviewers: the stated facts beside the thresholds (operating months counted to the fill date)."""
    since = app.operating_since
    months = months_between(since, app.fill_date or on) if since else None
    livelihood = bool(app.serves_livelihood)
    facts = [
        Fact(
            ("服务民生", "Serves livelihood"),
            ("是", "yes") if livelihood else ("否", "no"),
            ("须服务于民生", "required"),
            livelihood,
        ),
        Fact(
            ("运营时长", "Operating for"),
            (f"自 {since} 起 {months} 个月", f"{months} months since {since}") if since else ("-", "-"),
            (f"不少于 {min_months} 个月", f"at least {min_months} months"),
            months is not None and months >= min_months,
        ),
    ]
    if app.category == ChannelCategory.social:
        users = app.existing_users or 0
        facts.append(
            Fact(
                ("现有用户数", "Existing users"),
                (f"{users:,}", f"{users:,}"),
                (f"社会渠道不少于 {social_min_users:,}", f"a social channel at least {social_min_users:,}"),
                users >= social_min_users,
            )
        )
    return facts


SOCIAL_REQUIRED = ("user_groups", "introduction", "covered_regions", "scenario_fit", "entry_point", "expansion_plan")
SOCIAL_POSITIVE = ("registered_users", "monthly_active_users", "committed_annual_issuance", "committed_mau")
LEVEL2_REQUIRED = ("basic_facts", "management_relation", "capability_relation", "business_relation")


def supplement_problems(app, organisation) -> list[Problem]:
    """C7.2: a social channel files Form 2 in full; C3.8: a level-2 channel files the supplement in full, whose
    capability relation states what it reuses of the level-1 channel (C3.2)."""
    problems = []
    if app.category == ChannelCategory.social:
        social = app.social
        if social is None:
            return [
                Problem(
                    "social",
                    "社会渠道须填写补充说明材料（附表2，C2.6）",
                    "A social channel must file the supplement (Form 2, C2.6)",
                    "C2.6",
                )
            ]
        for name in SOCIAL_REQUIRED:
            if not (getattr(social, name) or "").strip():
                problems.append(Problem(f"social.{name}", "附表2 此项必填", "Required in Form 2", "C7.2"))
        for name in SOCIAL_POSITIVE:
            if not getattr(social, name):
                problems.append(Problem(f"social.{name}", "附表2 此项须为正数", "Must be a positive number", "C7.2"))
        if organisation.registration_date is None or months_between(organisation.registration_date, _today()) < 12:
            problems.append(
                Problem(
                    "organisation.registration_date",
                    "社会渠道所属单位须注册满一年（附表2）",
                    "The owner must have been registered for more than a year (Form 2)",
                    "C7.2",
                )
            )
    if app.level == 2:
        level2 = app.level2
        for name in LEVEL2_REQUIRED:
            if level2 is None or not (getattr(level2, name) or "").strip():
                problems.append(
                    Problem(
                        f"level2.{name}",
                        "二级渠道情况补充说明此项必填（C3.8）",
                        "Required in the level-2 supplement (C3.8)",
                        "C3.8",
                    )
                )
    return problems


def _today() -> date:
    return today()
