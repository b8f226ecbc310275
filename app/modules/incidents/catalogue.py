"""The graded list of security incidents (C5.5): each type fixes its level, and the level fixes the consequences."""

# code: (level, 中文, English)
INCIDENT_TYPES: dict[str, tuple[int, str, str]] = {
    "upgrade_overdue": (1, "接到通知后未按时完成功能升级", "Functional upgrade not done on time after notice"),
    "page_tampering": (1, "页面被篡改", "Page tampering"),
    "unauthorized_access": (2, "接口越权访问", "Interface accessed beyond authority"),
    "output_to_related_channel": (
        2,
        "接口输出给同一主体的关联渠道",
        "Interface output to a same-subject related channel",
    ),
    "auth_output_to_related_channel": (
        2,
        "实名实人认证能力输出给同一主体的关联渠道",
        "Real-name/real-person authentication output to a same-subject related channel",
    ),
    "security_upgrade_overdue": (2, "接到通知后未按时完成安全升级", "Security upgrade not done on time after notice"),
    "general_leak": (2, "一般信息泄露", "General information leak"),
    "output_to_third_party": (3, "接口输出给第三方", "Interface output to a third party"),
    "auth_output_to_third_party": (3, "认证能力输出给第三方", "Authentication output to a third party"),
    "credentials_to_third_party": (3, "渠道编号和密钥交由第三方使用", "Channel number and key handed to a third party"),
    "illegal_data_retention": (3, "违规截留数据", "Illegal retention of data"),
    "credential_stuffing": (3, "冒用用户身份撞库", "Impersonating users in credential stuffing"),
    "key_loss_or_major_leak": (3, "密钥丢失或重大信息泄露", "Key loss or major information leak"),
    "cybersecurity_law_breach": (3, "违反《网络安全法》", "Breach of the Cybersecurity Law"),
}

# C5.6: the gateway refusals the anomaly watch counts, and the incident type each suggests for triage.
WATCHED_REFUSALS = {
    "service_not_granted": "unauthorized_access",
    "bad_signature": "credentials_to_third_party",
    "channel_not_live": "unauthorized_access",
    "key_suspended": "unauthorized_access",
}


def level_of(code: str) -> int:
    return INCIDENT_TYPES[code][0]
