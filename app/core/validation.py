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


# GB 11643: 17 digits (6 area, 8 birth date, 3 serial) and a check character; the old 15-digit form has a 6-digit date.
_ID18 = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})((?:18|19|20)\d{2})(\d{2})(\d{2})\d{3}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{2})(\d{2})(\d{2})\d{3}(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SEPARATORS = re.compile(r"(?<=\d)[\s\-]+(?=[\dXx])")


def _valid_date(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _id18_valid(candidate: str) -> bool:
    total = sum(int(d) * w for d, w in zip(candidate[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == candidate[17].upper()


def find_id_numbers(text: str) -> list[str]:
    """Resident identity numbers (GB 11643) in free text: 18 characters with a valid check character and birth
    date, or the old 15-digit form with a valid date; spaces or hyphens inside the number do not hide it."""
    compact = _SEPARATORS.sub("", text or "")
    found = [m.group(0) for m in _ID18.finditer(compact) if _valid_date(m[3], m[4]) and _id18_valid(m.group(0))]
    found += [m.group(0) for m in _ID15.finditer(compact) if _valid_date(m[3], m[4])]
    return found


def refuse_id_numbers(values: dict[str, str]) -> None:
    """C4.6: no personal ID numbers in free text — the whole input is refused, naming each field that has one."""
    fields = {name: ["contains an ID number"] for name, text in values.items() if find_id_numbers(text)}
    if fields:
        raise RuleViolation(
            "内容中含有居民身份证号码，请删除后再提交（C4.6，不得在工单中填写个人证件号码）",
            "The text contains a resident ID number; remove it and submit again (C4.6: no personal ID numbers)",
            code="C4.6",
            fields=fields,
        )


URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def check_url(value: str, field: str) -> None:
    """S3: a URL is system-validated (http or https, no spaces)."""
    if not URL.match((value or "").strip()) or len(value) > 500:
        raise RuleViolation(
            "网址格式不正确（须以 http:// 或 https:// 开头）",
            "Invalid URL (http:// or https://)",
            code="S3",
            fields={field: ["invalid URL"]},
        )
