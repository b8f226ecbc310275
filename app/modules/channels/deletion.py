"""The channels domain's parts of a channel's data deletion (C6.5): the contact history, the grants and the
contact; the channel row stays as the minimal record (number, name, dates, status)."""

import sqlalchemy as sa

from app.core.deletion import delete_rows, register_part, update_rows
from app.extensions import db
from app.modules.channels.models import Channel, ContactChange, channel_region, channel_service


def contact_history(cid: int, scope: dict) -> dict:
    return {"contact_changes": delete_rows(ContactChange, ContactChange.channel_id == cid)}


def grants_and_contact(cid: int, scope: dict) -> dict:
    counts = {
        "granted_regions": db.session.execute(
            sa.delete(channel_region).where(channel_region.c.channel_id == cid)
        ).rowcount,
        "granted_services": db.session.execute(
            sa.delete(channel_service).where(channel_service.c.channel_id == cid)
        ).rowcount,
    }
    update_rows(Channel, Channel.id == cid, contact_name="", contact_phone="", contact_email="")
    return counts | {"channel_contact": 1}


register_part("operations", 30, contact_history)
register_part("channel", 40, grants_and_contact)
