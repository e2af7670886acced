"""The build: the only module that chains the stages, from site folder to output folder."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .content import CONTENT_DIR, read_content
from .errors import ErrorGroup, ProvarchiveError, TemplateError
from .graph import build_graph
from .markup import MarkdownRenderer
from .output import StagedOutput, build_lock, check_output_dir
from .plan import STATIC_DIR, PageSpec, check_collisions, plan_pages
from .render import PageRenderer, make_environment, template_dirs
from .search import build_search_index

CACHE_DIR = ".provarchive-cache"
"""The site's own cache folder (build lock, later incremental build data)."""


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked of one build."""

    site_dir: Path
    """The folder holding ``site.yaml``."""
    output_dir: Path | None = None
    """Where to write; None for the config's ``output`` inside the site folder."""
    drafts: bool = False
    """Build articles marked ``draft: true`` too."""
    force: bool = False
    """Replace an output folder that provarchive did not write."""


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did."""

    output_dir: Path
    """The folder now holding the site."""
    articles: int
    """Articles built."""
    pages: int
    """Pages written (HTML pages and redirects)."""
    files: int
    """Other files written (theme assets, images, the search index)."""
    seconds: float
    """Wall time of the build."""
    warnings: tuple[ProvarchiveError, ...]
    """Problems that did not stop the build."""


def build_site(options: BuildOptions) -> BuildReport:
    """Build the site in ``options.site_dir``; raise :class:`ErrorGroup` listing every mistake.

    On any error the previous output folder is left exactly as it was.
    """
    started = time.perf_counter()
    site_dir = options.site_dir
    config = load_config(site_dir)
    output_dir = options.output_dir or site_dir / config.output
    check_output_dir(site_dir, output_dir, force=options.force)

    with build_lock(site_dir / CACHE_DIR):
        tree = read_content(
            site_dir, config, MarkdownRenderer(config.markdown), include_drafts=options.drafts
        )
        if tree.errors:
            raise ErrorGroup(tree.errors)
        graph = build_graph(tree.columns, tree.articles)
        pages = plan_pages(graph, config)
        dirs = template_dirs(site_dir)
        assets = [(path, site_dir / CONTENT_DIR / path) for path in tree.assets]
        assets += static_files(dirs)
        generated = build_search_index(graph)
        check_collisions(
            pages,
            [(path, str(source)) for path, source in assets]
            + [(path, "the search index") for path in generated],
        )

        renderer = PageRenderer(make_environment(dirs), graph, config)
        staged = StagedOutput(output_dir)
        try:
            errors = _write_pages(staged, renderer, pages)
            if errors:
                raise ErrorGroup(errors)
            for path, source in assets:
                staged.copy(source, path)
            for path, data in generated.items():
                staged.write(path, data)
            staged.commit()
        except BaseException:
            staged.discard()
            raise
    return BuildReport(
        output_dir=output_dir,
        articles=len(graph.articles),
        pages=len(pages),
        files=len(assets) + len(generated),
        seconds=time.perf_counter() - started,
        warnings=tree.warnings,
    )


def _write_pages(
    staged: StagedOutput, renderer: PageRenderer, pages: list[PageSpec]
) -> list[ProvarchiveError]:
    """Render and write every page; return the template errors, each reported once."""
    errors: dict[tuple, ProvarchiveError] = {}
    for page in pages:
        try:
            staged.write(page.path, renderer.render(page))
        except TemplateError as exc:
            key = (exc.path, exc.line, exc.message.split(" (while rendering")[0])
            errors.setdefault(key, exc)
    return list(errors.values())


def static_files(dirs: list[Path]) -> list[tuple[str, Path]]:
    """Return the theme's static files as (site path, source), the site's own overriding."""
    found: dict[str, Path] = {}
    for folder in dirs:
        static = folder / STATIC_DIR
        if not static.is_dir():
            continue
        for source in sorted(static.rglob("*")):
            if source.is_file() and not source.name.startswith("."):
                site_path = f"{STATIC_DIR}/{source.relative_to(static).as_posix()}"
                found.setdefault(site_path, source)
    return sorted(found.items())
