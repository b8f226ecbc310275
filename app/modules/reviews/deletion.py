"""The reviews domain's part of a channel's data deletion (C6.5): the reviewers' names, phones and opinions; the
steps and their decisions and dates stay."""

from app.core.deletion import register_part, update_rows
from app.modules.reviews.models import ReviewStep


def personal_details(cid: int, scope: dict) -> dict:
    blank = {"opinion": "", "reviewer_name": "", "contact": "", "phone": ""}
    return {
        "review_step_personal_details": update_rows(
            ReviewStep, ReviewStep.application_id.in_(scope["applications"]), **blank
        )
    }


register_part("application_contents", 50, personal_details)
