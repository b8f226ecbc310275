"""The audit log as people read it (S4, issue 15): every action recorded and every kind of object, with its Chinese and
English title. `tests/test_audit_log.py` fails on an action recorded anywhere in the code without a title here."""

import sqlalchemy as sa
from flask import g, url_for

from app.core.enums import TitledEnum
from app.core.i18n import CODES, current_locale, localized
from app.extensions import db
from app.modules.regions.models import Region

ACTIONS: dict[str, tuple[str, str]] = {
    "access.denied": ("访问被拒绝", "was refused access"),
    "agreement.countersign": ("会签合作协议", "countersigned the agreement"),
    "agreement.publish": ("发布合作协议版本", "published an agreement version"),
    "agreement.renewal_objection": ("对协议续签提出异议", "objected to the renewal"),
    "agreement.renewed": ("合作协议自动续签", "renewed the agreement"),
    "agreement.not_renewed": ("合作协议未续签", "did not renew the agreement"),
    "agreement.pending": ("合作协议续签待定", "left the renewal pending"),
    "agreement.sign": ("签署合作协议", "signed the agreement"),
    "api_token.create": ("创建接口令牌", "created an API token"),
    "application.complete": ("办结申请", "completed the application"),
    "application.create": ("创建申请", "created the application"),
    "application.report_review": ("审查检测报告", "reviewed the security report"),
    "application.submit": ("提交申请", "submitted the application"),
    "application.update": ("修改申请", "amended the application"),
    "application.withdraw": ("撤回申请", "withdrew the application"),
    "attachment.add": ("上传附件", "uploaded an attachment"),
    "channel.apply": ("渠道进入申请", "filed the channel"),
    "channel.back_to_testing": ("渠道退回测试", "returned the channel to testing"),
    "channel.contact_change": ("变更渠道联系人", "changed the channel's contact"),
    "channel.exit": ("渠道退出", "closed the channel"),
    "channel.exit_transition": ("渠道进入退出过渡期", "started the channel's exit transition"),
    "channel.go_live": ("渠道正式上线", "took the channel live"),
    "channel.import": ("导入存量渠道", "imported the existing channel"),
    "channel_import.create": ("导入存量渠道文件", "imported a file of existing channels"),
    "channel_import.keys": ("为导入渠道签发密钥", "issued keys for imported channels"),
    "data_quality.export": ("导出数据质量问题清单", "exported the data-quality findings"),
    "organisation.category": ("变更单位类别", "changed the organisation's kind"),
    "channel.grants_change": ("变更渠道应用范围", "changed the channel's grants"),
    "channel.major_change": ("申报重大变更", "declared a major change"),
    "channel.platform_capability": ("变更平台能力", "changed the platform capability"),
    "channel.production_review": ("渠道进入正式入网审核", "put the channel into production review"),
    "channel.restore": ("恢复渠道服务", "restored the channel"),
    "channel.start_testing": ("渠道开始联调测试", "started the channel's testing"),
    "channel.suspend": ("暂停渠道服务", "suspended the channel"),
    "channel.withdraw": ("渠道撤回", "withdrew the channel"),
    "channel_notice.file": ("报备渠道维护公告", "filed a maintenance notice"),
    "document.issue": ("出具文件", "issued a document"),
    "exit.announcement": ("登记退出公告", "recorded the exit announcement"),
    "exit.apply": ("申请渠道退出", "applied for an exit"),
    "exit.complete": ("渠道退出完成", "completed the exit"),
    "exit.forced": ("启动强制退出", "opened a forced exit"),
    "exit.national_decision": ("审批渠道退出", "decided on the exit"),
    "exit.opinion": ("出具退出意见", "gave an opinion on the exit"),
    "exit.push_notice": ("确认推送退出通知", "confirmed the push notice"),
    "exit.transition": ("开始退出过渡期", "started the exit transition"),
    "improvement_plan.decide": ("审核运营提升方案", "decided on an improvement plan"),
    "improvement_plan.file": ("提交运营提升方案", "filed an improvement plan"),
    "incident.confirm": ("认定安全风险事件", "confirmed the incident"),
    "incident.dismiss": ("不予认定安全风险事件", "dismissed the incident"),
    "incident.escalate": ("整改逾期上报", "escalated the overdue rectification"),
    "incident.evidence": ("上传事件证据", "added evidence"),
    "incident.rectification": ("提交整改报告", "filed a rectification report"),
    "incident.rectification_decide": ("核验整改报告", "judged the rectification report"),
    "incident.renewal_approve": ("批准考察期后续签", "approved the renewal"),
    "incident.report": ("报告安全风险事件", "reported an incident"),
    "incident.restore": ("整改后恢复服务", "restored the services"),
    "institution.create": ("登记检测机构", "registered a testing institution"),
    "institution.qualification": ("登记检测机构资质", "recorded a qualification"),
    "key.issue": ("签发密钥", "issued a key"),
    "key.rotate": ("轮换密钥", "rotated a key"),
    "key.suspend": ("暂停密钥", "suspended a key"),
    "key.resume": ("恢复密钥", "resumed a key"),
    "key.revoke": ("吊销密钥", "revoked a key"),
    "key.destroy": ("销毁密钥", "destroyed a key"),
    "keys.rotate_master": ("轮换主密钥", "rotated the master key"),
    "keys.stage_master": ("预置新主密钥", "staged a new master key"),
    "keys.activate_master": ("启用新主密钥", "made a master key current"),
    "keys.retire_master": ("停用旧主密钥", "retired a master key"),
    "monitoring.evaluate": ("执行月度评估", "ran the monthly evaluation"),
    "monitoring.export": ("导出监测数据", "exported monitoring figures"),
    "monitoring.missing_reports": ("标记未报送数据", "flagged missing figures"),
    "notice.acknowledge": ("确认平台公告", "acknowledged a platform notice"),
    "notice.publish": ("发布平台公告", "published a platform notice"),
    "notice.remind": ("提醒确认平台公告", "reminded of a platform notice"),
    "organisation.create": ("登记单位", "registered an organisation"),
    "promotion.file": ("报备推广活动", "filed a promotion"),
    "promotion.report": ("报告推广效果", "reported a promotion's results"),
    "promotion.review": ("审核推广活动", "reviewed a promotion"),
    "recording.check": ("核验录屏步骤", "checked a recording step"),
    "recording.upload": ("上传录屏", "uploaded a recording"),
    "review.approved": ("审核同意", "approved at review"),
    "review.rejected": ("审核不同意", "rejected at review"),
    "security_report.expiring": ("标记检测报告即将到期", "flagged a report about to expire"),
    "security_report.overdue": ("标记检测报告逾期", "flagged a report overdue"),
    "security_report.submit": ("提交安全检测报告", "filed a security report"),
    "service.create": ("新增服务", "added a service"),
    "service.update": ("修改服务", "changed a service"),
    "spot_check.order": ("安排安全抽查", "ordered a spot check"),
    "spot_check.record": ("登记抽查结果", "recorded a spot check"),
    "statistics.import": ("导入月度数据", "imported monthly figures"),
    "statistics.report": ("报送月度数据", "reported monthly figures"),
    "statistics.correct": ("更正月度数据", "corrected monthly figures"),
    "template.propose": ("提交消息模板", "proposed a message template"),
    "template.review": ("审核消息模板", "reviewed a message template"),
    "user.create": ("创建账号", "created an account"),
    "user.disable": ("停用账号", "disabled an account"),
    "user.enable": ("启用账号", "enabled an account"),
    "user.lock": ("锁定账号", "locked an account"),
    "user.reset_password": ("重置密码", "reset a password"),
    "user.role_grant": ("授予角色", "granted a role"),
    "user.role_withdraw": ("收回角色", "withdrew a role"),
    "user.totp_enable": ("启用动态口令", "enabled the one-time code"),
    "user.totp_reset": ("重置动态口令", "reset the one-time code"),
    "user.totp_start": ("开始绑定动态口令", "started one-time-code enrolment"),
    "user.unlock": ("解锁账号", "unlocked an account"),
    "user.recover": ("在服务器上恢复账号", "recovered an account from a server"),
    "work_order.answer": ("答复工单", "answered a work order"),
    "work_order.assign": ("分派工单", "assigned a work order"),
    "work_order.close": ("关闭工单", "closed a work order"),
    "work_order.file": ("提交工单", "filed a work order"),
    "work_order.reply": ("回复工单", "replied to a work order"),
    "work_order.tag": ("标记工单", "tagged a work order"),
}

OBJECTS: dict[str, tuple[str, str]] = {
    "agreement": ("合作协议", "agreement"),
    "agreement_renewal": ("协议续签", "renewal"),
    "agreement_version": ("协议版本", "agreement version"),
    "api_token": ("接口令牌", "API token"),
    "application": ("申请", "application"),
    "attachment": ("附件", "attachment"),
    "channel": ("渠道", "channel"),
    "channel_exit": ("渠道退出", "exit"),
    "channel_import": ("存量渠道导入", "channel import"),
    "data_quality": ("数据质量", "data quality"),
    "channel_key": ("密钥", "key"),
    "channel_notice": ("渠道公告", "channel notice"),
    "document": ("文件", "document"),
    "evaluation_run": ("月度评估", "evaluation"),
    "improvement_plan": ("运营提升方案", "improvement plan"),
    "incident": ("安全风险事件", "incident"),
    "institution_qualification": ("检测机构资质", "qualification"),
    "message_template": ("消息模板", "message template"),
    "monthly_statistic": ("月度数据", "monthly figures"),
    "organisation": ("单位", "organisation"),
    "platform_notice": ("平台公告", "platform notice"),
    "promotion": ("推广活动", "promotion"),
    "recording": ("录屏", "recording"),
    "rectification": ("整改报告", "rectification report"),
    "review_step": ("审核环节", "review step"),
    "security_report": ("安全检测报告", "security report"),
    "security_report_notice": ("检测报告提醒", "report notice"),
    "service": ("服务", "service"),
    "spot_check": ("安全抽查", "spot check"),
    "testing_institution": ("检测机构", "testing institution"),
    "user_account": ("账号", "account"),
    "work_order": ("工单", "work order"),
}

# The fields entries record most, by their labels; others show their own name.
FIELDS: dict[str, tuple[str, str]] = {
    "agreements": ("合作协议数", "agreements"),
    "channel_numbers": ("渠道编号", "channel numbers"),
    "figures": ("月度数据条数", "monthly figures"),
    "filename": ("文件名", "file name"),
    "imported": ("导入文件摘要", "imported from (SHA-256)"),
    "keys": ("密钥", "keys"),
    "live_since": ("上线日期", "live since"),
    "organisations": ("新增单位数", "organisations created"),
    "organisations_existing": ("已有单位", "existing organisations"),
    "security_reports": ("安全检测报告数", "security reports"),
    "status": ("状态", "status"),
    "application": ("申请", "application"),
    "stage": ("环节", "stage"),
    "application_status": ("申请状态", "application status"),
    "region": ("地区", "region"),
    "round": ("轮次", "round"),
    "sha256": ("文件摘要", "SHA-256"),
    "channel_number": ("渠道编号", "channel number"),
    "regions": ("地域", "regions"),
    "services": ("服务", "services"),
    "number": ("编号", "number"),
    "kind": ("类型", "kind"),
    "totp_enabled": ("动态口令", "one-time code"),
    "size": ("大小", "size"),
    "level": ("级别", "level"),
    "contact_name": ("联系人", "contact"),
    "contact_phone": ("联系电话", "phone"),
    "contact_email": ("联系邮箱", "e-mail"),
    "category": ("渠道类别", "category"),
    "cause": ("原因", "cause"),
    "channel_id": ("渠道", "channel"),
    "username": ("用户名", "username"),
    "role": ("角色", "role"),
    "active": ("启用", "active"),
    "locked": ("锁定", "locked"),
    "key_id": ("密钥标识", "key id"),
    "environment": ("环境", "environment"),
    "name": ("名称", "name"),
    "version": ("版本", "version"),
    "result": ("结果", "result"),
    "reason": ("原因", "reason"),
    "title": ("标题", "title"),
    "month": ("月份", "month"),
    "requested_date": ("申请退出日期", "requested date"),
    "end": ("结束日期", "end"),
    "term_start": ("协议期起", "term start"),
    "term_end": ("协议期止", "term end"),
    "test_date": ("检测日期", "test date"),
    "operating_since": ("运营起始日期", "operating since"),
    "serves_livelihood": ("服务民生", "serves livelihood"),
    "existing_users": ("现有用户数", "existing users"),
    "fill_date": ("填表日期", "fill date"),
    "inherit_parent_scope": ("继承一级渠道范围", "inherits the parent's scope"),
    "rows": ("渠道", "channels"),
    "attachments": ("附件", "attachments"),
    "exit": ("退出", "exit"),
    "fingerprint": ("密钥指纹", "fingerprint"),
    "parent_channel_id": ("一级渠道", "level-1 channel"),
    "same_subject": ("同一主体", "same subject"),
    "social": ("社会渠道补充材料", "social supplement"),
    "level2": ("二级渠道补充材料", "level-2 supplement"),
    "organisation_id": ("所属单位", "organisation"),
    "region_code": ("管辖地区", "jurisdiction"),
    "uscc": ("统一社会信用代码", "USCC"),
    "registered_address": ("注册地址", "registered address"),
    "certificate_number": ("证书编号", "certificate no."),
    "valid_until": ("有效期至", "valid until"),
    "effective_from": ("生效日期", "effective from"),
    "covers_spec": ("覆盖接入安全技术规范", "covers the security specification"),
    "security_report_id": ("安全检测报告", "security report"),
    "recordings": ("录屏", "recordings"),
    "platform": ("平台", "platform"),
    "steps": ("操作步骤", "steps"),
    "reviewed": ("已审核", "reviewed"),
    "countersigned": ("已会签", "countersigned"),
    "is_retest": ("复测", "re-test"),
    "spot_check": ("抽查", "spot check"),
    "categories": ("渠道类别", "categories"),
    "region_codes": ("地域", "regions"),
    "levels": ("渠道级别", "levels"),
    "recipients": ("接收方", "recipients"),
    "channel": ("渠道", "channel"),
    "uses_hrss_wording": ("使用人社宣传用语", "uses HR&SS wording"),
    "assignee_id": ("处理人", "assignee"),
    "tags": ("标记", "tags"),
    "source": ("来源", "source"),
    "created": ("新增", "created"),
    "corrected": ("更正", "corrected"),
    "unchanged": ("未变", "unchanged"),
    "channels": ("渠道数", "channels"),
    "units": ("评估对象数", "units evaluated"),
    "changed": ("状态变化", "changed"),
    "type": ("类型", "type"),
    "incident": ("安全事件", "incident"),
    "province": ("省份", "province"),
    "agree": ("同意", "agrees"),
    "flagged": ("新标记的渠道", "channels flagged"),
    "resolved": ("已补报的渠道", "channels resolved"),
    "until": ("锁定至", "locked until"),
    "ip": ("来源地址", "source address"),
    "method": ("请求方法", "method"),
    "path": ("访问路径", "path"),
}

_BY_VALUE: dict[str, TitledEnum] = {}


def _titled_values() -> dict[str, TitledEnum]:
    if not _BY_VALUE:
        stack = list(TitledEnum.__subclasses__())
        while stack:
            enum = stack.pop()
            stack += enum.__subclasses__()
            for member in enum:
                _BY_VALUE.setdefault(member.value, member)
    return _BY_VALUE


def _pick(titles: tuple[str, str]) -> str:
    return localized(titles)


def action_title(action: str) -> str:
    return _pick(ACTIONS.get(action, (action, action)))


def object_title(object_type: str) -> str:
    return _pick(OBJECTS.get(object_type, (object_type, object_type)))


def value_text(value) -> str:
    """A recorded value as a person reads it: a status or other code by its title, lists joined, nothing as a dash."""
    if value is None or value == "":
        return "-"
    if isinstance(value, list):
        return "、".join(value_text(v) for v in value) or "-"
    if isinstance(value, dict):
        return "；".join(f"{k}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _pick(("是", "yes") if value else ("否", "no"))
    titled = _titled_values().get(value) if isinstance(value, str) else None
    if titled is not None:
        return titled.title(current_locale())
    registered = next((t for vocabulary in CODES.values() if (t := vocabulary.get(str(value)))), None)
    return _pick(registered) if registered else str(value)


REGION_FIELDS = {"region", "region_code", "province", "province_code", "regions", "region_codes"}


def _region_names() -> dict[str, str]:
    """Every region's name in the reader's language, read once per request (GB/T 2260 codes are never shown)."""
    if "region_names" not in g:
        rows = db.session.execute(sa.select(Region.code, Region.name_zh, Region.name_en))
        g.region_names = {code: localized((zh, en)) for code, zh, en in rows}
    return g.region_names


def _field_value(key: str, value) -> str:
    if key in REGION_FIELDS and value:
        names = _region_names()
        codes = value if isinstance(value, list) else [value]
        return "、".join(names.get(str(code), str(code)) for code in codes)
    return value_text(value)


def changes(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """The fields an entry changed (or set, or recorded), as (field, before, after) in readable words."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    fields = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return [
        (
            _pick(FIELDS.get(k, (k, k))),
            _field_value(k, before.get(k)) if k in before else "",
            _field_value(k, after.get(k)),
        )
        for k in fields
    ]


_PAGES = {
    "application": ("applications.application_detail", "app_id"),
    "channel": ("channels.channel_detail", "channel_id"),
    "incident": ("incidents.incident_detail", "incident_id"),
    "channel_exit": ("exits.exit_detail", "exit_id"),
    "channel_import": ("channel_import.import_detail", "import_id"),
    "work_order": ("work_orders.work_order_detail", "work_order_id"),
    "promotion": ("promotions.promotion_detail", "promotion_id"),
    "user_account": ("accounts.user_detail", "user_id"),
}


def object_label(entry) -> str:
    """The object as people know it: its number or name where the entry recorded one, else its kind alone."""
    recorded = {**(entry.before or {}), **(entry.after or {})} if isinstance(entry.after or {}, dict) else {}
    for key in ("number", "channel_number", "username", "name", "title", "version", "key_id"):
        if recorded.get(key):
            return f"{object_title(entry.object_type)} {recorded[key]}"
    return object_title(entry.object_type)


def object_url(entry) -> str | None:
    page = _PAGES.get(entry.object_type)
    if page is None or not str(entry.object_id or "").isdigit():
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: int(entry.object_id)})
