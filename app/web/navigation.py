"""The menu, grouped by the task at hand (S12: at most three levels — a group, its page, the page's own parts):
入网 (intake), 渠道 (channels), 运营监测 (operations), 安全 (security), 系统 (system). Each entry shows only to whoever
holds its permission; a group nobody can open is left out; a group of one entry is shown as that entry."""

from dataclasses import dataclass

from flask import url_for

from app.core.i18n import N_, gettext
from app.core.permissions import has_permission


@dataclass(frozen=True)
class Entry:
    endpoint: str
    title: str
    permission: str | None = None
    # endpoints (or their beginnings) under which this entry is the one highlighted; the longest match wins
    matches: tuple[str, ...] = ()


@dataclass
class Link:
    title: str
    url: str
    active: bool


@dataclass
class Group:
    title: str | None  # None: entries shown on the bar itself
    links: list[Link]

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


MENU: list[tuple[str | None, list[Entry]]] = [
    (
        None,
        [
            Entry("web.home", N_("首页"), None, ("web.home",)),
            Entry("web.overview", N_("总览"), "overview:read", ("web.overview",)),
        ],
    ),
    (
        N_("入网"),
        [
            Entry(
                "applications.list_applications", N_("入网申请"), "application:read", ("applications.", "production.")
            ),
            Entry("reviews.queue", N_("审核待办"), "review:decide", ("reviews.",)),
            Entry("documents.verify_lookup", N_("文件核验"), None, ("documents.verify",)),
        ],
    ),
    (
        N_("渠道"),
        [
            Entry("channels.list_channels", N_("渠道"), "channel:read", ("channels.", "key_issuance.", "changes.")),
            Entry(
                "channels.list_services",
                N_("应用范围目录"),
                None,
                ("channels.list_services", "channels.new_service", "channels.edit_service"),
            ),
            Entry("agreements.agreements", N_("合作协议"), None, ("agreements.",)),
            Entry("exits.exits", N_("渠道退出"), "exit:read", ("exits.",)),
            Entry("channel_import.import_page", N_("存量渠道导入"), "channel:import", ("channel_import.",)),
        ],
    ),
    (
        N_("运营监测"),
        [
            Entry("monitoring.monitoring_overview", N_("月度监测"), "monitoring:read", ("monitoring.",)),
            Entry("notices.notices", N_("公告"), "notice:read", ("notices.",)),
            Entry("promotions.promotions", N_("推广活动"), "promotion:read", ("promotions.",)),
            Entry("work_orders.list_work_orders", N_("工单"), "work_order:read", ("work_orders.",)),
            Entry("data_quality.data_quality", N_("数据质量"), "data_quality:read", ("data_quality.",)),
            Entry(
                "messaging.message_record",
                N_("消息记录"),
                "message_record:read",
                (
                    "messaging.message_record",
                    "messaging.message_templates",
                    "messaging.propose_template",
                    "messaging.review_template",
                ),
            ),
        ],
    ),
    (
        N_("安全"),
        [
            Entry("incidents.incidents", N_("安全事件"), "incident:read", ("incidents.",)),
            Entry(
                "security_tests.institutions",
                N_("检测机构"),
                "institution:manage",
                ("security_tests.institutions", "security_tests.new_institution", "security_tests.set_qualification"),
            ),
        ],
    ),
    (
        N_("系统"),
        [
            Entry(
                "accounts.list_users",
                N_("用户管理"),
                "user:manage",
                ("accounts.list_users", "accounts.new_user", "accounts.user_detail", "accounts.reset_password"),
            ),
            Entry(
                "accounts.list_organisations",
                N_("单位管理"),
                "user:manage",
                ("accounts.list_organisations", "accounts.new_organisation", "accounts.organisation_category"),
            ),
            Entry("accounts.login_log", N_("登录日志"), "login_log:read", ("accounts.login_log",)),
            Entry("audit_log.audit_log", N_("审计日志"), "audit:read", ("audit_log.",)),
        ],
    ),
]
# Beside the user's name, not in the menu: the inbox.
INBOX = Entry("messaging.inbox", N_("消息"), None, ("messaging.",))


def _highlighted(here: str) -> Entry | None:
    """The entry of the page being shown: the one whose endpoint beginning matches it longest."""
    best, length = None, 0
    for _title, entries in [*MENU, (None, [INBOX])]:
        for entry in entries:
            for match in entry.matches:
                if here.startswith(match) and len(match) > length:
                    best, length = entry, len(match)
    return best


def menu(role, here: str) -> list[Group]:
    """The groups and entries `role` may open, the current page's entry marked."""
    current = _highlighted(here or "")
    groups = []
    for title, entries in MENU:
        links = [
            Link(gettext(e.title), url_for(e.endpoint), e is current)
            for e in entries
            if e.permission is None or has_permission(role, e.permission)
        ]
        if title is not None and len(links) == 1:
            groups.append(Group(None, links))
        elif links:
            groups.append(Group(gettext(title) if title else None, links))
    return groups


def inbox_link(here: str) -> Link:
    return Link(gettext(INBOX.title), url_for(INBOX.endpoint), _highlighted(here or "") is INBOX)
