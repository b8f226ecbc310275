"""S6 data quality: completeness, anomaly and duplicate rates of organisations, channels, contacts and monthly figures,
measured over the whole register, each with the records that offend. A fixed number of statements (one per kind of
record) whatever the number of records; the rules are in Python over the rows read.

What is measured (README, "Data quality"):
- organisations — complete: name, USCC, kind, registered address and date; anomalous: a USCC whose GB 32100 check
  digit fails, a registration date in the future; duplicate: the same name under two USCCs.
- channels (not exited or withdrawn) — complete: number, regions and services (once past test intake), go-live
  date of a live or suspended channel; anomalous: go-live in the future or before the owner was registered, a
  level-2 channel whose level-1 channel has left; duplicate: two channels of one owner with the same name.
- contacts (of live or suspended channels: fixed at production intake, C4.2) — complete: name, phone and e-mail;
  anomalous: a phone or e-mail that fails the S3 checks (older data); duplicate: one phone given by channels of
  different owners.
- monthly figures (current versions) — complete: every month from the first complete month after go-live to last
  month is there; anomalous: cumulative issuance that is not the previous month's plus the month's new issuance, or
  MAU above cumulative issuance; duplicate: a month whose three figures repeat the previous month's exactly.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core.enums import ChannelStatus
from app.core.timeutil import today
from app.core.validation import EMAIL, PHONE
from app.extensions import db
from app.modules.accounts.models import Organisation
from app.modules.accounts.rules import is_valid_uscc
from app.modules.agreements.rules import add_months
from app.modules.channels.models import Channel, channel_region, channel_service
from app.modules.monitoring.operations import current_statistics

DOMAINS = {
    "organisations": ("单位", "Organisations"),
    "channels": ("渠道", "Channels"),
    "contacts": ("渠道联系人", "Channel contacts"),
    "figures": ("月度数据", "Monthly figures"),
}
MEASURES = {  # each counts the records that fail it: the incomplete, the anomalous, the duplicated
    "completeness": ("不完整", "Incomplete"),
    "anomaly": ("异常", "Anomalous"),
    "duplicate": ("重复", "Duplicated"),
}
GONE = (ChannelStatus.exited, ChannelStatus.withdrawn)
LIVE = (ChannelStatus.live, ChannelStatus.suspended)  # past production intake: contact fixed (C4.2), figures due


@dataclass
class Finding:
    domain: str
    measure: str
    record: str  # what people know it by: a name, a number, a number and month
    detail: tuple[str, str]  # (zh, en)
    link: tuple[str, int] | None = None  # ("channel" | "organisation", id)


@dataclass
class Report:
    totals: dict = field(default_factory=dict)  # {domain: records measured}
    bases: dict = field(default_factory=dict)  # {(domain, measure): records measured, where it differs}
    findings: list = field(default_factory=list)

    def add(self, *args, **kw) -> None:
        self.findings.append(Finding(*args, **kw))

    def offending(self, domain: str, measure: str) -> list[Finding]:
        return [f for f in self.findings if f.domain == domain and f.measure == measure]

    def rates(self) -> dict:
        """{domain: {measure: {"records": n offending, "rate": share of the records measured}}}."""
        out = {}
        for domain in DOMAINS:
            out[domain] = {"total": self.totals.get(domain, 0)}
            for measure in MEASURES:
                total = self.bases.get((domain, measure), self.totals.get(domain, 0))
                records = len({f.record for f in self.offending(domain, measure)})
                out[domain][measure] = {
                    "records": records,
                    "of": total,
                    "rate": round(records / total, 4) if total else 0.0,
                }
        return out


def measure() -> Report:
    report = Report()
    orgs = _organisations(report)
    channels = _channels(report, orgs)
    _contacts(report, channels)
    _figures(report, channels)
    return report


def _organisations(report: Report) -> dict:
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.id)).all()
    report.totals["organisations"] = len(orgs)
    names = defaultdict(set)
    for org in orgs:
        missing = [
            label
            for label, value in (("注册地址", org.registered_address), ("注册时间", org.registration_date))
            if not value
        ]
        if missing:
            report.add(
                "organisations",
                "completeness",
                org.name,
                (
                    "缺少" + "、".join(missing),
                    "missing: "
                    + ", ".join(
                        {"注册地址": "registered address", "注册时间": "registration date"}[m] for m in missing
                    ),
                ),
                ("organisation", org.id),
            )
        if not is_valid_uscc(org.uscc):
            report.add(
                "organisations",
                "anomaly",
                org.name,
                (f"统一社会信用代码校验位错误：{org.uscc}", f"USCC check digit fails: {org.uscc}"),
                ("organisation", org.id),
            )
        if org.registration_date and org.registration_date > today():
            report.add(
                "organisations",
                "anomaly",
                org.name,
                ("注册时间晚于今天", "registered in the future"),
                ("organisation", org.id),
            )
        names["".join(org.name.split())].add(org)
    for same in names.values():
        if len(same) > 1:
            usccs = "、".join(o.uscc for o in same)
            for org in same:
                report.add(
                    "organisations",
                    "duplicate",
                    org.name,
                    (f"同名单位有多个信用代码：{usccs}", f"one name, several USCCs: {usccs}"),
                    ("organisation", org.id),
                )
    return {o.id: o for o in orgs}


@dataclass
class ChannelRow:
    id: int
    name: str
    number: str | None
    owner_id: int
    status: ChannelStatus
    level: int
    parent_status: ChannelStatus | None
    live_since: date | None
    contact: tuple
    regions: int
    services: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}" if self.number else self.name


def _channels(report: Report, orgs: dict) -> list[ChannelRow]:
    parent = aliased(Channel)
    regions = sa.select(sa.func.count()).where(channel_region.c.channel_id == Channel.id).scalar_subquery()
    services = sa.select(sa.func.count()).where(channel_service.c.channel_id == Channel.id).scalar_subquery()
    rows = db.session.execute(
        sa.select(
            Channel.id,
            Channel.name,
            Channel.channel_number,
            Channel.owner_id,
            Channel.status,
            Channel.level,
            parent.status,
            Channel.live_since,
            Channel.contact_name,
            Channel.contact_phone,
            Channel.contact_email,
            regions,
            services,
        )
        .outerjoin(parent, Channel.parent_id == parent.id)
        .where(Channel.status.not_in(GONE))
        .order_by(Channel.id)
    )
    channels = [ChannelRow(*r[:7], r[7], tuple(r[8:11]), r[11], r[12]) for r in rows]
    report.totals["channels"] = len(channels)
    same_name = Counter((c.owner_id, "".join(c.name.split())) for c in channels)
    for c in channels:
        link = ("channel", c.id)
        missing = []
        if not c.number and c.status != ChannelStatus.applying:
            missing.append(("渠道编号", "number"))
        if not c.regions and c.status != ChannelStatus.applying:  # granted at test intake (C2.3, C2.4)
            missing.append(("服务地域", "regions"))
        if not c.services and c.status != ChannelStatus.applying:
            missing.append(("应用范围", "services"))
        if c.status in LIVE and not c.live_since:
            missing.append(("上线日期", "go-live date"))
        if missing:
            report.add(
                "channels",
                "completeness",
                c.label,
                ("缺少" + "、".join(z for z, _e in missing), "missing: " + ", ".join(e for _z, e in missing)),
                link,
            )
        owner = orgs.get(c.owner_id)
        if c.live_since and c.live_since > today():
            report.add("channels", "anomaly", c.label, ("上线日期晚于今天", "goes live in the future"), link)
        elif c.live_since and owner and owner.registration_date and c.live_since < owner.registration_date:
            report.add(
                "channels",
                "anomaly",
                c.label,
                ("上线日期早于所属单位注册时间", "live before its owner was registered"),
                link,
            )
        if c.level == 2 and c.parent_status in GONE:
            report.add("channels", "anomaly", c.label, ("一级渠道已退出", "its level-1 channel has left"), link)
        if same_name[(c.owner_id, "".join(c.name.split()))] > 1:
            report.add(
                "channels",
                "duplicate",
                c.label,
                ("同一单位有同名渠道", "the owner has another channel of this name"),
                link,
            )
    return channels


def _contacts(report: Report, channels: list[ChannelRow]) -> None:
    """The contacts fixed at production intake (C4.2): of the channels that are live or suspended."""
    channels = [c for c in channels if c.status in LIVE]
    report.totals["contacts"] = len(channels)
    owners_of_phone = defaultdict(set)
    for c in channels:
        name, phone, email = c.contact
        link = ("channel", c.id)
        missing = [
            label
            for label, value in ((("联系人", "name"), name), (("手机号", "phone"), phone), (("邮箱", "e-mail"), email))
            if not value
        ]
        if missing:
            report.add(
                "contacts",
                "completeness",
                c.label,
                ("缺少" + "、".join(z for z, _e in missing), "missing: " + ", ".join(e for _z, e in missing)),
                link,
            )
        if phone and not PHONE.match(phone):
            report.add(
                "contacts",
                "anomaly",
                c.label,
                (f"电话号码格式不正确：{phone}", f"phone fails the S3 check: {phone}"),
                link,
            )
        if email and not EMAIL.match(email):
            report.add(
                "contacts",
                "anomaly",
                c.label,
                (f"邮箱格式不正确：{email}", f"e-mail fails the S3 check: {email}"),
                link,
            )
        if phone:
            owners_of_phone[phone].add(c.owner_id)
    for c in channels:
        phone = c.contact[1]
        if phone and len(owners_of_phone[phone]) > 1:
            report.add(
                "contacts",
                "duplicate",
                c.label,
                (f"不同单位的渠道使用同一电话：{phone}", f"one phone for channels of different owners: {phone}"),
                ("channel", c.id),
            )


def _figures(report: Report, channels: list[ChannelRow]) -> None:
    live = {c.id: c for c in channels if c.status in LIVE and c.live_since}
    last = add_months(today().replace(day=1), -1)
    current = current_statistics().subquery()
    rows = db.session.execute(
        sa.select(
            current.c.channel_id,
            current.c.month,
            current.c.new_issuance,
            current.c.cumulative_issuance,
            current.c.monthly_active_users,
        ).order_by(current.c.channel_id, current.c.month)
    ).all()
    report.totals["figures"] = len(rows)
    by_channel = defaultdict(dict)
    for channel_id, month, new, cumulative, mau in rows:
        by_channel[channel_id][month] = (new, cumulative, mau)
    labels = {c.id: c.label for c in channels}
    for channel_id, months in by_channel.items():
        _series(report, labels.get(channel_id, str(channel_id)), channel_id, months)
    for channel_id, c in live.items():
        first = add_months(c.live_since.replace(day=1), 1)
        expected, month = [], first
        while month <= last:
            expected.append(month)
            month = add_months(month, 1)
        report.bases[("figures", "completeness")] = report.bases.get(("figures", "completeness"), 0) + len(expected)
        missing = [m for m in expected if m not in by_channel.get(channel_id, {})]
        for m in missing:
            report.add(
                "figures",
                "completeness",
                f"{c.label} {m:%Y-%m}",
                ("缺少该月数据", "month missing"),
                ("channel", channel_id),
            )


def _series(report: Report, label: str, channel_id: int, months: dict) -> None:
    previous = None
    for month in sorted(months):
        new, cumulative, mau = months[month]
        record, link = f"{label} {month:%Y-%m}", ("channel", channel_id)
        if previous is not None and add_months(previous[0], 1) == month:
            if cumulative != previous[1][1] + new:
                report.add(
                    "figures",
                    "anomaly",
                    record,
                    (
                        f"累计签发量 {cumulative} ≠ 上月 {previous[1][1]} + 本月新增 {new}",
                        f"cumulative {cumulative} ≠ last month's {previous[1][1]} + new {new}",
                    ),
                    link,
                )
            if (new, cumulative, mau) == previous[1]:
                report.add(
                    "figures",
                    "duplicate",
                    record,
                    ("三项数据与上月完全相同", "all three figures repeat last month's"),
                    link,
                )
        if mau > cumulative:
            report.add(
                "figures",
                "anomaly",
                record,
                (f"月活 {mau} 超过累计签发量 {cumulative}", f"MAU {mau} above cumulative issuance {cumulative}"),
                link,
            )
        previous = (month, (new, cumulative, mau))
