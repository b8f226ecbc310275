"""The store several instances share (REDIS_URL): one Redis client per process, or None on the embedded defaults."""

import redis
from flask import current_app


def shared_store() -> redis.Redis | None:
    """The Redis client of this app (created on first use, thread-safe, reconnecting), or None without REDIS_URL."""
    app = current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = app.extensions.get("essc_redis")
    if client is None:
        client = app.extensions["essc_redis"] = redis.Redis.from_url(
            url,
            socket_timeout=app.config["REDIS_SOCKET_TIMEOUT"],
            socket_connect_timeout=app.config["REDIS_CONNECT_TIMEOUT"],
            health_check_interval=30,
        )
    return client
