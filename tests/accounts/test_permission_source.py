"""One source of permissions (issue 14 item 5): operations ask the permission table (`may`, `acts_for`,
`needs_second_factor` in app/core/permissions.py), not role names. Outside that module no code compares a user's role by
name — operations, pages and templates alike; selecting recipients by role in a query (`User.role == …`) is data, not
a permission, and asking whether an account holds a role at all (`user.role is None`) is not a role name."""

import ast
import re
from pathlib import Path

from app.core.permissions import ROLE_PERMISSIONS, P, acts_for, may, needs_second_factor
from app.modules.reviews.rules import STAGE_PERMISSION

APP = Path(__file__).resolve().parents[2] / "app"


def _role_names_compared(tree) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
            continue
        for side in (node.left, *node.comparators):
            if not (isinstance(side, ast.Attribute) and side.attr == "role"):
                continue
            if not (isinstance(side.value, ast.Name) and side.value.id == "User"):
                lines.append(node.lineno)
                break
    return lines


def role_checks() -> list[str]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "core" / "permissions.py":
            continue
        found += [f"{path.relative_to(APP)}:{line}" for line in _role_names_compared(ast.parse(path.read_text()))]
    return found


def test_operations_ask_the_permission_table_not_role_names():
    assert role_checks() == [], "ask the permission table (may / acts_for) instead of comparing role names"


def test_templates_ask_the_permission_table_not_role_names():
    found = [
        f"{path.relative_to(APP)}"
        for path in APP.rglob("*.html")
        if re.search(r"\brole\s*==|current_user\.role\s*(==|!=|in\b)", path.read_text())
    ]
    assert found == [], "use has_permission('resource:action') in templates"


def test_may_and_acts_for_follow_the_table(world):
    assert may(world.operator, P.key_issue) and not may(world.company_a, P.key_issue)
    assert may(world.company_a, P.exit_apply) and not may(None, P.exit_apply)
    assert acts_for(world.company_a, world.org_a.id) and not acts_for(world.company_a, world.org_b.id)
    assert not acts_for(world.operator, world.org_a.id)


def test_s11_every_staff_role_needs_a_second_factor(world):
    staff = (world.operator, world.admin, world.auditor, world.national, world.jinan, world.shandong)
    assert all(needs_second_factor(user) for user in staff)
    assert not needs_second_factor(world.company_a) and not needs_second_factor(None)


def test_c2_6_each_stage_is_decided_by_one_role():
    for stage, permission in STAGE_PERMISSION.items():
        holders = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
        assert len(holders) == 1, stage
