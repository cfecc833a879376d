"""What each Python file of the repository imports, read with `ast` (nothing is executed).

Every `import` and `from … import` is found, at module level and inside functions alike; an import
inside a function is *lazy*: it runs when the function is called, not when the module is imported.
Relative imports are resolved against the file's package, and `from package import submodule`
names the submodule, so the rules can speak of packages.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STDLIB = frozenset(sys.stdlib_module_names)
# Folders whose .py files are imported by bare name: the repository root, and tests/ and
# benchmarks/, which pytest's pythonpath and the benchmark scripts put on sys.path.
IMPORT_ROOTS = (REPO_ROOT, REPO_ROOT / "tests", REPO_ROOT / "benchmarks")


@dataclass(frozen=True)
class Import:
    """One imported module, where it is imported and whether the import waits for a call."""

    file: str  # relative to the repository root, with forward slashes
    line: int
    module: str  # absolute dotted name: "xentui.kit.format", "torch", "sklearn.metrics"
    lazy: bool  # inside a function body

    @property
    def top(self) -> str:
        return self.module.split(".")[0]

    def __str__(self) -> str:
        where = " inside a function" if self.lazy else ""
        return f"{self.file}:{self.line} imports {self.module}{where}"


def python_files(*paths: str) -> list[Path]:
    """The .py files under the given repository paths (files or folders), sorted."""
    found: list[Path] = []
    for relative in paths:
        path = REPO_ROOT / relative
        found.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return [p for p in found if "__pycache__" not in p.parts]


def relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def module_name(path: Path) -> str:
    """The dotted name a file is imported under from the repository root."""
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_repository_module(dotted: str) -> bool:
    path = REPO_ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The module a `from` import reads, with a relative import resolved against `path`."""
    if node.level == 0:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


class _Reader(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.depth = 0  # how many function bodies enclose the current node
        self.found: list[Import] = []

    def _add(self, node: ast.stmt, module: str) -> None:
        self.found.append(Import(relative(self.path), node.lineno, module, self.depth > 0))

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = _absolute(self.path, node)
        if module == "__future__":
            return
        for alias in node.names:
            submodule = f"{module}.{alias.name}"
            self._add(node, submodule if _is_repository_module(submodule) else module)


def imports_in(source: str, path: Path) -> list[Import]:
    """Every import in `source`, read as the file at `path`, in the order of the source."""
    reader = _Reader(path)
    reader.visit(ast.parse(source, filename=str(path)))
    return reader.found


def imports_of(path: Path) -> list[Import]:
    """Every import in one file, in the order of the source."""
    return imports_in(path.read_text(encoding="utf-8"), path)


def local_names() -> frozenset[str]:
    """Top-level names that are the repository's own: its packages, scripts and test helpers."""
    names = set()
    for root in IMPORT_ROOTS:
        names.update(p.stem for p in root.glob("*.py"))
        names.update(p.parent.name for p in root.glob("*/*.py"))
    return frozenset(names)


def third_party(imports: list[Import]) -> list[Import]:
    """The imports of modules that are neither the standard library's nor the repository's."""
    own = local_names()
    return [i for i in imports if i.top not in STDLIB and i.top not in own]
