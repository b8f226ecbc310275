"""Import of existing channels (存量渠道导入, issue 16): the operator brings in the organisations, channels, agreements,
security reports and monthly figures of channels that were live before this service, all or nothing.

- The whole archive is checked first (`checks.Checker`); any problem refuses it with every (file, line, field, reason).
- A dry run checks and returns what would be created, writing nothing.
- The same file (SHA-256) imported again creates nothing and answers with the earlier import.
- Every created record is marked (`ImportedRecord`: the import, file and line); the audit log holds the file's digest.
- From then on the channels are like any other: the lifecycle moved them in (`imported_live` / `imported_testing`),
  the monthly evaluation counts them from their first complete month after go-live, renewals follow their terms.
- Keys are never imported: the operator issues new ones for an import's channels (`issue_keys`), shown once, to be
  handed over to each channel; the old platform's keys are retired there (README, "Existing channels").
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import ChannelStatus, KeyEnvironment
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.permissions import P, may
from app.core.timeutil import from_local, utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.accounts.models import Organisation
from app.modules.agreements.models import Agreement
from app.modules.applications.numbering import at_least
from app.modules.channel_import.checks import Checker, Plan
from app.modules.channel_import.models import ChannelImport, ImportedRecord
from app.modules.channel_import.reading import Problem, read_archive
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import Cause
from app.modules.channels.models import Channel, Service
from app.modules.key_issuance.operations import IssuedKey, active_keys, issue_key
from app.modules.monitoring.models import MonthlyStatistic
from app.modules.regions.models import Region
from app.modules.security_tests.models import SecurityReport

SHOWN_PROBLEMS = 20


class ImportRefused(DomainError):
    """The archive was refused: `problems` lists every problem as {file, line, field, reason, zh}."""

    status = 422
    code = "import_refused"

    def __init__(self, problems: list[Problem]):
        shown = problems[:SHOWN_PROBLEMS]
        more = f"（共 {len(problems)} 处）" if len(problems) > SHOWN_PROBLEMS else ""
        super().__init__(
            "文件未导入，请改正后重新上传："
            + "；".join(f"{p.sheet} 第 {p.line} 行 {p.field}：{p.zh}" for p in shown)
            + more,
            "Nothing was imported; correct the file and upload it again: "
            + "; ".join(f"{p.sheet} line {p.line} {p.field}: {p.en}" for p in shown),
            fields={f"{p.sheet}:{p.line}.{p.field}": [p.en] for p in problems},
        )
        self.problems = [p.as_dict() for p in problems]


@dataclass
class Outcome:
    dry_run: bool
    sha256: str
    summary: dict
    channel_import: ChannelImport | None = None
    already_imported: bool = False

    def as_dict(self) -> dict:
        record = self.channel_import
        return {
            "dry_run": self.dry_run,
            "already_imported": self.already_imported,
            "sha256": self.sha256,
            "import_id": record.id if record else None,
            "created": self.summary,
        }


def may_import(user) -> bool:
    return may(user, P.channel_import)


def guard(user) -> None:
    if not may_import(user):
        raise Forbidden("只有平台运营机构可以导入存量渠道", "Only the platform operator imports existing channels")


def imports_list():
    return sa.select(ChannelImport).order_by(ChannelImport.id.desc())


def get_import(user, import_id: int) -> ChannelImport:
    guard(user)
    found = db.session.get(ChannelImport, import_id)
    if found is None:
        raise NotFound()
    return found


@transactional
def import_channels(user, data: bytes, *, filename: str = "", source: str, dry_run: bool = False) -> Outcome:
    """Check the archive, then (unless a dry run) write every record of it in this one transaction — or nothing."""
    guard(user)
    if len(data) > current_app.config["MAX_UPLOAD_BYTES"]:
        raise ImportRefused([Problem("file", 1, "file", "file too large", "文件过大")])
    digest = hashlib.sha256(data).hexdigest()
    earlier = db.session.scalar(sa.select(ChannelImport).where(ChannelImport.sha256 == digest))
    if earlier is not None:  # the same file again: nothing new
        return Outcome(dry_run, digest, earlier.counts, earlier, already_imported=True)
    sheets, problems = read_archive(data)
    if problems:
        raise ImportRefused(problems)
    plan = Checker(sheets).run()
    if plan.problems:
        raise ImportRefused(sorted(plan.problems, key=lambda p: (p.sheet, p.line)))
    if dry_run:
        return Outcome(True, digest, plan.summary())
    record = ChannelImport(
        sha256=digest, filename=(filename or "")[:200], source=source, counts=plan.summary(), imported_by_id=user.id
    )
    db.session.add(record)
    db.session.flush()
    _write(user, record, plan)
    audit.record(
        "channel_import.create", record, actor=user, after={"sha256": digest, "filename": filename} | record.counts
    )
    return Outcome(False, digest, record.counts, record)


def _mark(record: ChannelImport, object_type: str, obj, sheet: str, line: int, legacy: bool = False) -> None:
    db.session.add(
        ImportedRecord(
            import_id=record.id,
            object_type=object_type,
            object_id=obj.id,
            sheet=sheet,
            line=line,
            legacy_number=legacy,
        )
    )


def _write(user, record: ChannelImport, plan: Plan) -> None:
    owners = _organisations(user, record, plan)
    channels = _channels(user, record, plan, owners)
    _agreements(user, record, plan, channels)
    _reports(user, record, plan, channels)
    _figures(user, plan, channels)
    _counters(plan)


def _organisations(user, record, plan: Plan) -> dict:
    owners = {}
    for org in plan.organisations:
        if org.existing is not None:
            owners[org.uscc] = org.existing
            continue
        created = Organisation(
            name=org.name,
            uscc=org.uscc,
            registered_address=org.address,
            registration_date=org.registered_on,
            category=org.category,
        )
        db.session.add(created)
        db.session.flush()
        audit.record(
            "organisation.create",
            created,
            actor=user,
            after={"name": org.name, "uscc": org.uscc, "category": str(org.category), "imported": record.sha256},
        )
        _mark(record, "organisation", created, "organisations.csv", org.line)
        owners[org.uscc] = created
    wanted = {c.owner_uscc for c in plan.channels} - set(owners)
    owners |= {o.uscc: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.uscc.in_(wanted)))}
    return owners


def _channels(user, record, plan: Plan, owners: dict) -> dict:
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    services = {s.code: s for s in db.session.scalars(sa.select(Service))}
    numbers = {c.parent_number for c in plan.channels if c.parent_number}
    parents = {
        c.channel_number: c for c in db.session.scalars(sa.select(Channel).where(Channel.channel_number.in_(numbers)))
    }
    created = {}
    for item in sorted(plan.channels, key=lambda c: c.level):  # parents before their level-2 channels
        parent = (created.get(item.parent_number) or parents.get(item.parent_number)) if item.level == 2 else None
        channel = Channel(
            name=item.name,
            form=item.form,
            category=item.category,
            level=item.level,
            access_mode=item.access_mode,
            owner_id=owners[item.owner_uscc].id,
            parent_id=parent.id if parent else None,
            same_subject=item.same_subject,
            status=lifecycle.INITIAL,
            channel_number=item.number,
            live_since=item.live_since,
            committed_annual_issuance=item.committed[0] if item.committed else None,
            committed_mau=item.committed[1] if item.committed else None,
            **item.contact,
        )
        channel.regions = [regions[code] for code in item.regions]
        channel.services = [services[code] for code in item.services]
        db.session.add(channel)
        db.session.flush()
        live = item.status == "live"
        lifecycle.move(
            channel,
            ChannelStatus.live if live else ChannelStatus.testing,
            Cause.imported_live if live else Cause.imported_testing,
            user,
            details={"imported": record.sha256, "live_since": str(item.live_since or "")},
        )
        _mark(record, "channel", channel, "channels.csv", item.line, item.legacy)
        created[item.number] = channel
    return created


def _at(day) -> datetime:
    return from_local(datetime.combine(day, time(9)))


def _agreements(user, record, plan: Plan, channels: dict) -> None:
    for line, number, version, row, dates in plan.agreements:
        agreement = Agreement(
            channel_id=channels[number].id,
            version_id=version.id,
            text_sha256=version.sha256,
            signed_by_id=user.id,
            signer_name=row["signer_name"][:64],
            signed_at=_at(dates["signed_on"]),
            countersigned_by_id=user.id,
            countersigner_name=(row.get("countersigner_name") or user.display_name)[:64],
            countersigned_at=_at(dates["countersigned_on"]),
            term_start=dates["term_start"],
            term_end=dates["term_end"],
        )
        db.session.add(agreement)
        db.session.flush()
        _mark(record, "agreement", agreement, "agreements.csv", line)


def _reports(user, record, plan: Plan, channels: dict) -> None:
    """The facts of the current report (no original file: it stays with the old platform's records)."""
    for line, number, institution, tested, covers, row in plan.reports:
        report = SecurityReport(
            channel_id=channels[number].id,
            institution_id=institution.id,
            test_date=tested,
            version_tested=row.get("version_tested", "")[:64],
            covers_spec=covers,
            result=row["result"],
            findings=row.get("findings", ""),
            filename="",
            stored_name=f"imported-{record.id}-{line}",
            sha256="",
            size=0,
            uploaded_by_id=user.id,
        )
        db.session.add(report)
        db.session.flush()
        _mark(record, "security_report", report, "security_reports.csv", line)


def _figures(user, plan: Plan, channels: dict) -> None:
    now = utcnow()
    rows = [
        dict(
            channel_id=channels[number].id,
            month=month,
            version=1,
            **figures,
            source="import",
            reason="",
            reported_by_user_id=user.id,
            created_at=now,
        )
        for number, month, figures in plan.figures
    ]
    if rows:
        db.session.execute(MonthlyStatistic.__table__.insert(), rows)


def _counters(plan: Plan) -> None:
    """Numbers of the scheme brought in are never handed out again (C3.4)."""
    level1 = [int(c.number[-5:]) for c in plan.channels if c.level == 1 and not c.legacy]
    if level1:
        at_least("channel:level1", max(level1))
    for channel in plan.channels:
        if channel.level == 2 and not channel.legacy:
            at_least("channel:" + channel.parent_number, int(channel.number[-3:]))


def imported_channels(channel_import: ChannelImport) -> list[Channel]:
    ids = [r.object_id for r in channel_import.records if r.object_type == "channel"]
    return db.session.scalars(sa.select(Channel).where(Channel.id.in_(ids)).order_by(Channel.id)).all()


@transactional
def issue_keys(user, import_id: int) -> list[IssuedKey]:
    """Keys for an import's channels through the normal lifecycle (C5.1): a production key for each live channel and
    a test key for each channel in testing that has none active; each secret is returned once, for hand-over."""
    if not may(user, P.key_issue):
        raise Forbidden("只有平台运营机构签发密钥", "Only the platform operator issues keys")
    record = get_import(user, import_id)
    issued = []
    for channel in imported_channels(record):
        environment = {
            ChannelStatus.live: KeyEnvironment.production,
            ChannelStatus.testing: KeyEnvironment.test,
        }.get(channel.status)
        if environment is None or active_keys(channel, environment):
            continue
        issued.append(issue_key(channel, environment, user))
    audit.record(
        "channel_import.keys",
        record,
        actor=user,
        after={"sha256": record.sha256, "keys": [k.key.key_id for k in issued]},
    )
    return issued
