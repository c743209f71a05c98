"""Every library the product's code imports is declared in pyproject.toml.

A library that is only there because another one requires it disappears the day that
one stops requiring it (tqdm was never declared: `search_rebuild` failed on a `make run`
install; idna came only through requests). This reads the imports of the product's
packages and checks each one's distribution against `[project].dependencies` and the
non-development extras.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

PACKAGES = ("cms", "federation", "search", "frontend", "notify")
# Imported only by developer tools, which say so when the tools are missing.
DEVELOPMENT_ONLY = {
    "ranx": "search/relevance.py, for `manage.py search_relevance` and the relevance test",
    "rank_bm25": "search/relevance.py, the BM25 baseline of `manage.py search_relevance`",
}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_imported_library_is_declared():
    base = Path(settings.BASE_DIR)
    project = tomllib.loads((base / "pyproject.toml").read_text())["project"]
    declared = {_name(requirement) for requirement in project["dependencies"]}
    declared |= {_name(requirement) for extra, requirements in
                 project["optional-dependencies"].items() if extra != "dev"
                 for requirement in requirements}
    distributions = packages_distributions()
    undeclared = {}
    for package in PACKAGES:
        for path in (base / package).rglob("*.py"):
            for name in _imports(path) - set(sys.stdlib_module_names) - {*PACKAGES, "tests"}:
                if name in DEVELOPMENT_ONLY:
                    continue
                found = {_name(distribution) for distribution in distributions.get(name, [])}
                if not found & declared:
                    undeclared.setdefault(name, []).append(str(path.relative_to(base)))
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
