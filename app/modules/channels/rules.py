"""Pure channel rules: access mode (C2.5), application scope (C2.4), level-2 relations (C3.1, C3.3, C3.7)."""

from app.core.enums import AccessMode, ChannelCategory, ChannelForm, ChannelStatus, ServiceKind
from app.core.errors import RuleViolation

STANDARD_SERVICE = "standard"

# Connected to the platform: from integration testing until exit (notices, work orders, exits, incidents).
CONNECTED = (ChannelStatus.testing, ChannelStatus.production_review, ChannelStatus.live, ChannelStatus.suspended)
# Monitored month by month and holding an agreement term (C4.7–C4.11).
MONITORED = (ChannelStatus.live, ChannelStatus.suspended)


def unit_channel_id(channel) -> int:
    """C4.8: the counting unit of a channel — its level-1 channel for a same-subject level-2 channel, itself
    otherwise (`monitoring.screening.unit_of` is the same rule in SQL)."""
    return channel.parent_id if channel.level == 2 and channel.same_subject else channel.id


def liable_organisation_ids(channel) -> list[int]:
    """C3.5: the owner, and the level-1 owner of a level-2 channel when it is another organisation."""
    parent = channel.parent
    return [channel.owner_id] + (
        [parent.owner_id] if parent is not None and parent.owner_id != channel.owner_id else []
    )


def check_access_mode(form: ChannelForm, mode: AccessMode, field: str = "access_mode") -> None:
    """C2.5: an app uses SDK or H5; every other form uses H5 only."""
    if form != ChannelForm.app and mode != AccessMode.h5:
        raise RuleViolation(
            f"{ChannelForm(form).title_zh}只能以 H5 方式接入（C2.5），SDK 仅适用于 APP",
            f"A {ChannelForm(form).title_en.lower()} can only connect through H5 (C2.5); SDK is for apps only",
            code="C2.5",
            fields={field: ["h5 only"]},
        )


def check_scope(services: list, category: ChannelCategory, field: str = "services") -> None:
    """C2.4: the standard service is mandatory; personalized ones must be active and open to the category."""
    codes = [s.code for s in services]
    if not any(s.kind == ServiceKind.standard for s in services):
        raise RuleViolation(
            "应用范围必须包含电子社保卡标准服务（C2.4）",
            "The application scope must include the e-SSC standard service (C2.4)",
            code="C2.4",
            fields={field: ["standard service required"]},
        )
    for service in services:
        if not service.active:
            raise RuleViolation(
                f"服务“{service.name_zh}”已停用",
                f"Service '{service.name_en}' is not offered",
                code="C2.4",
                fields={field: [f"inactive: {service.code}"]},
            )
        if service.allowed_categories and str(category) not in service.allowed_categories:
            raise RuleViolation(
                f"服务“{service.name_zh}”与{ChannelCategory(category).title_zh}的业务无关，不能申请（C2.4）",
                f"Service '{service.name_en}' is not related to the business of a "
                f"{ChannelCategory(category).title_en.lower()} (C2.4)",
                code="C2.4",
                fields={field: [f"not for this category: {service.code}"]},
            )
    if len(set(codes)) != len(codes):
        raise RuleViolation("应用范围有重复项", "A service is listed twice", fields={field: ["duplicate"]})


PARENT_USABLE = (ChannelStatus.testing, ChannelStatus.live)


def check_level2_parent(parent, applicant_org_id: int, same_subject: bool) -> None:
    """C3.3: the level-2 application is filed by the level-1 owner.

    C3.1: a different-subject level-2 only under a national_signed level-1 with platform capability.
    """
    if parent is None or parent.level != 1:
        raise RuleViolation(
            "二级渠道必须挂靠在一级渠道之下",
            "A level-2 channel needs a level-1 parent channel",
            code="C1.3",
            fields={"parent_channel_id": ["not a level-1 channel"]},
        )
    if parent.owner_id != applicant_org_id:
        raise RuleViolation(
            "二级渠道的入网申请须由其一级渠道所属单位发起（C3.3）",
            "A level-2 application is filed by the owner of its level-1 channel (C3.3)",
            code="C3.3",
            fields={"parent_channel_id": ["not your channel"]},
            status=403,
        )
    if parent.status not in PARENT_USABLE:
        raise RuleViolation(
            "一级渠道尚未完成测试入网，不能申请二级渠道",
            "The level-1 channel has not completed test intake yet",
            code="C1.3",
            fields={"parent_channel_id": ["parent not connected"]},
        )
    if not same_subject and not (parent.category == ChannelCategory.national_signed and parent.platform_capability):
        raise RuleViolation(
            "只有具备平台级能力的全国签约渠道可以申请不同主体的二级渠道（C3.1）",
            "Only a nationally signed channel with platform-level capability may apply for level-2 channels of a "
            "different subject (C3.1)",
            code="C3.1",
            fields={"same_subject": ["different subject not allowed under this parent"]},
        )


def check_inheritance(same_subject: bool, inherit: bool) -> None:
    """C3.7: a different-subject level-2 manages region and scope independently, never inherited."""
    if inherit and not same_subject:
        raise RuleViolation(
            "不同主体的二级渠道须独立申请服务地域和应用范围，不能继承一级渠道（C3.7）",
            "A different-subject level-2 channel applies for its own regions and services; it cannot inherit (C3.7)",
            code="C3.7",
            fields={"inherit_parent_scope": ["not allowed for a different subject"]},
        )


def serving(channel) -> bool:
    """C2.1, C6.2, C6.3: a live channel is served, and so is one in its exit transition that was live when it began
    (its users are still served while pointed to other channels); the interfaces close when the transition ends."""
    return channel.status == ChannelStatus.live or (
        channel.status == ChannelStatus.exiting and channel.serving_in_transition
    )


def may_serve(channel, service_code: str) -> bool:
    """C2.1: a channel serves e-SSC issuance and applications only after production intake (status `live`), and only
    the services granted to it; applications require the standard service (issuance). A channel in test intake or
    integration testing serves nothing in production."""
    return service_code in servable(serving(channel), {s.code for s in channel.services if s.active})


def servable(serving_now: bool, granted_active: set[str]) -> frozenset[str]:
    """C2.1: the services a channel may use now, from whether it is served and its active granted services: none
    unless it is served and holds the standard service (applications require issuance)."""
    if not serving_now or STANDARD_SERVICE not in granted_active:
        return frozenset()
    return frozenset(granted_active)
