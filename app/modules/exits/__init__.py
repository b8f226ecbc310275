"""Channel exits (C6.1–C6.6) and who reaches them (scope.py)."""

from app.modules.exits import scope  # noqa: F401  registers the jurisdiction clauses at start-up
