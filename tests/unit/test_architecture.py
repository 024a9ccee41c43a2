"""Dependencies point inward: the domain imports nothing of the project outside itself and no
I/O library; the service layer imports the domain only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "deconflict"
DOMAIN_MAY_IMPORT = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "hashlib",
    "hmac",
    "json",
    "math",
    "re",
    "typing",
    "shapely",
    "pyproj",
    "numpy",
}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) for every import in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


@pytest.mark.parametrize("path", sorted((SRC / "domain").glob("*.py")), ids=lambda p: p.name)
def test_the_domain_is_pure(path: Path) -> None:
    for level, module in _imports(path):
        if level == 0:
            assert module.split(".")[0] in DOMAIN_MAY_IMPORT, f"{path.name} imports {module}"
        else:
            assert level == 1, f"{path.name} reaches outside the domain ({'.' * level}{module})"


@pytest.mark.parametrize("path", sorted((SRC / "service").glob("*.py")), ids=lambda p: p.name)
def test_the_service_layer_depends_on_the_domain_only(path: Path) -> None:
    for level, module in _imports(path):
        if level == 2:
            assert module.startswith("domain"), f"{path.name} imports ..{module}"
        assert not module.startswith(
            ("deconflict.adapters", "sqlalchemy", "rtree", "click", "yaml")
        )
