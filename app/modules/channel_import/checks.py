"""Checking an import archive against the rules and the service (issue 16): every row of every file, with what is
already in the service, before anything is written. The result is a plan (what would be created) or problems."""

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.core.enums import AccessMode, ChannelCategory, ChannelForm
from app.core.errors import RuleViolation
from app.core.timeutil import today
from app.core.validation import check_email, check_phone
from app.extensions import db
from app.modules.accounts.models import Organisation
from app.modules.accounts.rules import is_valid_uscc
from app.modules.agreements.models import AgreementVersion
from app.modules.channel_import.reading import (
    Problem,
    Rows,
    parse_bool,
    parse_count,
    parse_date,
    split_list,
)
from app.modules.channels import rules as channel_rules
from app.modules.channels.models import Channel, Service
from app.modules.key_issuance.operations import CATEGORY_DIGIT, FORM_DIGIT
from app.modules.monitoring.imports import Series
from app.modules.monitoring.rules import FIGURES, figure_problems, parse_month
from app.modules.regions.models import Region
from app.modules.reviews.rules import province_of
from app.modules.security_tests.models import Institution

LEVEL1_NUMBER = re.compile(r"^1(\d{2})(\d)(\d)(\d{5})$")
LEGACY_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,24}$")
STATUSES = ("live", "testing")


@dataclass
class OrgPlan:
    line: int
    uscc: str
    name: str
    category: ChannelCategory
    address: str
    registered_on: date | None
    existing: Organisation | None = None


@dataclass
class ChannelPlan:
    line: int
    number: str
    legacy: bool
    name: str
    owner_uscc: str
    category: ChannelCategory
    form: ChannelForm
    access_mode: AccessMode
    level: int
    parent_number: str
    same_subject: bool | None
    regions: list
    services: list
    status: str
    live_since: date | None
    contact: dict
    committed: tuple | None


@dataclass
class Plan:
    organisations: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    agreements: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "organisations": sum(o.existing is None for o in self.organisations),
            "organisations_existing": [o.uscc for o in self.organisations if o.existing is not None],
            "channels": len(self.channels),
            "agreements": len(self.agreements),
            "security_reports": len(self.reports),
            "figures": len(self.figures),
            "channel_numbers": [c.number for c in self.channels],
        }


class Checker:
    """One pass over the archive; `problem` collects, nothing raises."""

    def __init__(self, sheets: dict[str, Rows]):
        self.sheets = sheets
        self.plan = Plan()
        self.sheet = ""

    def problem(self, line: int, name: str, en: str, zh: str) -> None:
        self.plan.problems.append(Problem(self.sheet, line, name, en, zh))

    def run(self) -> Plan:
        self.organisations()
        self.channels()
        self.agreements()
        self.reports()
        self.figures()
        return self.plan

    # organisations.csv ------------------------------------------------------------------------------------------
    def organisations(self) -> None:
        self.sheet = "organisations.csv"
        rows = self.sheets.get(self.sheet, [])
        usccs = {row["uscc"].upper() for _line, row in rows}
        existing = {o.uscc: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.uscc.in_(usccs)))}
        seen = set()
        for line, row in rows:
            uscc = row["uscc"].upper()
            if not is_valid_uscc(uscc):
                self.problem(line, "uscc", "invalid USCC (GB 32100)", "统一社会信用代码无效（GB 32100）")
                continue
            if uscc in seen:
                self.problem(line, "uscc", "this USCC appears twice", "统一社会信用代码重复")
                continue
            seen.add(uscc)
            category = _enum(ChannelCategory, row["category"])
            if category is None:
                self.problem(line, "category", "unknown organisation kind (C1.2)", "单位类别无效（C1.2）")
            if not row["name"] or len(row["name"]) > 200:
                self.problem(line, "name", "the legal name is required (≤ 200)", "须填写单位法定名称（200字以内）")
            if len(row.get("registered_address", "")) > 300:
                self.problem(line, "registered_address", "at most 300 characters", "注册地址不超过300字")
            registered = row.get("registration_date", "")
            if registered and parse_date(registered) is None:
                self.problem(line, "registration_date", "YYYY-MM-DD", "日期格式应为 YYYY-MM-DD")
            known = existing.get(uscc)
            if known is not None and (known.name != row["name"] or known.category != category):
                self.problem(
                    line,
                    "uscc",
                    "already registered with another name or kind: correct the file or the organisation",
                    f"该统一社会信用代码已登记为“{known.name}”（{known.category.title_zh}），与文件不一致",
                )
            if category is not None:
                self.plan.organisations.append(
                    OrgPlan(
                        line,
                        uscc,
                        row["name"],
                        category,
                        row.get("registered_address", ""),
                        parse_date(registered),
                        known,
                    )
                )

    def _owners(self, usccs: set) -> dict:
        owners = {o.uscc: o.category for o in self.plan.organisations}
        for org in db.session.scalars(sa.select(Organisation).where(Organisation.uscc.in_(usccs))):
            owners.setdefault(org.uscc, org.category)
        return owners

    # channels.csv -----------------------------------------------------------------------------------------------
    def channels(self) -> None:
        self.sheet = "channels.csv"
        rows = self.sheets.get(self.sheet, [])
        owners = self._owners({row["owner_uscc"].upper() for _line, row in rows})
        numbers = [row["channel_number"] for _line, row in rows]
        taken = set(db.session.scalars(sa.select(Channel.channel_number).where(Channel.channel_number.in_(numbers))))
        regions = set(db.session.scalars(sa.select(Region.code)))
        services = {s.code: s for s in db.session.scalars(sa.select(Service))}
        parents = self._parents(rows)
        seen = set()
        for line, row in rows:
            plan = self._channel(line, row, owners, regions, services)
            if plan is None:
                continue
            if plan.number in taken:
                self.problem(line, "channel_number", "already in the service", "该渠道编号已在系统中")
            elif plan.number in seen:
                self.problem(line, "channel_number", "this number appears twice", "渠道编号重复")
            seen.add(plan.number)
            self._number_rules(line, plan, parents)
            self.plan.channels.append(plan)

    def _parents(self, rows) -> dict:
        """{number: (level, status, owner USCC)} of level-1 channels named as parents, in the file or the service."""
        in_file = {
            row["channel_number"]: (row["level"], row["status"], row["owner_uscc"].upper()) for _line, row in rows
        }
        wanted = {row.get("parent_number", "") for _line, row in rows} - {""} - set(in_file)
        stored = db.session.execute(
            sa.select(Channel.channel_number, Channel.level, Channel.status, Organisation.uscc)
            .join(Organisation, Channel.owner_id == Organisation.id)
            .where(Channel.channel_number.in_(wanted))
        )
        return in_file | {n: (str(level), str(status), uscc) for n, level, status, uscc in stored}

    def _channel(self, line, row, owners, regions, services) -> ChannelPlan | None:
        start = len(self.plan.problems)
        owner = row["owner_uscc"].upper()
        category = owners.get(owner)
        if category is None:
            self.problem(line, "owner_uscc", "unknown organisation: add it to organisations.csv", "所属单位不存在")
        asked = row.get("category", "")
        if category is not None and asked and asked != category.value:
            self.problem(
                line, "category", "the category follows the owner's kind (C1.2)", "渠道类别须与所属单位类别一致（C1.2）"
            )
        form = _enum(ChannelForm, row["form"])
        mode = _enum(AccessMode, row["access_mode"])
        if form is None:
            self.problem(line, "form", "app, official_account, life_account or mini_program", "渠道形式无效")
        if mode is None:
            self.problem(line, "access_mode", "sdk or h5", "接入方式无效")
        if form is not None and mode is not None and form != ChannelForm.app and mode != AccessMode.h5:
            self.problem(
                line, "access_mode", "only an APP may use the SDK (C2.5)", "只有 APP 可以 SDK 方式接入（C2.5）"
            )
        level = row["level"]
        if level not in ("1", "2"):
            self.problem(line, "level", "1 or 2", "渠道级别应为 1 或 2")
        same_subject = parse_bool(row.get("same_subject", "")) if level == "2" else None
        if level == "2" and (same_subject is None or not row.get("same_subject")):
            self.problem(line, "same_subject", "yes or no for a level-2 channel (C3.1)", "二级渠道须填写是否同一主体")
        if not row["name"] or len(row["name"]) > 100:
            self.problem(line, "name", "the published name is required (≤ 100)", "须填写渠道名称（100字以内）")
        chosen_regions = split_list(row["regions"])
        unknown = [c for c in chosen_regions if c not in regions]
        if not chosen_regions or unknown:
            self.problem(line, "regions", f"unknown or missing region codes {unknown}", "服务地域缺失或代码无效")
        chosen = [services.get(code) for code in split_list(row["services"])]
        if None in chosen or not chosen:
            self.problem(line, "services", "unknown or missing service codes", "应用范围缺失或服务代码无效")
        elif category is not None:
            self._scope(line, chosen, category)
        status, live_since = self._status(line, row)
        contact = self._contact(line, row)
        committed = self._committed(line, row, category, level, status)
        if len(self.plan.problems) > start:
            return None
        return ChannelPlan(
            line,
            row["channel_number"],
            parse_bool(row.get("legacy_number", "")) is True,
            row["name"],
            owner,
            category,
            form,
            mode,
            int(level),
            row.get("parent_number", ""),
            same_subject,
            chosen_regions,
            [s.code for s in chosen],
            status,
            live_since,
            contact,
            committed,
        )

    def _scope(self, line, chosen, category) -> None:
        try:
            channel_rules.check_scope(chosen, category)
        except RuleViolation as exc:
            self.problem(line, "services", exc.en, exc.zh)

    def _status(self, line, row) -> tuple[str, date | None]:
        status = row["status"]
        if status not in STATUSES:
            self.problem(line, "status", "live or testing", "状态应为 live（已正式入网）或 testing（测试中）")
        live_since = parse_date(row.get("live_since", ""))
        if status == "live" and (live_since is None or live_since > today()):
            self.problem(
                line, "live_since", "a go-live date YYYY-MM-DD, not in the future", "须填写上线日期（不晚于今天）"
            )
        if status == "testing" and row.get("live_since"):
            self.problem(line, "live_since", "a channel in testing has no go-live date", "测试中的渠道没有上线日期")
        return status, live_since if status == "live" else None

    def _contact(self, line, row) -> dict:
        contact = {name: row.get(name, "") for name in ("contact_name", "contact_phone", "contact_email")}
        for check, name in ((check_phone, "contact_phone"), (check_email, "contact_email")):
            try:
                check(contact[name], name)
            except RuleViolation as exc:
                self.problem(line, name, exc.en, exc.zh)
        if not contact["contact_name"] or len(contact["contact_name"]) > 64:
            self.problem(line, "contact_name", "the contact person is required (C4.2)", "须填写联系人（C4.2）")
        return contact

    def _committed(self, line, row, category, level, status) -> tuple | None:
        annual, mau = row.get("committed_annual_issuance", ""), row.get("committed_mau", "")
        if category != ChannelCategory.social or level != "1":
            if annual or mau:
                self.problem(
                    line,
                    "committed_mau",
                    "Form 2 commitments are for level-1 social channels",
                    "仅一级社会渠道填写附表2承诺",
                )
            return None
        values = parse_count(annual), parse_count(mau)
        if None in values:
            self.problem(
                line,
                "committed_mau",
                "a social channel's Form 2 commitments (C4.10)",
                "社会渠道须填写附表2承诺的年签发量和月活（C4.10）",
            )
            return None
        return values

    def _number_rules(self, line, plan: ChannelPlan, parents: dict) -> None:
        """C3.4: a number of the scheme (level-1 digits match its province, category and form; a level-2 number is its
        parent's plus a serial), or a legacy number kept as recorded (legacy_number=yes)."""
        if plan.level == 2:
            parent = parents.get(plan.parent_number)
            if parent is None or parent[0] != "1":
                self.problem(line, "parent_number", "no such level-1 channel", "一级渠道不存在")
                return
            if parent[2] != plan.owner_uscc and plan.same_subject:
                self.problem(
                    line,
                    "same_subject",
                    "a different owner is a different subject (C3.1)",
                    "所属单位不同，不是同一主体（C3.1）",
                )
        if plan.legacy:
            if not LEGACY_NUMBER.match(plan.number):
                self.problem(
                    line,
                    "channel_number",
                    "letters, digits and '-', at most 24",
                    "原渠道编号只能含字母、数字和“-”，至多24位",
                )
            return
        if plan.level == 2:
            if not re.fullmatch(re.escape(plan.parent_number) + r"-\d{3}", plan.number):
                self.problem(
                    line,
                    "channel_number",
                    "a level-2 number is its parent's plus -NNN (C3.4), or mark it legacy",
                    "二级渠道编号应为一级渠道编号加“-三位序号”（C3.4），或标注为原编号",
                )
            return
        match = LEVEL1_NUMBER.match(plan.number)
        provinces = {province_of(code)[:2] for code in plan.regions}
        expected = (
            next(iter(provinces)) if len(provinces) == 1 else "00",
            CATEGORY_DIGIT[plan.category],
            FORM_DIGIT[plan.form],
        )
        if not match or match.groups()[:3] != expected:
            self.problem(
                line,
                "channel_number",
                f"not of the numbering scheme 1{''.join(expected)}NNNNN; mark it legacy_number=yes to keep it",
                f"不符合编号规则（应为 1{''.join(expected)} 加五位序号）；如为原有编号请标注 legacy_number=是",
            )

    # agreements.csv, security_reports.csv ---------------------------------------------------------------------
    def _channel_of(self, line, row) -> ChannelPlan | None:
        found = next((c for c in self.plan.channels if c.number == row["channel_number"]), None)
        if found is None:
            self.problem(line, "channel_number", "not a channel of this file (or refused above)", "不是本文件中的渠道")
        return found

    def agreements(self) -> None:
        self.sheet = "agreements.csv"
        rows = self.sheets.get(self.sheet, [])
        versions = {v.version: v for v in db.session.scalars(sa.select(AgreementVersion))}
        seen = set()
        for line, row in rows:
            channel = self._channel_of(line, row)
            version = versions.get(row["version"])
            if version is None:
                self.problem(
                    line,
                    "version",
                    "unknown agreement version: publish it first (C4.12)",
                    "协议版本不存在，请先发布该版本",
                )
            dates = {n: parse_date(row.get(n, "")) for n in ("signed_on", "countersigned_on", "term_start", "term_end")}
            dates["term_start"] = dates["term_start"] or dates["countersigned_on"]
            for name, value in dates.items():
                if value is None:
                    self.problem(line, name, "YYYY-MM-DD", "日期格式应为 YYYY-MM-DD")
            if None not in dates.values() and not (dates["signed_on"] <= dates["countersigned_on"] <= today()):
                self.problem(
                    line,
                    "countersigned_on",
                    "signed, then countersigned, not in the future",
                    "会签日期须不早于签署日期且不晚于今天",
                )
            if None not in dates.values() and dates["term_end"] < dates["term_start"]:
                self.problem(line, "term_end", "the term ends after it starts", "协议期限结束日期早于开始日期")
            if not row["signer_name"]:
                self.problem(line, "signer_name", "who signed for the channel", "须填写渠道签署人")
            if channel is not None and channel.number in seen:
                self.problem(line, "channel_number", "one agreement per channel", "每个渠道一份协议")
            if channel is not None and version is not None and None not in dates.values():
                seen.add(channel.number)
                self.plan.agreements.append((line, channel.number, version, row, dates))

    def reports(self) -> None:
        self.sheet = "security_reports.csv"
        rows = self.sheets.get(self.sheet, [])
        institutions = {i.name: i for i in db.session.scalars(sa.select(Institution))}
        for line, row in rows:
            channel = self._channel_of(line, row)
            institution = institutions.get(row["institution"])
            if institution is None:
                self.problem(
                    line,
                    "institution",
                    "not in the register of testing institutions (C5.4)",
                    "检测机构不在名录中（C5.4）",
                )
            tested = parse_date(row["test_date"])
            if tested is None or tested > today():
                self.problem(
                    line, "test_date", "YYYY-MM-DD, not in the future", "检测日期格式应为 YYYY-MM-DD，且不晚于今天"
                )
            if row["result"] not in ("pass", "fail"):
                self.problem(line, "result", "pass or fail", "检测结论应为 pass 或 fail")
            covers = parse_bool(row.get("covers_spec", "yes") or "yes")
            if covers is None:
                self.problem(line, "covers_spec", "yes or no", "应为 是 或 否")
            if channel is not None and institution is not None and tested and row["result"] in ("pass", "fail"):
                self.plan.reports.append((line, channel.number, institution, tested, covers, row))

    # figures.csv -------------------------------------------------------------------------------------------------
    def figures(self) -> None:
        """C3.6: the same figure rules as the statistics import, against the file's own series."""
        self.sheet = "figures.csv"
        rows = self.sheets.get(self.sheet, [])
        channels = {c.number: c for c in self.plan.channels}
        parsed, by_channel = [], {}
        for line, row in rows:
            channel = channels.get(row["channel_number"])
            month = parse_month(row["month"])
            if channel is None:
                self.problem(
                    line, "channel_number", "not a channel of this file (or refused above)", "不是本文件中的渠道"
                )
            if month is None:
                self.problem(line, "month", "YYYY-MM", "月份格式应为 YYYY-MM")
            if channel is None or month is None:
                continue
            figures = {
                name: parse_count(row[name]) if parse_count(row[name]) is not None else row[name] for name in FIGURES
            }
            parsed.append((line, channel, month, figures))
            if isinstance(figures["cumulative_issuance"], int):
                by_channel.setdefault(channel.number, {})[month] = figures["cumulative_issuance"]
        series = {number: Series(months) for number, months in by_channel.items()}
        seen = set()
        for line, channel, month, figures in parsed:
            if (channel.number, month) in seen:
                self.problem(line, "month", "this channel and month appear twice", "同一渠道同一月份重复")
                continue
            seen.add((channel.number, month))
            before, after = series[channel.number].neighbours(month) if channel.number in series else (None, None)
            found = figure_problems(figures, month, today(), channel.live_since, before, after)
            for p in found:
                self.problem(line, p.field, p.en, p.zh)
            if not found:
                self.plan.figures.append((channel.number, month, figures))


def _enum(enum_cls, text: str):
    try:
        return enum_cls(text)
    except ValueError:
        return None
