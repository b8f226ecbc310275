"""The key-issuance domain's part of a channel's data deletion (C6.5): nonces and key material; the key records stay
without their secrets."""

import sqlalchemy as sa

from app.core.deletion import delete_rows, register_objects, register_part, update_rows
from app.extensions import db
from app.modules.key_issuance.models import ChannelKey, GatewayNonce


def key_material(cid: int, scope: dict) -> dict:
    keys = sa.select(ChannelKey.key_id).where(ChannelKey.channel_id == cid)
    sealed = sa.and_(ChannelKey.channel_id == cid, ChannelKey.secret_ciphertext != b"")
    return {
        "gateway_nonces": delete_rows(GatewayNonce, GatewayNonce.key_id.in_(keys)),
        "key_material": update_rows(ChannelKey, sealed, secret_ciphertext=b"", wrapped_data_key=b""),
    }


register_part("channel", 10, key_material)
register_objects(
    "channel_key", lambda cid: list(db.session.scalars(sa.select(ChannelKey.id).where(ChannelKey.channel_id == cid)))
)
