"""Workbench cards of the applicant (S12): applications returned for amendment (C2.10) and drafts not yet submitted."""

from flask import url_for

from app.core.enums import ApplicationKind, ApplicationStatus
from app.core.i18n import current_locale
from app.core.jurisdiction import visible_applications
from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.modules.applications.models import Application


def _item(app: Application) -> Item:
    label = f"{app.number} · {app.kind.title(current_locale())}"
    return Item(label, url_for("applications.application_detail", app_id=app.id))


def returned(user):
    query = visible_applications(user).where(Application.status == ApplicationStatus.returned)
    return card_from(
        query,
        key="applications.returned",
        title=("退回待修改的申请", "Applications returned for amendment"),
        url=url_for("applications.list_applications", status="returned"),
        item=_item,
        order_by=(Application.id,),
        hint=("按审核意见修改后重新提交（C2.10）", "Amend as the reviewers asked and resubmit (C2.10)"),
    )


def drafts(user):
    query = visible_applications(user).where(
        Application.status == ApplicationStatus.draft, Application.kind != ApplicationKind.change
    )
    return card_from(
        query,
        key="applications.drafts",
        title=("未提交的申请草稿", "Drafts not yet submitted"),
        url=url_for("applications.list_applications", status="draft"),
        item=lambda app: Item(
            f"{app.kind.title(current_locale())} · {app.fill_date}",
            url_for("applications.application_detail", app_id=app.id),
        ),
        order_by=(Application.id,),
    )


register_card("applications.returned", returned, permission=P.application_create, order=10)
register_card("applications.drafts", drafts, permission=P.application_create, order=90)
