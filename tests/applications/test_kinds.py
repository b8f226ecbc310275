"""Intake as kinds (issue 14 item 2): what differs between test intake, production intake and a change of scope is
registered by each kind's domain in `applications/kinds.py`; outside its own domain no code asks which kind an
application is. Selecting applications of a kind in a query (`Application.kind == …`) is data, not a branch."""

import ast
from pathlib import Path

from app.core.enums import ApplicationKind, ChannelCategory
from app.modules.applications.kinds import KINDS, kind_of

APP = Path(__file__).resolve().parents[2] / "app"
# The domain that implements each kind (key issuance is the test intake's operator step, C2.6).
OWNERS = {
    "test": {"applications", "key_issuance"},
    "production": {"production"},
    "change": {"changes"},
}


def _kind_branches(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Compare):
            continue
        sides = (node.left, *node.comparators)
        kinds = [s.attr for s in sides if isinstance(s, ast.Attribute) and ast.unparse(s.value) == "ApplicationKind"]
        in_query = any(ast.unparse(s) == "Application.kind" for s in sides)
        found += [(kind, node.lineno) for kind in kinds if not in_query]
    return found


def test_no_code_outside_a_kinds_domain_asks_for_that_kind():
    stray = []
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP).parts
        domain = parts[1] if parts[0] == "modules" else parts[0]
        for kind, line in _kind_branches(path):
            if domain not in OWNERS[kind]:
                stray.append(f"{path.relative_to(APP)}:{line} asks for {kind}")
    assert stray == [], "register a hook in applications/kinds.py instead of branching on the kind"


def test_every_kind_is_registered_with_its_forms(world):
    assert set(KINDS) == set(ApplicationKind)

    class Draft:
        kind, category = ApplicationKind.test, ChannelCategory.social

    assert kind_of(Draft).forms(Draft) == ["form1", "form2"]  # C7.1, C7.2
    Draft.category = ChannelCategory.bank
    assert kind_of(Draft).forms(Draft) == ["form1"]
    Draft.kind = ApplicationKind.production
    assert kind_of(Draft).forms(Draft) == ["form3"] and kind_of(Draft).edit_endpoint == "production.edit_production"
