"""The error responses of each API operation, read from the code (issue 16 item 5): which domain errors the view and
the functions it calls can raise or return, with their status and code, so the OpenAPI document lists them per
operation instead of a bare `default`.

The reading is static: starting from the view function, every call of a function defined in an `app` module (by its
name, or through a module imported under a name) is followed to a bounded depth, and every construction of a
`DomainError` class found on the way is collected — its `code=` keyword when it is a plain string, else the class's
code. What cannot be read that way (a code computed at run time) is documented by its class's code.
"""

import ast
import importlib
import inspect
from functools import cache

from app.core.errors import DomainError

DEPTH = 5


def _error_classes() -> dict[str, type]:
    found, stack = {}, [DomainError]
    while stack:
        cls = stack.pop()
        found[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return found


@cache
def _module(name: str):
    """(tree, {function name: node}, {alias: module name}, {name: module of origin}) of an app module."""
    module = importlib.import_module(name)
    tree = ast.parse(inspect.getsource(module))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    aliases, origins = {}, {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if _is_module(full):
                    aliases[alias.asname or alias.name] = full
                else:
                    origins[alias.asname or alias.name] = node.module
    return functions, aliases, origins


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _codes_in(node, classes: dict) -> set[tuple[int, str]]:
    codes = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
        if name not in classes:
            continue
        cls = classes[name]
        code = next(
            (k.value.value for k in call.keywords if k.arg == "code" and isinstance(k.value, ast.Constant)),
            cls.code,
        )
        status = next(
            (k.value.value for k in call.keywords if k.arg == "status" and isinstance(k.value, ast.Constant)),
            cls.status,
        )
        if isinstance(status, int):
            codes.add((status, str(code)))
    return codes


def _callees(node, module: str) -> set[tuple[str, str]]:
    functions, aliases, origins = _module(module)
    found = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Name):
            if func.id in functions:
                found.add((module, func.id))
            elif func.id in origins:
                found.add((origins[func.id], func.id))
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in aliases:
            found.add((aliases[func.value.id], func.attr))
    return found


def _function(module: str, name: str, hops: int = 3):
    """The definition of `name` as `module` sees it, following re-exports (`from … import name`)."""
    functions, _aliases, origins = _module(module)
    if name in functions:
        return functions[name], module
    if name in origins and hops:
        return _function(origins[name], name, hops - 1)
    return None, module


def operation_errors(view) -> dict[int, set[str]]:
    """{status: codes} of the domain errors `view` can answer with."""
    classes = _error_classes()
    view = inspect.unwrap(view)
    start = (view.__module__, view.__name__)
    seen, frontier, codes = {start}, [start], set()
    for _level in range(DEPTH):
        following = []
        for module, name in frontier:
            try:
                node, module = _function(module, name)
            except (ImportError, OSError, TypeError):
                continue
            if node is None:
                continue
            codes |= _codes_in(node, classes)
            for callee in _callees(node, module) - seen:
                seen.add(callee)
                following.append(callee)
        frontier = following
    by_status: dict[int, set[str]] = {}
    for status, code in codes:
        by_status.setdefault(status, set()).add(code)
    return by_status
