"""Platform notices (C4.3) and channel notices (C4.4), and who reaches them (scope.py)."""

from app.modules.notices import scope  # noqa: F401  registers the jurisdiction clauses at start-up
