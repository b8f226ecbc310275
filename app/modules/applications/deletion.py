"""The applications domain's parts of a channel's data deletion (C6.5): attachments (files, then rows), supplements,
rows and their regions and services, round contents and the applicant's contact; the application shell stays."""

import sqlalchemy as sa

from app.core.deletion import delete_files, delete_rows, register_part, update_rows
from app.modules.applications.models import (
    Application,
    ApplicationRound,
    ApplicationRow,
    Attachment,
    Level2Supplement,
    RowRegion,
    RowService,
    SocialSupplement,
)


def own_applications(channel_id: int):
    """Applications whose every row is this channel's (their contents go; a shared Form 1 keeps the others' rows)."""
    others = sa.exists().where(ApplicationRow.application_id == Application.id, ApplicationRow.channel_id != channel_id)
    mine = sa.exists().where(ApplicationRow.application_id == Application.id, ApplicationRow.channel_id == channel_id)
    return sa.select(Application.id).where(mine, ~others)


def attachment_files(cid: int, scope: dict) -> dict:
    return {"attachment_files": delete_files(Attachment, Attachment.application_id.in_(scope["applications"]))}


def attachments(cid: int, scope: dict) -> dict:
    return {"attachments": delete_rows(Attachment, Attachment.application_id.in_(scope["applications"]))}


def contents(cid: int, scope: dict) -> dict:
    apps = scope["applications"]
    rows = sa.select(ApplicationRow.id).where(ApplicationRow.channel_id == cid)
    counts = {
        "social_supplements": delete_rows(SocialSupplement, SocialSupplement.application_id.in_(apps)),
        "level2_supplements": delete_rows(Level2Supplement, Level2Supplement.application_id.in_(apps)),
        "row_regions": delete_rows(RowRegion, RowRegion.row_id.in_(rows)),
        "row_services": delete_rows(RowService, RowService.row_id.in_(rows)),
        "application_rows": delete_rows(ApplicationRow, ApplicationRow.channel_id == cid),
        "round_contents": update_rows(
            ApplicationRound, ApplicationRound.application_id.in_(apps), content={}, reasons=""
        ),
    }
    contact = {"contact_name": "", "contact_phone": "", "contact_email": "", "security_report_id": None}
    update_rows(Application, Application.id.in_(apps), **contact)
    return counts


register_part("files", 10, attachment_files)
register_part("application_contents", 20, attachments)
register_part("application_contents", 40, contents)
