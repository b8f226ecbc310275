"""The gateway check (C2.1): who is calling, with which key, and may that key do this now.

Refusals carry a specific code: signature_missing, stale_timestamp, key_unknown, bad_signature, replayed_nonce (401);
key_suspended, key_revoked, key_expired, test_key_not_allowed, production_key_not_allowed, channel_not_live,
service_not_granted (403).
"""

import functools
import hmac
import re
from datetime import UTC

from flask import current_app, g, request

from app.core.enums import KeyEnvironment, KeyStatus
from app.core.errors import DomainError
from app.core.metrics import GATEWAY_DECISIONS
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.gateway.decisions import Decision, decision_cache
from app.modules.gateway.nonces import first_use
from app.modules.gateway.signing import canonical, signature
from app.modules.key_issuance.models import ChannelKey
from app.modules.key_issuance.rules import effective_status

NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class GatewayRefused(DomainError):
    def __init__(self, code: str, zh: str, en: str, status: int = 401):
        super().__init__(zh, en, code=code, status=status)


def _headers() -> tuple[str, str, str, str]:
    values = [request.headers.get(f"X-ESSC-{n}", "") for n in ("Key-Id", "Timestamp", "Nonce", "Signature")]
    if not all(values) or not values[1].isdigit() or not NONCE.match(values[2]):
        raise GatewayRefused("signature_missing", "缺少或格式错误的签名头", "Missing or malformed signature headers")
    return tuple(values)


def _fresh(timestamp: str) -> None:
    skew = abs(utcnow().replace(tzinfo=UTC).timestamp() - int(timestamp))
    if skew > current_app.config["GATEWAY_MAX_SKEW_SECONDS"]:
        raise GatewayRefused("stale_timestamp", "请求时间戳超出允许范围", "The request timestamp is too old or too new")


def _signed_key(key_id: str, timestamp: str, nonce: str, given: str) -> Decision:
    decision = decision_cache().decision(key_id)
    if decision is None:
        raise GatewayRefused("key_unknown", "密钥不存在", "Unknown key")  # destroyed, or wiped at exit (C6.5)
    path = request.full_path.rstrip("?")
    expected = signature(
        decision.secret.decode(), canonical(request.method, path, timestamp, nonce, request.get_data(cache=True))
    )
    if not hmac.compare_digest(expected, given):
        raise GatewayRefused("bad_signature", "签名错误", "The signature does not match")
    return decision


def _once(key_id: str, nonce: str) -> None:
    if not first_use(key_id, nonce):
        raise GatewayRefused("replayed_nonce", "重复的请求（nonce 已使用）", "Replayed request: nonce already used")


def _usable(decision: Decision, sandbox: bool, now) -> None:
    status = effective_status(decision, now)
    if status != KeyStatus.active:
        code = {KeyStatus.suspended: "key_suspended", KeyStatus.expired: "key_expired"}.get(status, "key_revoked")
        raise GatewayRefused(code, f"密钥状态为“{status.title_zh}”", f"The key is {status.title_en.lower()}", 403)
    if sandbox and decision.environment != KeyEnvironment.test:
        raise GatewayRefused(
            "production_key_not_allowed", "沙箱接口只接受测试密钥", "Sandbox endpoints accept test keys only", 403
        )
    if not sandbox and decision.environment != KeyEnvironment.production:
        raise GatewayRefused(
            "test_key_not_allowed", "测试密钥只能用于沙箱接口", "A test key works on sandbox endpoints only", 403
        )
    if not sandbox and not decision.serving:
        raise GatewayRefused("channel_not_live", "渠道未正式入网或已暂停服务", "The channel is not live", 403)


# Registered by the incidents domain (C5.6): the watch that counts refusals; the gateway check does not import it.
_REFUSAL_WATCHERS: list = []


def register_refusal_watcher(watch) -> None:
    """`watch(key_id, code, path)`: told of every refusal of a signed request that names a key."""
    if watch not in _REFUSAL_WATCHERS:
        _REFUSAL_WATCHERS.append(watch)


def require_service(decision: Decision, service_code: str) -> None:
    """C2.1: only the services granted to a live channel, and only while they are active and not suspended for an
    incident (C5.5 level 1: the services the operator picked)."""
    if service_code not in decision.services:
        raise GatewayRefused(
            "service_not_granted",
            "该服务未授予本渠道或已暂停",
            "This service is not granted to the channel or is suspended",
            403,
        )


def signed_key() -> ChannelKey:
    """The calling key as a row, for the endpoints that go on to read or write the channel's records."""
    return db.session.get(ChannelKey, g.gateway.key_pk)


def _watch(key_id: str, code: str) -> None:
    """C5.6: every refusal of a known key is counted by cause; a burst opens a candidate incident."""
    db.session.rollback()  # whatever the refused request had started is not kept
    for watch in _REFUSAL_WATCHERS:
        watch(key_id, code, request.path)


def channel_signed(sandbox: bool = False):
    """Authenticate a channel request by its signature, then check key, environment and channel (C2.1); the view
    finds the decision in `g.gateway` (services: `require_service`) and the key's row through `signed_key()`."""

    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            key_id, timestamp, nonce, given = _headers()
            try:
                _fresh(timestamp)
                decision = _signed_key(key_id, timestamp, nonce, given)
                _once(key_id, nonce)
                now = utcnow()
                _usable(decision, sandbox, now)
                decision_cache().used_now(key_id, now)
                g.gateway = decision
                answer = view(*args, **kwargs)
            except GatewayRefused as refused:
                GATEWAY_DECISIONS.labels(outcome=refused.code).inc()
                _watch(key_id, refused.code)
                raise
            except DomainError as failed:  # the nonce store down (fail closed), a refusal of the view itself
                GATEWAY_DECISIONS.labels(outcome=failed.code).inc()
                raise
            GATEWAY_DECISIONS.labels(outcome="served").inc()
            return answer

        return checked

    return wrap
