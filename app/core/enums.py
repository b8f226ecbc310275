"""Every status and kind as a string enum with Chinese and English display titles (RULES.md terms)."""

from enum import StrEnum, nonmember

import sqlalchemy as sa


class TitledEnum(StrEnum):
    """A StrEnum whose members carry (Chinese, English) titles in the class attribute TITLES."""

    @property
    def title_zh(self) -> str:
        return self.TITLES[self.value][0]

    @property
    def title_en(self) -> str:
        return self.TITLES[self.value][1]

    def title(self, locale: str = "zh") -> str:
        return self.title_en if locale == "en" else self.title_zh

    @classmethod
    def choices(cls, locale: str = "zh") -> list[tuple[str, str]]:
        return [(m.value, m.title(locale)) for m in cls]


def enum_column(enum_cls: type[TitledEnum], name: str, length: int = 32, constraint: bool = True) -> sa.Enum:
    """A VARCHAR column with a CHECK constraint listing the allowed values (`constraint=False`: a copy of a status
    recorded in history, checked where it is written)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=constraint,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Role(TitledEnum):
    company = "company"
    municipal_reviewer = "municipal_reviewer"
    provincial_reviewer = "provincial_reviewer"
    national_reviewer = "national_reviewer"
    operator = "operator"
    admin = "admin"
    auditor = "auditor"
    TITLES = nonmember(
        {
            "company": ("渠道所属单位", "Channel company"),
            "municipal_reviewer": ("地市级信息中心审核员", "Municipal reviewer"),
            "provincial_reviewer": ("省级信息中心审核员", "Provincial reviewer"),
            "national_reviewer": ("部信息中心审核员", "National reviewer"),
            "operator": ("平台运营机构", "Platform operator"),
            "admin": ("权限管理员", "Permission administrator"),
            "auditor": ("审计员", "Auditor (read-only)"),
        }
    )


class ChannelForm(TitledEnum):
    """C1.1 forms."""

    app = "app"
    official_account = "official_account"
    life_account = "life_account"
    mini_program = "mini_program"
    TITLES = nonmember(
        {
            "app": ("APP", "App"),
            "official_account": ("公众号", "Official account"),
            "life_account": ("生活号", "Life account"),
            "mini_program": ("小程序", "Mini program"),
        }
    )


class ChannelCategory(TitledEnum):
    """C1.2 categories by owner."""

    hrss = "hrss"
    government = "government"
    national_signed = "national_signed"
    bank = "bank"
    medical = "medical"
    social = "social"
    TITLES = nonmember(
        {
            "hrss": ("人社渠道", "HR&SS channel"),
            "government": ("政府渠道", "Government channel"),
            "national_signed": ("全国签约渠道", "Nationally signed channel"),
            "bank": ("银行渠道", "Bank channel"),
            "medical": ("医药渠道", "Medical channel"),
            "social": ("社会渠道", "Social channel"),
        }
    )


class AccessMode(TitledEnum):
    """C2.5 access modes."""

    sdk = "sdk"
    h5 = "h5"
    TITLES = nonmember({"sdk": ("SDK", "SDK"), "h5": ("H5", "H5")})


class ChannelStatus(TitledEnum):
    applying = "applying"
    testing = "testing"
    production_review = "production_review"
    live = "live"
    suspended = "suspended"
    exiting = "exiting"
    exited = "exited"
    withdrawn = "withdrawn"
    TITLES = nonmember(
        {
            "applying": ("测试入网审核中", "Test intake under review"),
            "testing": ("测试中", "Integration testing"),
            "production_review": ("正式入网审核中", "Production intake under review"),
            "live": ("已正式入网", "Live"),
            "suspended": ("已暂停服务", "Suspended"),
            "exiting": ("退出过渡期", "Exit transition"),
            "exited": ("已退出", "Exited"),
            "withdrawn": ("已撤回", "Withdrawn"),
        }
    )


class ApplicationKind(TitledEnum):
    test = "test"
    production = "production"
    change = "change"
    TITLES = nonmember(
        {
            "test": ("测试入网", "Test intake"),
            "production": ("正式入网", "Production intake"),
            "change": ("变更申请", "Change of scope"),
        }
    )


class ApplicationStatus(TitledEnum):
    draft = "draft"
    in_review = "in_review"
    returned = "returned"
    approved = "approved"
    completed = "completed"
    withdrawn = "withdrawn"
    TITLES = nonmember(
        {
            "draft": ("草稿", "Draft"),
            "in_review": ("审核中", "Under review"),
            "returned": ("已退回", "Returned"),
            "approved": ("审核通过，待分配编号和密钥", "Approved, awaiting number and key"),
            "completed": ("已办结", "Completed"),
            "withdrawn": ("已撤回", "Withdrawn"),
        }
    )


class Stage(TitledEnum):
    """C2.6 review chain stages, in order."""

    municipal = "municipal"
    provincial = "provincial"
    national = "national"
    operator = "operator"
    TITLES = nonmember(
        {
            "municipal": ("地市级人社部门信息化综合管理机构", "Municipal info center"),
            "provincial": ("省级人社部门信息化综合管理机构", "Provincial info center"),
            "national": ("人力资源社会保障部信息中心", "National info center"),
            "operator": ("平台运营机构", "Platform operator"),
        }
    )


class StepStatus(TitledEnum):
    waiting = "waiting"
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"
    TITLES = nonmember(
        {
            "waiting": ("待前序环节", "Waiting for earlier steps"),
            "pending": ("待办理", "Pending"),
            "approved": ("同意", "Approved"),
            "rejected": ("不同意", "Rejected"),
            "cancelled": ("已终止", "Cancelled"),
        }
    )


class ServiceKind(TitledEnum):
    """C2.4 application scope."""

    standard = "standard"
    personalized = "personalized"
    TITLES = nonmember(
        {"standard": ("标准服务", "Standard service"), "personalized": ("个性化服务", "Personalized service")}
    )


class KeyEnvironment(TitledEnum):
    test = "test"
    production = "production"
    TITLES = nonmember({"test": ("测试密钥", "Test key"), "production": ("生产密钥", "Production key")})


class KeyStatus(TitledEnum):
    active = "active"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"
    destroyed = "destroyed"
    TITLES = nonmember(
        {
            "active": ("有效", "Active"),
            "suspended": ("已暂停", "Suspended"),
            "revoked": ("已吊销", "Revoked"),
            "expired": ("已过期", "Expired"),
            "destroyed": ("已销毁", "Destroyed"),
        }
    )


class WorkOrderStatus(TitledEnum):
    """C4.6: a work order's life."""

    open = "open"
    assigned = "assigned"
    answered = "answered"
    closed = "closed"
    TITLES = nonmember(
        {
            "open": ("待受理", "Open"),
            "assigned": ("处理中", "Being handled"),
            "answered": ("已答复", "Answered"),
            "closed": ("已关闭", "Closed"),
        }
    )


class WorkOrderTag(TitledEnum):
    """C4.6: what the operator flags."""

    common_problem = "common_problem"
    public_opinion = "public_opinion"
    malicious_complaint = "malicious_complaint"
    TITLES = nonmember(
        {
            "common_problem": ("共性问题", "Common problem"),
            "public_opinion": ("舆情问题", "Public-opinion issue"),
            "malicious_complaint": ("恶意投诉", "Malicious complaint"),
        }
    )


class NoticeKind(TitledEnum):
    """C4.3 / C4.4: what a platform notice or a channel's own notice announces."""

    upgrade = "upgrade"
    maintenance = "maintenance"
    suspension = "suspension"
    restoration = "restoration"
    TITLES = nonmember(
        {
            "upgrade": ("升级", "Upgrade"),
            "maintenance": ("维护", "Maintenance"),
            "suspension": ("暂停服务", "Suspension"),
            "restoration": ("恢复服务", "Restoration"),
        }
    )


class PromotionStatus(TitledEnum):
    """C4.5: a promotion filing."""

    filed = "filed"
    hrss_review = "hrss_review"
    approved = "approved"
    rejected = "rejected"
    reported = "reported"
    TITLES = nonmember(
        {
            "filed": ("已报备", "Filed"),
            "hrss_review": ("人社部门审核中", "In HR&SS review"),
            "approved": ("审核通过", "Approved"),
            "rejected": ("审核未通过", "Rejected"),
            "reported": ("已报告结果", "Results reported"),
        }
    )
