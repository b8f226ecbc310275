"""Work orders (C4.6, S13) and who reaches them (scope.py)."""

from app.modules.work_orders import scope  # noqa: F401  registers the jurisdiction clauses at start-up
