"""Permissions as `resource:action`, granted to roles (S2). Routes name theirs in app/web/policy.py."""

from enum import StrEnum

from app.core.enums import Role


class Permission(StrEnum):
    application_create = "application:create"
    application_read = "application:read"
    review_decide = "review:decide"
    # C2.6: the stage of the review chain whose steps a role decides (its jurisdiction narrows it, C1.4).
    review_municipal = "review:municipal"
    review_provincial = "review:provincial"
    review_national = "review:national"
    review_operator = "review:operator"
    key_issue = "key:issue"
    channel_read = "channel:read"
    channel_manage = "channel:manage"
    channel_import = "channel:import"
    data_quality_read = "data_quality:read"
    data_quality_export = "data_quality:export"
    service_read = "service:read"
    service_manage = "service:manage"
    audit_read = "audit:read"
    user_manage = "user:manage"
    organisation_manage = "organisation:manage"
    login_log_read = "login_log:read"
    inbox_read = "inbox:read"
    account_self = "account:self"
    region_read = "region:read"
    institution_manage = "institution:manage"
    security_report_file = "security_report:file"
    production_verify = "production:verify"
    agreement_manage = "agreement:manage"
    agreement_sign = "agreement:sign"
    message_template_manage = "message_template:manage"
    message_record_read = "message_record:read"
    work_order_read = "work_order:read"
    work_order_file = "work_order:file"
    work_order_handle = "work_order:handle"
    notice_read = "notice:read"
    notice_publish = "notice:publish"
    notice_acknowledge = "notice:acknowledge"
    maintenance_file = "maintenance:file"
    maintenance_read = "maintenance:read"
    promotion_read = "promotion:read"
    promotion_file = "promotion:file"
    promotion_review = "promotion:review"
    monitoring_read = "monitoring:read"
    monitoring_export = "monitoring:export"
    monitoring_manage = "monitoring:manage"
    statistics_import = "statistics:import"
    improvement_plan_file = "improvement_plan:file"
    incident_read = "incident:read"
    incident_report = "incident:report"
    incident_manage = "incident:manage"
    incident_approve = "incident:approve"
    exit_read = "exit:read"
    exit_apply = "exit:apply"
    exit_opinion = "exit:opinion"
    exit_decide = "exit:decide"
    exit_manage = "exit:manage"
    overview_read = "overview:read"  # the overview of channels, waiting times and figures, within the reach


_EVERYONE = {
    Permission.inbox_read,
    Permission.account_self,
    Permission.region_read,
    Permission.service_read,
}
_REVIEWER = _EVERYONE | {
    Permission.application_read,
    Permission.review_decide,
    Permission.channel_read,
    Permission.overview_read,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.company: frozenset(
        _EVERYONE
        | {
            Permission.application_create,
            Permission.application_read,
            Permission.channel_read,
            Permission.security_report_file,
            Permission.agreement_sign,
            Permission.work_order_read,
            Permission.work_order_file,
            Permission.notice_read,
            Permission.notice_acknowledge,
            Permission.maintenance_file,
            Permission.maintenance_read,
            Permission.promotion_read,
            Permission.promotion_file,
            Permission.statistics_import,
            Permission.improvement_plan_file,
            Permission.incident_read,
            Permission.incident_report,
            Permission.exit_read,
            Permission.exit_apply,
        }
    ),
    Role.municipal_reviewer: frozenset(_REVIEWER | {Permission.review_municipal}),
    # C4.5: HR&SS review of promotions that use HR&SS publicity wording — the provincial and national centers.
    Role.provincial_reviewer: frozenset(
        _REVIEWER
        | {
            Permission.review_provincial,
            Permission.promotion_read,
            Permission.promotion_review,
            Permission.exit_read,
            Permission.exit_opinion,
        }
    ),
    Role.national_reviewer: frozenset(
        _REVIEWER
        | {
            Permission.review_national,
            Permission.promotion_read,
            Permission.promotion_review,
            Permission.incident_read,
            Permission.incident_approve,
            Permission.exit_read,
            Permission.exit_decide,
        }
    ),
    Role.operator: frozenset(
        _EVERYONE
        | {
            Permission.channel_manage,
            Permission.channel_import,
            Permission.data_quality_read,
            Permission.data_quality_export,
            Permission.institution_manage,
            Permission.application_read,
            Permission.channel_read,
            Permission.key_issue,
            Permission.review_operator,
            Permission.production_verify,
            Permission.agreement_manage,
            Permission.message_template_manage,
            Permission.message_record_read,
            Permission.service_manage,
            Permission.audit_read,
            Permission.work_order_read,
            Permission.work_order_handle,
            Permission.notice_read,
            Permission.notice_publish,
            Permission.maintenance_read,
            Permission.promotion_read,
            Permission.monitoring_read,
            Permission.monitoring_export,
            Permission.monitoring_manage,
            Permission.statistics_import,
            Permission.incident_read,
            Permission.incident_manage,
            Permission.exit_read,
            Permission.exit_manage,
            Permission.overview_read,
        }
    ),
    Role.admin: frozenset(
        _EVERYONE
        | {Permission.user_manage, Permission.organisation_manage, Permission.login_log_read, Permission.audit_read}
    ),
    # Read-only oversight: sees every submitted record and both logs, changes nothing.
    Role.auditor: frozenset(
        _EVERYONE
        | {
            Permission.data_quality_read,
            Permission.application_read,
            Permission.channel_read,
            Permission.audit_read,
            Permission.login_log_read,
            Permission.message_record_read,
            Permission.work_order_read,
            Permission.notice_read,
            Permission.maintenance_read,
            Permission.promotion_read,
            Permission.monitoring_read,
            Permission.incident_read,
            Permission.exit_read,
            Permission.overview_read,
        }
    ),
}

# Separation of duties (S2, GB/T 22239 level 3): the permission administrator grants roles but no role can alter or
# erase the audit trail — it is append-only in the database (triggers) and has no route that changes it.
READ_ONLY_ROLES = frozenset({Role.auditor})


def has_permission(role: Role | str | None, permission: Permission) -> bool:
    if role is None:
        return False
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())


P = Permission


def may(user, permission: Permission) -> bool:
    """What operations ask: does the user's role hold `permission` (the table above is the one source)."""
    return user is not None and has_permission(getattr(user, "role", None), permission)


def needs_second_factor(user) -> bool:
    """S11: every staff account (any role but a channel company's) signs in with a second factor."""
    return user is not None and user.role is not None and user.role != Role.company


def acts_for(user, organisation_id) -> bool:
    """The user is an account of the organisation (a company account acting for its own records, C1.4)."""
    return user is not None and user.role == Role.company and user.organisation_id == organisation_id
