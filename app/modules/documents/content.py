"""What each appendix form shows (C7.1–C7.3), as plain data: the owner block, the channel rows, the attachments and
the opinion boxes filled from the recorded decisions (C2.10). The PDF is a pure function of this content."""

import hashlib
import json
from datetime import date

from app.core.enums import Stage, StepStatus
from app.modules.applications.kinds import kind_of
from app.modules.applications.operations import SOCIAL_FIELDS

FORM_KINDS = {
    "form1": ("附表1 电子社会保障卡服务渠道测试入网申请表", "Form 1: test intake application"),
    "form2": ("附表2 社会渠道入网补充说明材料清单", "Form 2: social-channel supplement"),
    "form3": ("附表3 电子社会保障卡服务渠道正式入网申请表", "Form 3: production intake application"),
}
DECISION = {StepStatus.approved: "同意", StepStatus.rejected: "不同意"}


def kinds_for(app) -> list[str]:
    """The forms an application has, as its kind registered them: Form 1 (and Form 2 for a social channel) for test
    intake; Form 3 for production."""
    return kind_of(app).forms(app)


def _day(value) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日" if value else ""


def _opinions(steps) -> dict:
    """The decided steps of the latest round, by stage; one entry per reviewing unit (C2.10 fields)."""
    boxes = {stage.value: [] for stage in Stage}
    for step in steps:
        if step.status not in DECISION:
            continue
        boxes[step.stage.value].append(
            {
                "unit": step.region.name_zh if step.region is not None else "",
                "decision": DECISION[step.status],
                "reviewer": step.reviewer_name,
                "opinion": step.opinion,
                "contact": step.contact,
                "phone": step.phone,
                "date": _day(step.decided_at),
            }
        )
    return boxes


def _row(row) -> dict:
    regions = [r for r in row.regions if r.granted is not False]
    return {
        "position": row.position,
        "name": row.name,
        "form": row.form.title_zh,
        "number": row.channel.channel_number if row.channel is not None else "",
        "access_mode": row.access_mode.title_zh,
        "regions": ("全国范围；" if row.national_scope else "") + "、".join(r.region.name_zh for r in regions),
        "services": "、".join(s.service.name_zh for s in sorted(row.services, key=lambda s: s.service.sort_order)),
    }


def application_content(app, steps) -> dict:
    """The content of every form of `app` (JSON-ready); `steps` are the review steps of its latest round."""
    owner = app.applicant
    parent = app.parent_channel
    return {
        "application": app.number,
        "kind": str(app.kind),
        "status": str(app.status),
        "fill_date": app.fill_date.isoformat() if app.fill_date else None,
        "owner": {
            "name": owner.name,
            "uscc": owner.uscc,
            "registered_address": owner.registered_address,
            "registered_on": _day(owner.registration_date),
        },
        "contact_name": app.contact_name,
        "contact": "、".join(x for x in (app.contact_phone, app.contact_email) if x),
        "parent": {"name": parent.name, "number": parent.channel_number} if parent is not None else None,
        "rows": [_row(r) for r in app.rows],
        "social": _social(app.social),
        "opinions": _opinions(steps),
    }


def _social(social) -> dict | None:
    if social is None:
        return None

    return {name: getattr(social, name) for name in SOCIAL_FIELDS}


def blank_content() -> dict:
    return {"fill_date": None, "owner": {}, "rows": [], "opinions": {s.value: [] for s in Stage}, "social": None}


def digest(content: dict, template_version: str) -> str:
    """The cache key of a rendering: the content and the version of the templates that lay it out."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{template_version}\n{canonical}".encode()).hexdigest()


def for_template(content: dict) -> dict:
    """Template-side values: dates back to `date` objects."""
    fill = content.get("fill_date")
    return content | {"fill_date": date.fromisoformat(fill) if fill else None}
