"""The module layout of docs/architecture.md, checked: no stage imports a later one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "provarchive"

# module -> the provarchive modules it may import (the table in docs/architecture.md)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "faults": {"errors"},
    "model": set(),
    "codec": set(),
    "yamlfile": {"errors"},
    "urls": set(),
    "config": {"errors", "model", "urls", "yamlfile"},
    "frontmatter": {"errors", "yamlfile"},
    "markup": {"model", "urls"},
    "articles": {
        "attachments",
        "config",
        "errors",
        "frontmatter",
        "images",
        "markup",
        "model",
        "urls",
        "yamlfile",
    },
    "content": {"articles", "config", "errors", "markup", "model", "urls", "walk", "yamlfile"},
    "taxonomy": {"model", "urls"},
    "graph": {"model", "taxonomy", "urls"},
    "pages": {"urls"},
    "plan": {"errors", "featured", "graph", "machineplan", "model", "pages", "taxonomy", "urls"},
    "machineplan": {"errors", "graph", "model", "pages"},
    "contexts": {"graph", "model", "pages", "taxonomy", "topics", "urls"},
    "render": {
        "attachments",
        "contexts",
        "errors",
        "graph",
        "images",
        "media",
        "model",
        "pages",
        "taxonomy",
        "urls",
    },
    "removal": {"errors", "faults"},
    "output": {"errors", "faults", "removal"},
    "search_files": set(),
    "search_postings": set(),
    "search_docs": {"graph", "model"},
    "search": {"model", "search_docs", "search_files", "search_postings"},
    "pageplan": {"codec", "pages"},
    "records": {"codec", "model"},
    "cachefiles": {"errors", "faults"},
    "bodystore": {"cachefiles", "faults"},
    "cache": {
        "__init__",
        "cachefiles",
        "codec",
        "errors",
        "graph",
        "model",
        "pageplan",
        "records",
        "search",
        "search_docs",
    },
    "digest": {"codec", "model", "pages"},
    "fingerprints": {"digest", "graph", "media", "pageplan", "pages"},
    "pagewriter": {
        "digest",
        "errors",
        "fingerprints",
        "model",
        "output",
        "pages",
        "reading",
        "render",
    },
    "parallel": set(),
    "ahead": {"parallel"},
    "speller": {"ahead", "cachefiles", "urls"},
    "walk": {"errors", "model"},
    "heap": set(),
    "reading": {
        "__init__",
        "articles",
        "bodystore",
        "cache",
        "content",
        "errors",
        "extras",
        "markup",
        "model",
        "parallel",
        "records",
        "walk",
    },
    "inputs": {"__init__", "config", "content", "model", "plan", "render", "topics", "walk"},
    "incremental": {
        "cache",
        "cachefiles",
        "content",
        "digest",
        "errors",
        "fingerprints",
        "graph",
        "inputs",
        "media",
        "model",
        "output",
        "pageplan",
        "pages",
        "parallel",
        "plan",
        "reading",
        "records",
        "search",
        "search_docs",
        "taxonomy",
        "topicplan",
        "urls",
    },
    "preload": {"cache", "incremental", "model", "output", "reading", "records", "walk"},
    "renderorder": {"graph", "pages"},
    "writing": {
        "cache",
        "codec",
        "errors",
        "faults",
        "fingerprints",
        "heap",
        "incremental",
        "inputs",
        "output",
        "pagewriter",
        "pages",
        "parallel",
        "reading",
        "render",
        "renderorder",
        "search",
        "search_docs",
        "walk",
    },
    "build": {
        "__init__",
        "ahead",
        "bodystore",
        "cache",
        "cachefiles",
        "config",
        "content",
        "digest",
        "errors",
        "extras",
        "graph",
        "incremental",
        "inputs",
        "machineplan",
        "model",
        "output",
        "parallel",
        "plan",
        "preload",
        "reading",
        "removal",
        "render",
        "search",
        "speller",
        "writing",
        "walk",
    },
    "serve": {
        "ahead",
        "build",
        "config",
        "content",
        "errors",
        "faults",
        "parallel",
        "preload",
        "render",
        "topics",
        "walk",
    },
    "newarticle": {
        "articles",
        "config",
        "content",
        "errors",
        "faults",
        "markup",
        "model",
        "urls",
        "yamlfile",
        "walk",
    },
    "checkbodies": {"bodystore", "cache", "content", "errors", "model", "reading"},
    "check": {
        "ahead",
        "bodystore",
        "cache",
        "cachefiles",
        "checkbodies",
        "config",
        "content",
        "errors",
        "graph",
        "model",
        "pages",
        "parallel",
        "plan",
        "reading",
        "records",
        "urls",
        "walk",
    },
    "cli": {
        "__init__",
        "ahead",
        "build",
        "check",
        "errors",
        "faults",
        "importer",
        "newarticle",
        "parallel",
        "serve",
        "speller",
        "walk",
    },
    "__init__": set(),
    "__main__": {"cli"},
    "importer": {
        "attachments",
        "config",
        "content",
        "errors",
        "faults",
        "frontmatter",
        "importer",
        "model",
        "parallel",
        "urls",
        "yamlfile",
    },
    "attachments": set(),
    "images": set(),
    "media": {"articles", "attachments", "errors", "images", "model", "parallel"},
    "topics": {"config", "errors", "images", "model", "urls", "yamlfile"},
    "extras": {"content", "errors", "media", "model", "parallel", "records", "topics"},
    "featured": {"model"},
    "topicplan": {"graph", "machineplan", "model", "pages", "plan", "topics", "urls"},
}
# third-party packages each module may use; the rest use only the standard library
THIRD_PARTY: dict[str, set[str]] = {
    "images": {"PIL", "markupsafe"},
    "importer": {"charset_normalizer", "selectolax", "yaml"},
    "urls": {"pypinyin", "slugify"},
    "render": {"jinja2", "markupsafe"},
    "serve": {"watchfiles"},
    "markup": {"markdown_it"},
    "yamlfile": {"yaml"},
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
    "PIL",
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


def test_no_function_is_longer_than_a_screen():
    """A function reads at once: at most 80 lines."""
    long = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > 80:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({lines})")
    assert long == []


def test_the_build_reads_as_its_stages():
    """build.py chains the stages and nothing else: under 300 lines, _build in one screen."""
    source = (PACKAGE / "build.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) < 300
    build = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == "_build"
    )
    assert build.end_lineno - build.lineno < 70


def test_the_importer_reads_without_writing():
    """importer/read never imports importer/write (writing uses reading, not back)."""
    for path in sorted((PACKAGE / "importer" / "read").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "importer.write" not in source, f"{path.name} imports the writing half"
