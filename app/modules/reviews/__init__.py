"""Reviews: the review chain of an application (C2.3–C2.10) and the reviewers' reach (scope.py)."""

from app.modules.reviews import progress, scope  # noqa: F401  register the progress part and the jurisdiction clauses
