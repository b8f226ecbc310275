"""The deletion certificate as a document a channel owner can read (C6.5, issue 15 item 8): what kinds of data were
deleted and how many, when, under whose decision — the table-by-table counts kept for the record, folded away."""

from dataclasses import dataclass

from app.core.i18n import current_locale, gettext, localized
from app.modules.exits.models import CAUSES, DeletionCertificate

# What each step of the deletion removes, in the words of the certificate.
STEP_TITLES = {
    "files": (
        "上传的文件（附件、录屏、检测报告、事件证据、已出具的文件）",
        "Uploaded files (attachments, recordings, reports, evidence, documents)",
    ),
    "application_contents": (
        "申请材料（申请表内容、补充材料、审核人员联系方式）",
        "Application contents (forms, supplements, reviewers' contact details)",
    ),
    "operations": (
        "运营记录（月度数据、监测、工单、推广、公告、安全事件材料）",
        "Operating records (figures, monitoring, work orders, promotions, notices, incident material)",
    ),
    "channel": (
        "渠道资料（联系人、授权地域和服务、密钥材料、协议签署人）",
        "Channel data (contact, granted regions and services, key material, signatories)",
    ),
    "messages_and_audit": ("消息和审计日志中的个人信息", "Personal data in messages and the audit log"),
}


@dataclass
class Line:
    title: str
    total: int
    detail: dict


def summary(certificate: DeletionCertificate) -> list[Line]:
    """One line per step: its title and how many records or files it removed (or redacted), with the detail kept."""
    lines = []
    for step, titles in STEP_TITLES.items():
        counts = {k: n for k, n in (certificate.steps.get(step) or {}).items() if isinstance(n, int)}
        lines.append(Line(localized(titles), sum(counts.values()), counts))
    return lines


STORAGE_TITLES = {
    "local": ("平台服务器的本地存储", "The platform server's local storage"),
    "s3": ("平台的对象存储", "The platform's object store"),
}


def files_removed_from(certificate: DeletionCertificate, with_location: bool = False) -> str:
    """Where the channel's files were removed from (C6.5): the kind of storage in words for everyone, and, for the
    operator who runs it (`with_location`), the folder or bucket itself."""
    where = (certificate.steps.get("files") or {}).get("removed_from")
    if not where:
        return ""
    kind = localized(STORAGE_TITLES.get(where["storage"], ("", "")))
    if not with_location:
        return kind
    return f"{kind} ({where['location']})" if current_locale() == "en" else f"{kind}（{where['location']}）"


def decision(certificate: DeletionCertificate) -> str:
    """Under whose decision the data went: the national center's approval of a voluntary exit, or the forced exit
    and its cause (C6.2, C6.4)."""
    exit_ = certificate.exit
    if exit_.kind == "forced":
        return gettext("强制退出：{cause}", cause=localized(CAUSES.get(exit_.cause or "", ("", ""))))
    return gettext("自愿退出，经部信息中心批准")
