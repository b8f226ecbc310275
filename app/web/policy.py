"""The route policy: for every endpoint, the permission it needs. Deny by default — an endpoint that is not listed
here is refused (403), and a test fails if any URL rule of the app is missing from this table."""

from app.core.permissions import Permission as P

PUBLIC = object()
AUTHENTICATED = object()
# The channel-facing API: no user session or token; each request is signed with a channel key (C2.1) and checked by
# app/modules/gateway/check.py before the view runs.
CHANNEL_SIGNED = object()

ROUTE_POLICY: dict[str, object] = {
    "static": PUBLIC,
    "web.healthz": PUBLIC,
    "web.home": AUTHENTICATED,
    # accounts (S2, S11)
    "accounts.login": PUBLIC,
    "accounts.verify_code": PUBLIC,
    "accounts.mfa_setup": P.account_self,
    "accounts.reauth": P.account_self,
    "accounts.set_active": P.user_manage,
    "accounts.reset_totp": P.user_manage,
    "accounts.set_locale": PUBLIC,
    "accounts.logout": AUTHENTICATED,
    "accounts.account": P.account_self,
    "accounts.list_users": P.user_manage,
    "accounts.new_user": P.user_manage,
    "accounts.unlock_user": P.user_manage,
    "accounts.reset_password": P.user_manage,
    "accounts.list_organisations": P.organisation_manage,
    "accounts.new_organisation": P.organisation_manage,
    "accounts.login_log": P.login_log_read,
    # applications (C2.6)
    "applications.list_applications": P.application_read,
    "applications.application_detail": P.application_read,
    "applications.download_attachment": P.application_read,
    "applications.new_application": P.application_create,
    "applications.edit_application": P.application_create,
    "applications.submit_application": P.application_create,
    "applications.withdraw_application": P.application_create,
    "applications.upload_attachment": P.application_create,
    # reviews (C2.10)
    "reviews.queue": P.review_decide,
    "reviews.decide": P.review_decide,
    # operator step (C2.6, C3.4)
    "key_issuance.issue": P.key_issue,
    "key_issuance.key_action": P.key_issue,
    # channels and catalogue (C2.4)
    "channels.list_channels": P.channel_read,
    "channels.channel_detail": P.channel_read,
    "channels.set_platform_capability": P.channel_manage,
    "channels.list_services": P.service_read,
    "channels.new_service": P.service_manage,
    "channels.edit_service": P.service_manage,
    # inbox (S8) and audit (S4)
    "messaging.inbox": P.inbox_read,
    "messaging.message_detail": P.inbox_read,
    "audit_log.audit_log": P.audit_read,
    # API
    "api.openapi": PUBLIC,
    "api.create_token": PUBLIC,
    "api.me": AUTHENTICATED,
    "api.list_users": P.user_manage,
    "api.create_user": P.user_manage,
    "api.unlock_user": P.user_manage,
    "api.set_active": P.user_manage,
    "api.reset_totp": P.user_manage,
    "api.reset_password": P.user_manage,
    "api.list_organisations": P.organisation_manage,
    "api.create_organisation": P.organisation_manage,
    "api.login_log": P.login_log_read,
    "api.list_regions": P.region_read,
    "api.list_channels": P.channel_read,
    "api.get_channel_api": P.channel_read,
    "api.set_platform_capability": P.channel_manage,
    "api.list_services": P.service_read,
    "api.create_service": P.service_manage,
    "api.update_service": P.service_manage,
    "api.list_applications": P.application_read,
    "api.get_application_api": P.application_read,
    "api.download_attachment": P.application_read,
    "api.create_application": P.application_create,
    "api.update_application": P.application_create,
    "api.submit_application": P.application_create,
    "api.withdraw_application": P.application_create,
    "api.upload_attachment": P.application_create,
    "api.review_queue_api": P.review_decide,
    "api.decide_api": P.review_decide,
    "api.complete_api": P.key_issue,
    "api.list_keys": P.key_issue,
    "api.rotate_key_api": P.key_issue,
    "api.suspend_key_api": P.key_issue,
    "api.resume_key_api": P.key_issue,
    "api.revoke_key_api": P.key_issue,
    "api.destroy_key_api": P.key_issue,
    "api.list_messages": P.inbox_read,
    "api.read_message": P.inbox_read,
    "api.audit_api": P.audit_read,
    "api.channel_status": CHANNEL_SIGNED,
    "api.sandbox_echo": CHANNEL_SIGNED,
}
