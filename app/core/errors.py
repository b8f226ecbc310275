"""Domain errors. Each carries a stable code and a Chinese and English message; views and API render them."""

from flask import g

from app.core.i18n import N_, gettext


class DomainError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, zh: str, en: str, *, code: str | None = None, fields: dict | None = None, status=None):
        super().__init__(en)
        self.zh, self.en = zh, en
        self.code = code or self.code
        self.fields = fields or {}
        self.status = status or self.status

    def message(self, locale: str = "zh") -> str:
        return self.en if locale == "en" else self.zh


class RuleViolation(DomainError):
    """Input that breaks a rule of RULES.md; the code names the rule where there is one."""

    status = 422
    code = "rule_violation"


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def __init__(self, zh: str = "记录不存在", en: str = "Not found", **kw):
        super().__init__(zh, en, **kw)


class Forbidden(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, zh: str = "无权执行此操作", en: str = "You are not allowed to do this", **kw):
        super().__init__(zh, en, **kw)


class Conflict(DomainError):
    """The object moved on since it was read (another reviewer decided first, a double submit)."""

    status = 409
    code = "conflict"


HTTP_MESSAGES = {
    404: N_("页面不存在"),
    403: N_("没有权限"),
    400: N_("请求有误"),
    413: N_("文件或请求超过大小上限"),
    429: N_("尝试过于频繁，请稍后再试"),
}


def http_message(exc) -> str:
    """What an HTTP error says in the API: our own words where we have them (429 throttling), else Werkzeug's."""
    if exc.code == 429 and g.get("retry_after"):
        return gettext("尝试过于频繁，请在 {seconds} 秒后再试", seconds=g.retry_after)
    if exc.code in (413, 429):
        return gettext(HTTP_MESSAGES[exc.code])
    return exc.description or exc.name


def with_allow(response, exc):
    """A 405 names the methods the URL accepts (RFC 9110 §15.5.6), whatever renders the body."""
    methods = getattr(exc, "valid_methods", None)
    if exc.code == 405 and methods:
        response.headers["Allow"] = ", ".join(sorted(methods))
    return response
