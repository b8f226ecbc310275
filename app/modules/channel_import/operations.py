"""Import of existing channels (存量渠道导入, issue 16): the operator brings in the organisations, channels, agreements,
security reports and monthly figures of channels that were live before this service, all or nothing.

- The whole archive is checked first (`checks.Checker`); any problem refuses it with every (file, line, field, reason).
- A dry run checks and returns what would be created, writing nothing.
- The same file (SHA-256) imported again creates nothing and answers with the earlier import.
- Every created record is marked (`ImportedRecord`: the import, file and line); the audit log holds the file's digest.
- From then on the channels are like any other: created where they stand (live or testing), each with its
  `channel.import` entry; the monthly evaluation counts them from their first complete month after go-live,
  renewals follow their terms.
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
from app.modules.channel_import.checks import ChannelPlan, Checker, Plan
from app.modules.channel_import.models import ChannelImport, ImportedRecord
from app.modules.channel_import.reading import Problem, read_archive
from app.modules.channels.models import Channel, channel_region, channel_service
from app.modules.key_issuance.operations import IssuedKey, active_keys, issue_key
from app.modules.monitoring.models import MonthlyStatistic
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


def _write(user, record: ChannelImport, plan: Plan) -> None:
    """Set-based: each kind of record is written with one statement (per level for channels), marked and audited in
    one go — a national file of ~430 channels and their history is one short transaction."""
    owners = _organisations(user, record, plan)
    channels = _channels(user, record, plan, owners)
    _agreements(user, record, plan, channels)
    _reports(user, record, plan, channels)
    _figures(user, plan, channels)
    _counters(plan)


def _insert(model, rows: list[dict], key) -> dict:
    """Insert `rows` with one statement; {key value: id} of the new rows."""
    if not rows:
        return {}
    inserted = db.session.execute(sa.insert(model).returning(model.id, key), rows)
    return {value: row_id for row_id, value in inserted}


def _mark(record: ChannelImport, object_type: str, sheet: str, lines: dict[int, int], legacy=frozenset()) -> None:
    """Mark the new records ({id: line}) as imported, with the file and line they came from."""
    rows = [
        dict(
            import_id=record.id,
            object_type=object_type,
            object_id=object_id,
            sheet=sheet,
            line=line,
            legacy_number=object_id in legacy,
        )
        for object_id, line in lines.items()
    ]
    if rows:
        db.session.execute(sa.insert(ImportedRecord), rows)


def _organisations(user, record, plan: Plan) -> dict:
    """{USCC: organisation id}: the new ones written, the ones already registered linked."""
    new = [o for o in plan.organisations if o.existing is None]
    rows = [
        dict(
            name=o.name,
            uscc=o.uscc,
            registered_address=o.address,
            registration_date=o.registered_on,
            category=o.category,
            created_at=utcnow(),
        )
        for o in new
    ]
    owners = _insert(Organisation, rows, Organisation.uscc)
    _mark(record, "organisation", "organisations.csv", {owners[o.uscc]: o.line for o in new})
    entries = [
        (owners[o.uscc], None, {"name": o.name, "uscc": o.uscc, "category": str(o.category), "imported": record.sha256})
        for o in new
    ]
    audit.record_batch("organisation.create", "organisation", entries, user)
    wanted = {c.owner_uscc for c in plan.channels} - set(owners)
    found = db.session.execute(sa.select(Organisation.uscc, Organisation.id).where(Organisation.uscc.in_(wanted)))
    return owners | dict(found.all())


STATUS = {"live": ChannelStatus.live, "testing": ChannelStatus.testing}


def _channel_row(item: ChannelPlan, owner_id: int, parent_id: int | None) -> dict:
    return dict(
        name=item.name,
        form=item.form,
        category=item.category,
        level=item.level,
        access_mode=item.access_mode,
        owner_id=owner_id,
        parent_id=parent_id,
        same_subject=item.same_subject,
        status=STATUS[item.status],
        channel_number=item.number,
        live_since=item.live_since,
        committed_annual_issuance=item.committed[0] if item.committed else None,
        committed_mau=item.committed[1] if item.committed else None,
        created_at=utcnow(),
        **item.contact,
    )


def _channels(user, record, plan: Plan, owners: dict) -> dict:
    """{number: channel id}. An imported channel is created where it stands (live or testing): level-1 channels
    first, then their level-2 channels, then the grants, the marks and one lifecycle entry each (`channel.import`)."""
    numbers = {c.parent_number for c in plan.channels if c.parent_number}
    query = sa.select(Channel.channel_number, Channel.id).where(Channel.channel_number.in_(numbers))
    known = dict(db.session.execute(query).all())
    created = {}
    for level in (1, 2):
        parents = created | known
        rows = [
            _channel_row(c, owners[c.owner_uscc], parents.get(c.parent_number) if level == 2 else None)
            for c in plan.channels
            if c.level == level
        ]
        created |= _insert(Channel, rows, Channel.channel_number)
    _grants(plan, created)
    legacy = {created[c.number] for c in plan.channels if c.legacy}
    _mark(record, "channel", "channels.csv", {created[c.number]: c.line for c in plan.channels}, legacy)
    audit.record_batch("channel.import", "channel", [_lifecycle_entry(c, created, record) for c in plan.channels], user)
    return created


def _lifecycle_entry(item: ChannelPlan, created: dict, record: ChannelImport) -> tuple:
    after = {
        "status": item.status,
        "channel_number": item.number,
        "regions": item.regions,
        "services": item.services,
        "live_since": str(item.live_since or ""),
        "imported": record.sha256,
    }
    return created[item.number], None, after


def _grants(plan: Plan, created: dict) -> None:
    """C2.3, C2.4: the regions and services granted, two statements."""
    regions = [dict(channel_id=created[c.number], region_code=code) for c in plan.channels for code in c.regions]
    services = [dict(channel_id=created[c.number], service_code=code) for c in plan.channels for code in c.services]
    if regions:
        db.session.execute(channel_region.insert(), regions)
    if services:
        db.session.execute(channel_service.insert(), services)


def _at(day) -> datetime:
    return from_local(datetime.combine(day, time(9)))


def _agreements(user, record, plan: Plan, channels: dict) -> None:
    rows = [
        dict(
            channel_id=channels[number],
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
        for _line, number, version, row, dates in plan.agreements
    ]
    ids = _insert(Agreement, rows, Agreement.channel_id)  # one agreement per channel and file
    lines = {ids[channels[number]]: line for line, number, *_rest in plan.agreements}
    _mark(record, "agreement", "agreements.csv", lines)


def _reports(user, record, plan: Plan, channels: dict) -> None:
    """The facts of the current report (no original file: it stays with the old platform's records)."""
    rows = [
        dict(
            channel_id=channels[number],
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
            uploaded_at=utcnow(),
        )
        for line, number, institution, tested, covers, row in plan.reports
    ]
    ids = _insert(SecurityReport, rows, SecurityReport.stored_name)
    lines = {report_id: int(name.rsplit("-", 1)[1]) for name, report_id in ids.items()}
    _mark(record, "security_report", "security_reports.csv", lines)


def _figures(user, plan: Plan, channels: dict) -> None:
    now = utcnow()
    rows = [
        dict(
            channel_id=channels[number],
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
