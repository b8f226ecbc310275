"""Security incidents (C5.2, C5.5, C5.6), who reaches them (scope.py), and the anomaly watch on gateway refusals."""

from app.modules.incidents import anomaly, scope  # noqa: F401  register the refusal watch and the jurisdiction clauses
