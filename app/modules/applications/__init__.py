"""Applications: the intake aggregate, its rows and rounds, and who reaches it (scope.py)."""

from app.modules.applications import scope  # noqa: F401  registers the jurisdiction clauses at start-up
