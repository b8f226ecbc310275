"""The promotions domain's part of a channel's data deletion (C6.5)."""

from app.core.deletion import delete_rows, register_part
from app.modules.promotions.models import Promotion


def promotions(cid: int, scope: dict) -> dict:
    return {"promotions": delete_rows(Promotion, Promotion.channel_id == cid)}


register_part("operations", 50, promotions)
