"""Promotions (C4.5) and who reaches them (scope.py)."""

from app.modules.promotions import scope  # noqa: F401  registers the jurisdiction clauses at start-up
