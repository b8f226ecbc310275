"""Workbench cards (C2.8, C4.12): the operator's countersignatures; the channel's agreement version to sign — a
channel that needs the agreement and has not signed the newest version announced (or a later one), due the day it
takes effect."""

import sqlalchemy as sa
from flask import url_for

from app.core.jurisdiction import visible_channels
from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.extensions import db
from app.modules.agreements.models import Agreement, AgreementVersion
from app.modules.agreements.rules import EXEMPT_CATEGORIES
from app.modules.channels.lifecycle import CONNECTED
from app.modules.channels.models import Channel


def to_countersign(user):
    query = sa.select(Agreement).where(Agreement.countersigned_at.is_(None))
    return card_from(
        query,
        key="agreements.countersign",
        title=("待会签的合作协议", "Agreements to countersign"),
        url=url_for("agreements.agreements"),
        item=lambda a: Item(
            f"{a.channel.name} · {a.version.version}", url_for("agreements.agreements"), since=a.signed_at
        ),
        order_by=(Agreement.signed_at, Agreement.id),
    )


def to_sign(user):
    version = db.session.scalar(sa.select(AgreementVersion).order_by(AgreementVersion.effective_from.desc()).limit(1))
    if version is None:
        return None
    signed = sa.exists().where(
        Agreement.channel_id == Channel.id,
        Agreement.version_id == AgreementVersion.id,
        AgreementVersion.effective_from >= version.effective_from,
    )
    query = visible_channels(user).where(
        Channel.status.in_(CONNECTED), Channel.category.not_in(EXEMPT_CATEGORIES), ~signed
    )
    return card_from(
        query,
        key="agreements.to_sign",
        title=(f"待签署合作协议 {version.version}", f"Agreement {version.version} to sign"),
        url=url_for("agreements.agreements"),
        item=lambda c: Item(c.name, url_for("channels.channel_detail", channel_id=c.id), due=version.effective_from),
        order_by=(Channel.id,),
        hint=("协议生效前由渠道签署、运营机构会签（C2.8、C4.12）", "Sign before it takes effect (C2.8, C4.12)"),
    )


register_card("agreements.countersign", to_countersign, permission=P.agreement_manage, order=30)
register_card("agreements.to_sign", to_sign, permission=P.agreement_sign, order=20)
