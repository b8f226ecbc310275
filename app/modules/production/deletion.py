"""The production domain's parts of a channel's data deletion (C6.5): screen recordings (files, checks, rows)."""

import sqlalchemy as sa

from app.core.deletion import delete_files, delete_rows, register_part
from app.modules.production.models import Recording, RecordingCheck


def recording_files(cid: int, scope: dict) -> dict:
    return {"recording_files": delete_files(Recording, Recording.application_id.in_(scope["applications"]))}


def recordings(cid: int, scope: dict) -> dict:
    own = Recording.application_id.in_(scope["applications"])
    return {
        "recording_checks": delete_rows(
            RecordingCheck, RecordingCheck.recording_id.in_(sa.select(Recording.id).where(own))
        ),
        "recordings": delete_rows(Recording, own),
    }


register_part("files", 20, recording_files)
register_part("application_contents", 10, recordings)
