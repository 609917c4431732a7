"""The imports of models, checks and service: no cycles, the layers one way, and a reason for every lazy one.

Every import statement counts, at module level or inside a function (a lazy import may save start-up time,
never hide a cycle); only imports under `if TYPE_CHECKING:` are left out, since they never run.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "checks", "service")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that `name` imports (a name imported from a package counts as its submodule when
    there is one, else as the package)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking_only(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], *filter(None, [base])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in modules and m != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := walk(start)):
            return cycle
    return None


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_layers_import_one_way() -> None:
    """models import neither checks nor service; checks do not import service."""
    graph = import_graph()
    wrong = sorted(f"{a} -> {b}" for a, deps in graph.items() for b in deps
                   if (a.startswith("models") and b.startswith(("checks", "service")))
                   or (a.startswith("checks") and b.startswith("service")))
    assert not wrong, wrong


def test_the_walker_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def unexplained_lazy_imports(path: Path) -> list[int]:
    """Lines of import blocks inside functions with no comment saying why (on the block or the line before)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    starts: list[tuple[int, int]] = []
    for fn in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            starts += [(n.lineno, n.end_lineno or n.lineno) for n in ast.walk(fn)
                       if isinstance(n, (ast.Import, ast.ImportFrom))]
    blocks: list[list[int]] = []
    for start, end in sorted(set(starts)):
        if blocks and start == blocks[-1][1] + 1:
            blocks[-1][1] = end
        else:
            blocks.append([start, end])
    return [start for start, end in blocks
            if not any("#" in line for line in lines[start - 1:end]) and not lines[start - 2].strip().startswith("#")]


def test_every_import_inside_a_function_says_why() -> None:
    """An import inside a function saves start-up time or waits for something; a comment says which (a reader
    must not have to guess whether it hides a cycle). Otherwise it belongs at the top of the module."""
    found = [f"{path.relative_to(ROOT)}:{line}" for path in project_modules().values()
             for line in unexplained_lazy_imports(path)]
    assert not found, found
