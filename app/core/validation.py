"""System validation of contact data (S3): phones and e-mail addresses."""

import re

from app.core.errors import RuleViolation

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def check_phone(value: str, field: str) -> None:
    if value and not PHONE.match(value):
        raise RuleViolation(
            "电话号码格式不正确（手机11位或区号-号码）",
            "Invalid phone number (11-digit mobile or area code and number)",
            code="S3",
            fields={field: ["invalid phone"]},
        )


def check_email(value: str, field: str) -> None:
    if value and not EMAIL.match(value):
        raise RuleViolation("邮箱格式不正确", "Invalid e-mail address", code="S3", fields={field: ["invalid e-mail"]})
