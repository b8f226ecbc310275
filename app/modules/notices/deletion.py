"""The notices domain's part of a channel's data deletion (C6.5): its maintenance notices and acknowledgements."""

from app.core.deletion import delete_rows, register_part
from app.modules.notices.models import ChannelNotice, NoticeRecipient


def notices(cid: int, scope: dict) -> dict:
    return {
        "channel_notices": delete_rows(ChannelNotice, ChannelNotice.channel_id == cid),
        "notice_recipients": delete_rows(NoticeRecipient, NoticeRecipient.channel_id == cid),
    }


register_part("operations", 60, notices)
