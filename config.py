"""Configuration read from the environment.

Three profiles: development (the embedded SQLite default), testing, production. Every threshold and period the
rules leave open (RULES.md "defaults") is a setting here, never a literal in code.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'essc.sqlite3'}")
    # The engine (app/core/database.py). Per process: gunicorn workers x threads share nothing, so size the pool to the
    # threads of one worker and keep processes x (DB_POOL_SIZE + DB_MAX_OVERFLOW) below what the server (or pgbouncer's
    # default_pool_size) allows. Behind pgbouncer in transaction mode: DB_PREPARE_THRESHOLD=none.
    DB_POOL_SIZE = _env_int("DB_POOL_SIZE", 5)
    DB_MAX_OVERFLOW = _env_int("DB_MAX_OVERFLOW", 5)
    DB_POOL_RECYCLE = _env_int("DB_POOL_RECYCLE", 1800)
    DB_POOL_TIMEOUT = float(os.environ.get("DB_POOL_TIMEOUT", 30))
    DB_POOL_CLASS = os.environ.get("DB_POOL_CLASS", "queue")  # queue (a pool per process) or null (the pooler's only)
    DB_CONNECT_TIMEOUT = _env_int("DB_CONNECT_TIMEOUT", 10)
    DB_APP_NAME = os.environ.get("DB_APP_NAME", "essc")
    DB_PREPARE_THRESHOLD = os.environ.get("DB_PREPARE_THRESHOLD", "")  # unset: psycopg's default (5); none: never
    DATABASE_ENGINE_OPTIONS = os.environ.get("DATABASE_ENGINE_OPTIONS", "")  # JSON, any create_engine option
    KEYS_DIR = os.environ.get("KEYS_DIR", str(BASE_DIR / "keys"))
    # Platform master key: a path to a 32-byte key file, or the key itself base64-encoded (production).
    MASTER_KEY_FILE = os.environ.get("MASTER_KEY_FILE", "")
    MASTER_KEY = os.environ.get("MASTER_KEY", "")
    # The audit-chain HMAC key (S4) and the document seal (S9): a file path, or the key base64-encoded.
    AUDIT_CHAIN_KEY_FILE = os.environ.get("AUDIT_CHAIN_KEY_FILE", "")
    AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "")
    DOCUMENT_SIGNING_KEY_FILE = os.environ.get("DOCUMENT_SIGNING_KEY_FILE", "")
    DOCUMENT_SIGNING_KEY = os.environ.get("DOCUMENT_SIGNING_KEY", "")
    CREATE_MASTER_KEY = False
    # Storage of every file (app/core/storage.py): a local folder per area by default (one host), or one bucket of an
    # S3-compatible object store shared by every host: STORAGE_URL=s3://bucket[/prefix], its endpoint (unset: AWS),
    # and credentials (unset: boto3's own chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a role, ~/.aws).
    STORAGE_URL = os.environ.get("STORAGE_URL", "")
    STORAGE_ENDPOINT_URL = os.environ.get("STORAGE_ENDPOINT_URL", "")
    STORAGE_REGION = os.environ.get("STORAGE_REGION", "")
    STORAGE_ADDRESSING_STYLE = os.environ.get("STORAGE_ADDRESSING_STYLE", "path")
    STORAGE_ACCESS_KEY_ID = os.environ.get("STORAGE_ACCESS_KEY_ID", "")
    STORAGE_SECRET_ACCESS_KEY = os.environ.get("STORAGE_SECRET_ACCESS_KEY", "")
    STORAGE_CA_BUNDLE = os.environ.get("STORAGE_CA_BUNDLE", "")
    STORAGE_SPOOL_FOLDER = os.environ.get("STORAGE_SPOOL_FOLDER", "")
    STORAGE_CONNECT_TIMEOUT = float(os.environ.get("STORAGE_CONNECT_TIMEOUT", 3))
    STORAGE_READ_TIMEOUT = float(os.environ.get("STORAGE_READ_TIMEOUT", 30))
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "var" / "uploads"))
    BACKUP_FOLDER = os.environ.get("BACKUP_FOLDER", str(BASE_DIR / "var" / "backups"))
    # pg_dump keeps session state: behind pgbouncer in transaction mode, dump from PostgreSQL itself.
    BACKUP_DATABASE_URL = os.environ.get("BACKUP_DATABASE_URL", "")
    MAX_UPLOAD_BYTES = _env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    UPLOAD_TYPES = ("pdf", "png", "jpeg", "docx", "xlsx", "pptx")
    # werkzeug's scrypt: N=2^15, r=8, p=1 (S11, slow KDF).
    # ASVS 6 strength: scrypt with N=2^17, r=8, p=1 (about 0.3 s and 128 MiB per hash on this machine).
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt:131072:8:1")
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOCKOUT_MINUTES = _env_int("LOCKOUT_MINUTES", 15)
    # Throttling (Flask-Limiter, app/web/throttle.py): limits in its notation ("N per M minutes"); counters in memory
    # (one process) or Redis (several processes or instances), e.g. RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0
    # Several instances share state through Redis (REDIS_URL, e.g. redis://127.0.0.1:6379/0): the gateway's nonces and,
    # unless RATELIMIT_STORAGE_URI names another store, the throttle's counters. Unset, the service runs on its
    # embedded defaults: nonces in the database, counters in memory.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    # Every Redis client waits at most this long to connect and for an answer (nonces, the throttle's counters): a
    # Redis that hangs never hangs a request. Nonces then fail closed (the gateway answers 503); the throttle counts
    # in this process's memory until Redis answers again (Flask-Limiter's in-memory fallback), and says so in the log.
    REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", 0.5))
    REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", 0.5))
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    }
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "essc"
    # Behind a reverse proxy (nginx, a load balancer) set how many proxies append X-Forwarded-For, so that lockout and
    # throttling count the client's address and not the proxy's (0: the service faces clients directly).
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    SIGN_IN_RATE_PER_ADDRESS = os.environ.get("SIGN_IN_RATE_PER_ADDRESS", "30 per minute")
    SIGN_IN_FAILURES_PER_ACCOUNT = os.environ.get("SIGN_IN_FAILURES_PER_ACCOUNT", "10 per 10 minutes")
    KNOWN_ADDRESS_DAYS = _env_int("KNOWN_ADDRESS_DAYS", 30)
    VERIFY_UPLOAD_RATE = os.environ.get("VERIFY_UPLOAD_RATE", "10 per minute")
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _env_int("SESSION_ABSOLUTE_HOURS", 8)
    REAUTH_MINUTES = _env_int("REAUTH_MINUTES", 5)
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "e-SSC channels")
    SESSION_COOKIE_NAME = "essc_session"
    AUDIT_RETENTION_DAYS = _env_int("AUDIT_RETENTION_DAYS", 180)
    KEY_ROTATION_OVERLAP_DAYS = _env_int("KEY_ROTATION_OVERLAP_DAYS", 7)
    GATEWAY_MAX_SKEW_SECONDS = _env_int("GATEWAY_MAX_SKEW_SECONDS", 300)
    # The gateway check (C2.1) keeps each worker's key, channel, grant and suspension decisions this long: a suspension,
    # revocation, service suspension or exit is refused on every instance at most this many seconds after it is
    # recorded. Last-use times of keys are gathered and written at most once per GATEWAY_LAST_USE_SECONDS.
    GATEWAY_CACHE_SECONDS = float(os.environ.get("GATEWAY_CACHE_SECONDS", 1))
    GATEWAY_LAST_USE_SECONDS = _env_int("GATEWAY_LAST_USE_SECONDS", 60)
    REPORT_EXPIRY_WARNING_DAYS = _env_int("REPORT_EXPIRY_WARNING_DAYS", 30)
    API_TOKEN_DAYS = _env_int("API_TOKEN_DAYS", 90)
    # C2.9 recordings: video uploads, streamed to storage, larger than other attachments.
    MAX_RECORDING_BYTES = _env_int("MAX_RECORDING_BYTES", 200 * 1024 * 1024)
    RECORDING_TYPES = ("mp4", "mov")
    # C4.11 agreement term and C4.12 notice period for a changed text.
    AGREEMENT_TERM_MONTHS = _env_int("AGREEMENT_TERM_MONTHS", 12)
    AGREEMENT_NOTICE_MONTHS = _env_int("AGREEMENT_NOTICE_MONTHS", 2)
    # S9: the address printed under the QR code of every issued document (the public verification page). Unset, it
    # follows the address the request came to (development); production refuses to start without it.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    REQUIRE_PUBLIC_BASE_URL = False
    # S1 delivery: SMTP and the SMS gateway; without them (development) copies are written to OUTBOX_FOLDER.
    MAIL_SMTP_HOST = os.environ.get("MAIL_SMTP_HOST", "")
    MAIL_SMTP_PORT = _env_int("MAIL_SMTP_PORT", 25)
    MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@essc.example.cn")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    OUTBOX_FOLDER = os.environ.get("OUTBOX_FOLDER", str(BASE_DIR / "var" / "outbox"))
    DELIVERY_MAX_ATTEMPTS = _env_int("DELIVERY_MAX_ATTEMPTS", 5)
    # C4.3: hours after publication before an unacknowledged platform notice is reminded; C4.4: minimum lead time
    NOTICE_REMINDER_HOURS = _env_int("NOTICE_REMINDER_HOURS", 24)
    MAINTENANCE_MIN_LEAD_HOURS = _env_int("MAINTENANCE_MIN_LEAD_HOURS", 0)
    # S13: the first answer to a work order is due within this many hours (shown as met / missed)
    WORK_ORDER_RESPONSE_HOURS = _env_int("WORK_ORDER_RESPONSE_HOURS", 24)
    # C4.9 / C4.10 monitoring rules (RULES.md defaults) and C3.6 reporting
    MONITORING_ISSUANCE_3M_MIN = _env_int("MONITORING_ISSUANCE_3M_MIN", 100)
    MONITORING_DROP_RATIO = float(os.environ.get("MONITORING_DROP_RATIO", "0.5"))
    MONITORING_DROP_MONTHS = _env_int("MONITORING_DROP_MONTHS", 3)
    MONITORING_MAU_RATIO = float(os.environ.get("MONITORING_MAU_RATIO", "0.03"))
    MONITORING_IMPROVEMENT_MONTHS = _env_int("MONITORING_IMPROVEMENT_MONTHS", 3)
    MONITORING_IMPROVEMENT_FACTOR = float(os.environ.get("MONITORING_IMPROVEMENT_FACTOR", "1.2"))
    MONITORING_SOCIAL_RATIO = float(os.environ.get("MONITORING_SOCIAL_RATIO", "0.5"))
    MONITORING_SOCIAL_QUARTERS = _env_int("MONITORING_SOCIAL_QUARTERS", 2)
    STATISTICS_DUE_DAY = _env_int("STATISTICS_DUE_DAY", 10)
    AGREEMENT_EXPIRY_WARNING_DAYS = _env_int("AGREEMENT_EXPIRY_WARNING_DAYS", 30)
    # C5.5 incidents: rectification deadline and observation period; C5.6 anomaly watch (refusals per window)
    RECTIFICATION_MONTHS = _env_int("RECTIFICATION_MONTHS", 1)
    OBSERVATION_MONTHS = _env_int("OBSERVATION_MONTHS", 6)
    ANOMALY_WINDOW_MINUTES = _env_int("ANOMALY_WINDOW_MINUTES", 10)
    ANOMALY_THRESHOLD = _env_int("ANOMALY_THRESHOLD", 20)
    # C6 exit: notice before a voluntary exit, transition, public announcement
    EXIT_NOTICE_MONTHS = _env_int("EXIT_NOTICE_MONTHS", 2)
    EXIT_TRANSITION_MONTHS = _env_int("EXIT_TRANSITION_MONTHS", 1)
    EXIT_ANNOUNCEMENT_DAYS = _env_int("EXIT_ANNOUNCEMENT_DAYS", 15)
    EXIT_GRACE_MONTHS = _env_int("EXIT_GRACE_MONTHS", 3)  # overdue report / open alert before a forced exit
    # Scheduled jobs (APScheduler 3): the monthly evaluation's cron fields, in SCHEDULER_TIMEZONE
    SCHEDULER_TIMEZONE = os.environ.get("SCHEDULER_TIMEZONE", "Asia/Shanghai")
    # The scheduler's lease (app/core/scheduler.py): renewed every HEARTBEAT seconds, taken over by a standby once it
    # has gone LEASE seconds unrenewed (a stopped leader is replaced within LEASE + HEARTBEAT seconds).
    SCHEDULER_LEASE_SECONDS = float(os.environ.get("SCHEDULER_LEASE_SECONDS", 15))
    SCHEDULER_HEARTBEAT_SECONDS = float(os.environ.get("SCHEDULER_HEARTBEAT_SECONDS", 3))
    EVALUATION_CRON = os.environ.get("EVALUATION_CRON", "0 2 5 * *")
    DAILY_CHECKS_CRON = os.environ.get("DAILY_CHECKS_CRON", "30 1 * * *")
    # C7.4: start only where a CJK font is installed (the forms would print empty boxes otherwise).
    REQUIRE_CJK_FONT = os.environ.get("REQUIRE_CJK_FONT", "1") != "0"
    # C2.2 eligibility defaults.
    SOCIAL_MIN_USERS = _env_int("SOCIAL_MIN_USERS", 1_000_000)
    MIN_OPERATING_MONTHS = _env_int("MIN_OPERATING_MONTHS", 12)
    DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "zh")
    # Metrics (app/core/metrics.py): /metrics answers only with `Authorization: Bearer METRICS_TOKEN` (unset: 404);
    # the scheduler and the delivery worker serve theirs on METRICS_ADDRESS:METRICS_PORT (unset port: not served).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_ADDRESS = os.environ.get("METRICS_ADDRESS", "127.0.0.1")
    METRICS_PORT = _env_int("METRICS_PORT", 0)
    METRICS_FAILURES_PER_ADDRESS = os.environ.get("METRICS_FAILURES_PER_ADDRESS", "10 per minute")
    # Logs (app/core/logs.py): JSON lines (production's default) or text, on standard error.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "1") != "0"  # one line per request
    PAGE_SIZE = _env_int("PAGE_SIZE", 25)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    JSON_AS_ASCII = False


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "0") != "0"  # the development server prints its own
    CREATE_MASTER_KEY = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    CREATE_MASTER_KEY = True
    WTF_CSRF_ENABLED = False
    # The suite signs in hundreds of times from 127.0.0.1; the throttle tests set their own limits.
    SIGN_IN_RATE_PER_ADDRESS = "10000 per minute"
    SIGN_IN_FAILURES_PER_ACCOUNT = "10000 per minute"
    VERIFY_UPLOAD_RATE = "10000 per minute"
    # Every gateway request reads the decisions again, so that a test sees a change at once; the bound itself is
    # tested with GATEWAY_CACHE_SECONDS=1 (tests/gateway/test_instances.py).
    GATEWAY_CACHE_SECONDS = 0


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    REQUIRE_PUBLIC_BASE_URL = True


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}
