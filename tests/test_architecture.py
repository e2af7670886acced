"""The module layout of docs/architecture.md, checked: no stage imports a later one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "provarchive"

# module -> the provarchive modules it may import (the table in docs/architecture.md)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "model": set(),
    "yamlfile": {"errors"},
    "urls": set(),
    "config": {"errors", "model", "urls", "yamlfile"},
    "frontmatter": {"errors", "yamlfile"},
    "markup": {"model", "urls"},
    "articles": {"config", "errors", "frontmatter", "markup", "model", "urls", "yamlfile"},
    "content": {"articles", "config", "errors", "markup", "model", "urls", "yamlfile"},
    "taxonomy": {"model", "urls"},
    "graph": {"model", "taxonomy", "urls"},
    "plan": {"errors", "graph", "model", "taxonomy", "urls"},
    "render": {"errors", "graph", "model", "plan", "taxonomy", "urls"},
    "output": {"errors"},
    "search_files": set(),
    "search": {"graph", "model", "search_files"},
    "cache": {"__init__", "content", "model"},
    "digest": {"model", "plan"},
    "parallel": set(),
    "reading": {"articles", "cache", "content", "errors", "markup", "model", "parallel"},
    "incremental": {"cache", "content", "digest", "graph", "model", "output", "reading"},
    "build": {
        "__init__",
        "articles",
        "cache",
        "config",
        "content",
        "digest",
        "errors",
        "graph",
        "incremental",
        "markup",
        "model",
        "output",
        "parallel",
        "plan",
        "reading",
        "render",
        "search",
    },
    "serve": {"build", "config", "content", "errors", "render"},
    "newarticle": {
        "articles",
        "config",
        "content",
        "errors",
        "markup",
        "model",
        "urls",
        "yamlfile",
    },
    "check": {
        "articles",
        "config",
        "content",
        "errors",
        "markup",
        "model",
        "urls",
        "graph",
        "plan",
        "taxonomy",
        "yamlfile",
    },
    "cli": {"__init__", "build", "check", "errors", "importer", "newarticle", "serve"},
    "__init__": set(),
    "__main__": {"cli"},
    "importer": {"errors", "model", "urls", "yamlfile", "frontmatter", "importer"},
}
# third-party packages each module may use; the rest use only the standard library
THIRD_PARTY: dict[str, set[str]] = {
    "serve": {"watchfiles"},
    "yamlfile": {"yaml"},
    "urls": {"pypinyin", "slugify"},
    "markup": {"markdown_it"},
    "render": {"jinja2", "markupsafe"},
    "importer": {"charset_normalizer", "selectolax", "yaml"},
}
KNOWN_THIRD_PARTY = {
    "yaml",
    "pypinyin",
    "slugify",
    "markdown_it",
    "jinja2",
    "markupsafe",
    "charset_normalizer",
    "selectolax",
    "watchfiles",
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """Return (provarchive modules, third-party top-level packages) imported by ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own: set[str] = set()
    third: set[str] = set()
    in_importer = path.parent.name == "importer"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = (node.module or "").split(".")[0]
                if node.level == 1 and in_importer:
                    own.add("importer")
                elif base:
                    own.add(base)
                else:  # "from . import x": x is a module or a name of the package
                    for alias in node.names:
                        is_module = (PACKAGE / f"{alias.name}.py").exists() or (
                            PACKAGE / alias.name
                        ).is_dir()
                        own.add(alias.name if is_module else "__init__")
            elif node.module:
                top = node.module.split(".")[0]
                if top == "provarchive":
                    own.add(node.module.split(".")[1])
                elif top in KNOWN_THIRD_PARTY:
                    third.add(top)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in KNOWN_THIRD_PARTY:
                    third.add(top)
    return own, third


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_module_imports_follow_the_layers(path):
    name = module_name(path)
    assert name in ALLOWED, f"{name} is not in the architecture table; add it there and here"
    own, third = imports_of(path)
    assert own <= ALLOWED[name], f"{name} imports {sorted(own - ALLOWED[name])}"
    assert third <= THIRD_PARTY.get(name, set()), f"{name} uses {sorted(third)}"


def test_no_module_is_a_god_module():
    for path in SOURCES:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines < 600, f"{path.name} has {lines} lines; split it by what it owns"
