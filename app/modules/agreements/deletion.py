"""The agreements domain's parts of a channel's data deletion (C6.5): renewal records, and the signers' names; the
agreements stay with their versions and dates."""

from app.core.deletion import delete_rows, register_part, update_rows
from app.modules.agreements.models import Agreement, AgreementRenewal


def renewals(cid: int, scope: dict) -> dict:
    return {"agreement_renewals": delete_rows(AgreementRenewal, AgreementRenewal.channel_id == cid)}


def signatures(cid: int, scope: dict) -> dict:
    blank = {"signer_name": "", "countersigner_name": ""}
    return {"agreement_signatures": update_rows(Agreement, Agreement.channel_id == cid, **blank)}


register_part("operations", 80, renewals)
register_part("channel", 30, signatures)
