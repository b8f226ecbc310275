"""Security incidents (C5.2, C5.5, C5.6) and who reaches them (scope.py)."""

from app.modules.incidents import scope  # noqa: F401  registers the jurisdiction clauses at start-up
