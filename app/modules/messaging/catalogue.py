"""The system's message templates (S1): every message the platform sends is rendered from one of these, after review.

Seeded as approved version 1 by the migration that introduced templates; the operator may write a new version of any
of them, which is used once another operator has approved it. Placeholders are `{name}`; each template declares the
ones it may use, and the code that sends it supplies them."""

BUSINESS, NOTICE, PUBLICITY = "business", "notice", "publicity"
CATEGORIES = {
    BUSINESS: ("业务触发类", "Business-triggered"),
    NOTICE: ("定向告知类", "Directed notice"),
    PUBLICITY: ("宣传公告类", "Publicity"),
}
SYSTEM = "电子社保卡服务渠道管理系统"
OPERATOR = "电子社保卡平台运营机构"

# code: (category, sender unit, subject, body, placeholders)
SYSTEM_TEMPLATES: dict[str, tuple[str, str, str, str, list[str]]] = {
    "application.submitted": (
        BUSINESS,
        SYSTEM,
        "申请 {number} 已提交",
        "您的{kind}申请 {number}（{channels}）已于第 {round} 轮提交，正在审核。",
        ["number", "kind", "channels", "round"],
    ),
    "review.decided": (
        BUSINESS,
        "{unit}",
        "申请 {number} 审核结果：{result}",
        "{unit}对申请 {number} 的意见：{verdict}。\n审核意见：{opinion}\n联系人：{contact} 电话：{phone}",
        ["unit", "number", "result", "verdict", "opinion", "contact", "phone"],
    ),
    "test_intake.completed": (
        BUSINESS,
        "平台运营机构",
        "申请 {number} 已办结",
        "测试入网申请 {number} 已审核通过。渠道编号：{numbers}。测试密钥由平台运营机构线下安全交付。",
        ["number", "numbers"],
    ),
    "channel.live": (
        BUSINESS,
        OPERATOR,
        "渠道 {channel} 已正式入网",
        "正式入网申请 {number} 已办结，渠道 {channel}（{channel_number}）自 {live_since} 起正式提供服务。"
        "生产密钥由平台运营机构线下安全交付。",
        ["number", "channel", "channel_number", "live_since"],
    ),
    "channel.live_operators": (
        BUSINESS,
        OPERATOR,
        "渠道 {channel} 已正式入网",
        "渠道 {channel}（{channel_number}）已正式入网，生产密钥 {key_id} 已签发。",
        ["channel", "channel_number", "key_id"],
    ),
    "agreement.announced": (
        NOTICE,
        OPERATOR,
        "合作协议新版本 {version} 公告",
        "《{title}》{version} 版将于 {effective_from} 生效。请在门户查看全文，并在生效前为贵单位的每个已正式入网渠道"
        "确认签署（C4.12）。",
        ["title", "version", "effective_from"],
    ),
    "agreement.signed": (
        BUSINESS,
        "{owner}",
        "渠道 {channel} 已签署合作协议 {version} 版",
        "{owner} 已为渠道 {channel} 签署合作协议 {version} 版，请会签。",
        ["owner", "channel", "version"],
    ),
    "agreement.countersigned": (
        BUSINESS,
        OPERATOR,
        "渠道 {channel} 合作协议已会签",
        "合作协议 {version} 版已由平台运营机构会签，协议期限 {term_start} 至 {term_end}。",
        ["channel", "version", "term_start", "term_end"],
    ),
    "security_report.expiring": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 安全检测报告将于 {until} 到期",
        "渠道 {channel}（{channel_number}）的安全检测报告将于 {until} 到期，请及时委托具备资质的检测机构重新检测并提交"
        "报告（C5.3）。",
        ["channel", "channel_number", "until"],
    ),
    "security_report.overdue": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 无有效安全检测报告",
        "渠道 {channel}（{channel_number}）目前没有有效的安全检测报告，请尽快提交（C5.3）；"
        "未按时检测的渠道可能被强制退出（C6.4）。",
        ["channel", "channel_number"],
    ),
    "security_report.digest": (
        NOTICE,
        OPERATOR,
        "安全检测报告提醒：{count} 个渠道需处理",
        "以下渠道的安全检测报告即将到期或已没有有效报告。请及时委托具备资质的检测机构重新检测并提交报告（C5.3）；"
        "未按时检测的渠道可能被强制退出（C6.4）。\n{channels}",
        ["count", "channels"],
    ),
    "security_report.operator_digest": (
        NOTICE,
        SYSTEM,
        "安全检测报告日检：{expiring} 个即将到期，{overdue} 个无有效报告",
        "今日安全检测报告检查新标记的渠道（C5.3）：{expiring} 个报告即将到期，{overdue} 个没有有效报告。\n{channels}",
        ["expiring", "overdue", "channels"],
    ),
    "channel.contact_changed": (
        BUSINESS,
        "{owner}",
        "渠道 {channel} 联系人变更",
        "{owner} 已将渠道 {channel}（{channel_number}）的联系人变更为：{name}，电话 {phone}，邮箱 {email}（C4.2）。",
        ["owner", "channel", "channel_number", "name", "phone", "email"],
    ),
    # Channel operations (C4.1, C4.3–C4.6) and staff administration (S2)
    "work_order.filed": (
        BUSINESS,
        "{owner}",
        "新工单 {number}：{subject}",
        "{owner} 为渠道 {channel} 提交了工单 {number}：{subject}。请及时受理（C4.6）。",
        ["owner", "number", "subject", "channel"],
    ),
    "work_order.assigned": (
        BUSINESS,
        OPERATOR,
        "工单 {number} 已分派给您",
        "{by} 将渠道 {channel} 的工单 {number}（{subject}）分派给您处理。",
        ["by", "number", "subject", "channel"],
    ),
    "work_order.answered": (
        BUSINESS,
        OPERATOR,
        "工单 {number} 已答复",
        "渠道 {channel} 的工单 {number}（{subject}）已答复：\n{answer}",
        ["number", "subject", "channel", "answer"],
    ),
    "work_order.replied": (
        BUSINESS,
        SYSTEM,
        "工单 {number} 有新的补充说明",
        "渠道 {channel} 对工单 {number}（{subject}）补充了说明，请处理（C4.6）。",
        ["number", "subject", "channel"],
    ),
    "work_order.closed": (
        BUSINESS,
        OPERATOR,
        "工单 {number} 已关闭",
        "渠道 {channel} 的工单 {number}（{subject}）已关闭。说明：{note}",
        ["number", "subject", "channel", "note"],
    ),
    "notice.platform": (
        NOTICE,
        OPERATOR,
        "【{kind}公告】{title}",
        "{body}\n\n时间：{period}。请在门户中确认已知悉（C4.3）。",
        ["kind", "title", "body", "period"],
    ),
    "notice.reminder": (
        NOTICE,
        OPERATOR,
        "请确认平台公告：{title}",
        "平台公告“{title}”已于 {published} 发布，贵单位的渠道 {channels} 尚未确认已知悉，请尽快在门户中确认（C4.3）。",
        ["title", "published", "channels"],
    ),
    "maintenance.filed": (
        BUSINESS,
        "{owner}",
        "渠道 {channel} {kind}报备",
        "{owner} 报备：渠道 {channel}（{channel_number}）{kind}，时间 {period}。说明：{description}（C4.4）",
        ["owner", "channel", "channel_number", "kind", "period", "description"],
    ),
    "promotion.filed": (
        BUSINESS,
        "{owner}",
        "推广活动报备：{title}",
        "{owner} 报备了渠道 {channel} 的推广活动“{title}”（{period}）。{review}（C4.5）",
        ["owner", "channel", "title", "period", "review"],
    ),
    "promotion.review_requested": (
        BUSINESS,
        SYSTEM,
        "推广活动待审核：{title}",
        "{owner} 的渠道 {channel} 拟开展推广活动“{title}”（{period}），使用了人社宣传用语，"
        "须经人社部门审核后方可开展（C4.5）。",
        ["owner", "channel", "title", "period"],
    ),
    "promotion.reviewed": (
        BUSINESS,
        "{unit}",
        "推广活动“{title}”审核结果：{result}",
        "{unit}对渠道 {channel} 的推广活动“{title}”的审核意见：{result}。{opinion}",
        ["unit", "channel", "title", "result", "opinion"],
    ),
    "change.completed": (
        BUSINESS,
        OPERATOR,
        "渠道 {channel} 变更已生效",
        "变更申请 {number} 已办结。自 {effective} 起，渠道 {channel} 的服务地域为：{regions}；"
        "应用范围为：{services}（C4.1）。",
        ["number", "channel", "effective", "regions", "services"],
    ),
    "account.role_granted": (
        BUSINESS,
        SYSTEM,
        "您的账号权限已变更",
        "权限管理员 {admin} 已将您的账号 {username} 的角色设为“{role}”{jurisdiction}（S2）。",
        ["admin", "username", "role", "jurisdiction"],
    ),
    "account.role_withdrawn": (
        BUSINESS,
        SYSTEM,
        "您的账号权限已收回",
        "权限管理员 {admin} 已收回您的账号 {username} 的角色“{role}”，原因：{reason}。"
        "如有疑问请联系本单位权限管理员（S2）。",
        ["admin", "username", "role", "reason"],
    ),
    # Monitoring (C3.6, C4.7–C4.11)
    "monitoring.notice": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 运营情况通知（{month}）",
        "渠道 {channel}（{channel_number}）{month} 的运营数据触发了 {rule}：{reason}。自即日起给予 3 个月提升期，"
        "至 {period_ends} 结束；届时签发量和月活跃用户数仍未明显改善的，将予以告警（C4.9）。请在门户查看数据和明细。",
        ["channel", "channel_number", "month", "rule", "reason", "period_ends"],
    ),
    "monitoring.alert": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 运营告警（{month}）",
        "渠道 {channel}（{channel_number}）{month} 评估触发告警 {rule}：{reason}。被告警渠道须提交运营提升方案，"
        "经运营机构同意后方可续签合作协议（C4.11）。",
        ["channel", "channel_number", "month", "rule", "reason", "period_ends"],
    ),
    "monitoring.cleared": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 提升期结束：已明显改善",
        "渠道 {channel}（{channel_number}）因 {rule} 开始的提升期已于 {month} 结束，签发量和月活跃用户数已明显改善，"
        "通知解除（C4.9）。",
        ["channel", "channel_number", "month", "rule", "reason", "period_ends"],
    ),
    "monitoring.evaluated": (
        BUSINESS,
        SYSTEM,
        "{month} 月度评估完成",
        "{month} 的月度评估已完成：新增通知 {notices} 条、告警 {alerts} 条，状态变化 {changed} 条。",
        ["month", "notices", "alerts", "changed"],
    ),
    "monitoring.missing_report": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 未按时报送 {month} 统计数据",
        "截至本月 {due_day} 日，渠道 {channel}（{channel_number}）尚未报送 {month} 以下渠道的业务统计数据：{missing}。"
        "一级渠道须每月报送本渠道及其二级渠道的统计数据（C3.6），请尽快报送。",
        ["channel", "channel_number", "month", "due_day", "missing"],
    ),
    "monitoring.missing_report_operators": (
        BUSINESS,
        SYSTEM,
        "{month} 统计数据缺报 {count} 个渠道",
        "截至本月 {due_day} 日，{count} 个一级渠道未报送 {month} 全部统计数据，详见月度监测页面（C3.6）。",
        ["month", "due_day", "count"],
    ),
    "agreement.expiring": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 合作协议将于 {term_end} 到期",
        "渠道 {channel}（{channel_number}）的合作协议将于 {term_end} 到期。{condition}（C4.11）",
        ["channel", "channel_number", "term_end", "condition"],
    ),
    "agreement.expiring_digest": (
        NOTICE,
        OPERATOR,
        "合作协议到期提醒：{count} 个渠道",
        "以下渠道的合作协议即将到期（C4.11）：\n{channels}",
        ["count", "channels"],
    ),
    "agreement.expiring_operator_digest": (
        NOTICE,
        SYSTEM,
        "合作协议到期日检：{count} 个渠道的协议即将到期",
        "今日新提示到期的合作协议（C4.11），其中 {blocked} 个目前不能自动续签：\n{channels}",
        ["count", "blocked", "channels"],
    ),
    "agreement.decided_digest": (
        NOTICE,
        OPERATOR,
        "合作协议到期处理结果：{count} 个渠道",
        "以下渠道的合作协议已到期，处理结果如下（C4.11；未续签的渠道列入强制退出，C6.4）：\n{channels}",
        ["count", "channels"],
    ),
    "agreement.decided_operator_digest": (
        NOTICE,
        SYSTEM,
        "合作协议到期处理：续签 {renewed} 个，未续签 {not_renewed} 个",
        "今日处理到期的合作协议（C4.11），未续签的渠道已列入强制退出（C6.4）：\n{channels}",
        ["renewed", "not_renewed", "channels"],
    ),
    "agreement.renewed": (
        BUSINESS,
        OPERATOR,
        "渠道 {channel} 合作协议已续签",
        "渠道 {channel}（{channel_number}）的合作协议已续签一年，新的协议期限至 {term_end}（C4.11）。",
        ["channel", "channel_number", "term_end"],
    ),
    "agreement.not_renewed": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 合作协议到期未续签",
        "渠道 {channel}（{channel_number}）的合作协议已于 {term_end} 到期且未能续签：{reason}。"
        "该渠道已列入强制退出（C4.11、C6.4）。",
        ["channel", "channel_number", "term_end", "reason"],
    ),
    "improvement_plan.filed": (
        BUSINESS,
        "{owner}",
        "渠道 {channel} 提交运营提升方案",
        "{owner} 为被告警的渠道 {channel}（{channel_number}）提交了运营提升方案，请审核（C4.11）。",
        ["owner", "channel", "channel_number"],
    ),
    "improvement_plan.decided": (
        BUSINESS,
        OPERATOR,
        "渠道 {channel} 运营提升方案审核结果：{result}",
        "平台运营机构对渠道 {channel} 的运营提升方案的意见：{result}。{opinion}",
        ["channel", "result", "opinion"],
    ),
    # Security incidents (C5.2, C5.5, C5.6, C3.5) and exits (C6)
    "incident.reported": (
        NOTICE,
        SYSTEM,
        "安全风险事件 {number}：{channel}",
        "渠道 {channel}（{channel_number}）的安全风险事件 {number} 已报告：{type}（{level} 级）。"
        "请平台运营机构及时认定和处置（C5.2、C5.5）。",
        ["number", "channel", "channel_number", "type", "level", "status"],
    ),
    "incident.confirmed": (
        NOTICE,
        OPERATOR,
        "安全风险事件 {number} 已认定为 {level} 级",
        "渠道 {channel}（{channel_number}）的安全风险事件 {number} 已认定：{type}（{level} 级），"
        "处置已生效。整改期限：{due}（C5.5）。",
        ["number", "channel", "channel_number", "type", "level", "status", "due"],
    ),
    "incident.rectification_filed": (
        BUSINESS,
        SYSTEM,
        "安全风险事件 {number} 整改报告待核验",
        "渠道 {channel}（{channel_number}）提交了安全风险事件 {number} 的整改报告，请核验（C5.5）。",
        ["number", "channel", "channel_number", "type", "level", "status"],
    ),
    "incident.rectification_decided": (
        BUSINESS,
        OPERATOR,
        "安全风险事件 {number} 整改核验：{result}",
        "渠道 {channel} 的安全风险事件 {number} 的整改报告核验结果：{result}。{opinion}",
        ["number", "channel", "channel_number", "type", "level", "status", "result", "opinion"],
    ),
    "incident.restored": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 已恢复服务",
        "安全风险事件 {number} 整改通过，渠道 {channel}（{channel_number}）已恢复服务；考察期至 {observation_until}"
        "（C4.11、C5.5）。",
        ["number", "channel", "channel_number", "type", "level", "status", "observation_until"],
    ),
    "incident.overdue": (
        NOTICE,
        SYSTEM,
        "安全风险事件 {number} 逾期未完成整改",
        "渠道 {channel}（{channel_number}）的安全风险事件 {numb"
        "er}（{level} 级）整改期限 {due} 已过，尚未完成整改（C5.5）。",
        ["number", "channel", "channel_number", "type", "level", "status", "due"],
    ),
    "incident.candidate": (
        BUSINESS,
        SYSTEM,
        "疑似异常：渠道 {channel}",
        "网关监测到渠道 {channel}（{channel_number}）的异常请求，已生成待研判事件 {number}（{type}），"
        "请认定、调整级别或说明理由后不予认定（C5.6）。",
        ["number", "channel", "channel_number", "type", "level", "status"],
    ),
    "exit.applied": (
        BUSINESS,
        SYSTEM,
        "渠道 {channel} 申请退出",
        "渠道 {channel}（{channel_number}）申请自愿退出（{number}），请给出意见或审批（C6.2）。",
        ["number", "channel", "channel_number", "cause", "transition_end"],
    ),
    "exit.decided": (
        BUSINESS,
        SYSTEM,
        "退出申请 {number} 审批结果：{result}",
        "部信息中心对渠道 {channel} 的退出申请 {number} 的意见：{result}。",
        ["number", "channel", "channel_number", "cause", "transition_end", "result"],
    ),
    "exit.transition": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 进入退出过渡期",
        "渠道 {channel}（{channel_number}）的退出（{number}，"
        "{cause}）已生效，退出过渡期至 {transition_end}。过渡期内请向"
        "存量用户推送通知、引导其使用其他渠道，"
        "并发布不少于15天的退出公告；过渡期结束后接口和门户将关闭（C6.2、C6.3）。",
        ["number", "channel", "channel_number", "cause", "transition_end"],
    ),
    "exit.forced": (
        BUSINESS,
        SYSTEM,
        "渠道 {channel} 强制退出",
        "渠道 {channel}（{channel_number}）已启动强制退出（{number}），原因：{cause}（C6.4）。",
        ["number", "channel", "channel_number", "cause", "transition_end"],
    ),
    "exit.completed": (
        NOTICE,
        OPERATOR,
        "渠道 {channel} 已退出",
        "渠道 {channel}（{channel_number}）的退出（{numbe"
        "r}）已完成：接口已关闭，合作期间产生的原始信息已删除（C6.2、C6.5）。",
        ["number", "channel", "channel_number", "cause", "transition_end"],
    ),
}
