"""Imports run one way (issue 14, ../shared/STYLE.md "Layers and registries"): `core` ← the domains in the order of a
channel's life ← `web`. A lower unit never imports a higher one, not at the top of a module and not inside a function.

Between units there is therefore no cycle; where a lower unit must let a higher one act, it offers a registry or a
signal and the higher one connects to it.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# The order of a channel's life: who may be imported by whom. Each unit may import only the units before it.
LAYERS = (
    "core",  # app.core, app.extensions: enums, errors, audit, crypto, permissions, the request-handling base
    "regions",
    "accounts",
    "messaging",
    "channels",  # the channel, its lifecycle table, who reaches it, the panels of its page
    "applications",  # test intake: the application aggregate and its kinds
    "reviews",  # the review chain
    "documents",  # the appendix forms of the applications
    "key_issuance",  # numbers and test keys: integration testing starts
    "security_tests",  # the security report production intake needs (C5.3)
    "agreements",  # the cooperation agreement signed before go-live (C2.8)
    "production",  # production intake and go-live
    "changes",
    "gateway",
    "monitoring",
    "notices",
    "work_orders",
    "promotions",
    "incidents",
    "exits",
    "channel_import",  # existing channels brought in with their history (issue 16)
    "data_quality",  # S6: completeness, anomaly and duplicate rates of the register
    "audit_log",
    "backups",
    "demo",
    "web",  # app, app.models, app.web: create_app, blueprints, the OpenAPI document, route policy, home pages
)


def unit_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app":
        return None
    if len(parts) == 1 or parts[1] in ("web", "models", "__init__"):
        return "web"
    if parts[1] in ("core", "extensions"):
        return "core"
    return parts[2] if parts[1] == "modules" and len(parts) > 2 else "core"


def _module_name(path: Path) -> tuple[str, str]:
    """(module, package) of a file under app/."""
    module = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
    if path.name == "__init__.py":
        module = module.removesuffix(".__init__")
        return module, module
    return module, module.rsplit(".", 1)[0]


def _target(node: ast.ImportFrom | ast.Import, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        return [".".join(base + ([node.module] if node.module else []))]
    return [node.module or ""]


def imports():
    """Every import of an `app` module: (file, importing module, imported module, inside a function)."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        module, package = _module_name(path)
        stack = [(ast.parse(path.read_text()), False)]
        while stack:
            node, in_function = stack.pop()
            for child in ast.iter_child_nodes(node):
                nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                if isinstance(child, ast.Import | ast.ImportFrom):
                    for target in _target(child, package):
                        if target.startswith("app"):
                            found.append((path.relative_to(APP.parent).as_posix(), module, target, in_function))
                stack.append((child, nested))
    return found


def upward_imports() -> dict[tuple[str, str], list[str]]:
    rank = {name: i for i, name in enumerate(LAYERS)}
    edges: dict[tuple[str, str], list[str]] = {}
    for path, module, target, _ in imports():
        low, high = unit_of(module), unit_of(target)
        if low != high and rank[low] < rank[high]:
            edges.setdefault((low, high), []).append(f"{path} imports {target}")
    return edges


def test_every_unit_has_its_place_in_the_layers():
    units = {unit_of(module) for _, module, _, _ in imports()}
    assert units <= set(LAYERS)
    modules = {p.name for p in (APP / "modules").iterdir() if (p / "__init__.py").exists()}
    assert modules <= set(LAYERS)


def test_no_upward_import():
    """A lower unit never imports a higher one: it registers, and the higher one connects (README, Developers)."""
    assert upward_imports() == {}, "a lower unit imports a higher one; register instead (see README, Developers)"


def test_no_import_hides_inside_a_function():
    """An import inside a function hides a cycle from the reader (issue 14): every import of an `app` module stands at
    the top of its module, where the layering test sees it."""
    inside = [f"{path} imports {target}" for path, _, target, hidden in imports() if hidden]
    assert inside == [], "move these imports to the top of the module, or register instead"
