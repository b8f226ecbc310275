"""Channels: the channel record, its lifecycle (lifecycle.py) and who reaches it (scope.py)."""

from app.modules.channels import operations, scope  # noqa: F401  registers the jurisdiction clauses and C1.2 receiver
