"""One source of permissions (issue 14 item 5): operations ask the permission table (`may`, `acts_for` in
app/core/permissions.py), not role names. The role comparisons left in operations are counted per module and may only
go down; selecting recipients by role in a query (`User.role == …`) is data, not a permission, and is not counted."""

import ast
from pathlib import Path

MODULES = Path(__file__).resolve().parents[2] / "app" / "modules"

# Still comparing a user's role by name, to be replaced by a permission or a registered scope (issue 14).
LEFT = {
    "accounts": 4,
    "key_issuance": 2,
    "notices": 1,
    "promotions": 3,
    "reviews": 1,
    "work_orders": 3,
}


def _role_checks(tree) -> int:
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for side in sides:
                if isinstance(side, ast.Attribute) and side.attr == "role":
                    owner = side.value
                    if not (isinstance(owner, ast.Name) and owner.id == "User"):
                        count += 1
                        break
    return count


def role_checks() -> dict[str, int]:
    found = {}
    for path in sorted(MODULES.glob("*/operations.py")):
        n = _role_checks(ast.parse(path.read_text()))
        if n:
            found[path.parent.name] = n
    return found


def test_operations_compare_no_more_role_names_than_before():
    found = role_checks()
    grown = {m: n for m, n in found.items() if n > LEFT.get(m, 0)}
    assert grown == {}, "ask the permission table (may / acts_for) instead of comparing role names"


def test_the_count_follows_the_work_down():
    assert role_checks() == {m: n for m, n in LEFT.items() if n}, "fewer role comparisons: lower LEFT to match"


def test_may_and_acts_for_follow_the_table(world):
    from app.core.permissions import P, acts_for, may

    assert may(world.operator, P.key_issue) and not may(world.company_a, P.key_issue)
    assert may(world.company_a, P.exit_apply) and not may(None, P.exit_apply)
    assert acts_for(world.company_a, world.org_a.id) and not acts_for(world.company_a, world.org_b.id)
    assert not acts_for(world.operator, world.org_a.id)
