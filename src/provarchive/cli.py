"""The command line: parse arguments, run a command, print ``path:line: error: ...``.

Exit status: 0 success, 1 content or config errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import __version__
from .ahead import Ahead
from .errors import ErrorGroup, ProvarchiveError, counted, display_path
from .faults import fault
from .parallel import default_jobs

if TYPE_CHECKING:
    from .build import BuildReport
    from .speller import SpellerProcess
    from .walk import ContentScan

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``provarchive`` command."""
    parser = argparse.ArgumentParser(
        prog="provarchive",
        description="Build static news archives from Markdown articles, "
        "and import pages scraped from legacy CMS sites.",
    )
    parser.add_argument("--version", action="version", version=f"provarchive {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    _add_build(commands)
    _add_parse(commands)
    _add_import(commands)
    _add_serve(commands)
    _add_new(commands)
    _add_check(commands)
    return parser


def _add_new(commands: argparse._SubParsersAction) -> None:
    """The ``new`` command."""
    parser = commands.add_parser(
        "new",
        help="start a new article in a column",
        description="Create an article file in a column folder with its front matter filled "
        "in (title and date) and the other fields left empty for you to fill in. The article "
        "starts as a draft: set 'draft: false' in it to publish it. An existing file is never "
        "overwritten. Prints the path of the new file.",
    )
    parser.add_argument("title", metavar="TITLE", help="the article's headline (主题)")
    parser.add_argument(
        "--column",
        required=True,
        metavar="PATH",
        help="the column folder under content/ to put the article in, e.g. zhxx/yywl; "
        "it must hold a _column.yaml",
    )
    parser.add_argument(
        "--site", default=".", metavar="SITE", help="site folder (default: the current folder)"
    )
    parser.add_argument(
        "--date",
        metavar="DATE",
        help="publication date, 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM' "
        "(default: now, in the site's time zone)",
    )
    parser.add_argument(
        "--slug",
        metavar="NAME",
        help="file name without .md, also the page's name in its URL "
        "(default: t, the date and the day's next number, e.g. t20240508_001)",
    )
    parser.set_defaults(run=_run_new)


def _add_check(commands: argparse._SubParsersAction) -> None:
    """The ``check`` command."""
    parser = commands.add_parser(
        "check",
        help="check the site's content and report every problem",
        description="Read the site as a build does (drafts included) and report, one line "
        "each, every error a build would refuse and every warning worth fixing: articles "
        "without 来源 (source), folders without _column.yaml, two articles with the same "
        "title on the same day, links and images that lead nowhere, links to drafts, aliases "
        "that collide, empty summaries. Writes nothing. Exit status 1 when there are errors "
        "(with --strict: errors or warnings), else 0.",
    )
    _site_argument(parser)
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 for warnings too (for CI)"
    )
    parser.set_defaults(run=_run_check)


def _site_argument(parser: argparse.ArgumentParser) -> None:
    """The optional SITE argument of a command that works on a whole site."""
    parser.add_argument(
        "site",
        nargs="?",
        default=".",
        metavar="SITE",
        help="site folder (default: the current folder)",
    )


def _add_build(commands: argparse._SubParsersAction) -> None:
    """The ``build`` command."""
    build = commands.add_parser(
        "build",
        help="build the site into its output folder",
        description="Build the site in SITE (the folder holding site.yaml) into its output "
        "folder. The previous output is replaced only when the whole build succeeded.",
    )
    _site_argument(build)
    build.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output folder (default: 'output' in site.yaml, normally public/)",
    )
    build.add_argument("--drafts", action="store_true", help="also build articles with draft: true")
    build.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder that provarchive did not write",
    )
    build.add_argument(
        "--keep-going",
        action="store_true",
        help="build everything that has no error, list what was left out, and exit with status 1",
    )
    build.add_argument(
        "--allow-empty",
        action="store_true",
        help="publish a site without articles over one that has some",
    )
    build.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        metavar="N",
        help="worker processes (default: the number of CPUs)",
    )
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="ignore the build cache and build everything from scratch",
    )
    build.add_argument(
        "--timings", action="store_true", help="print the seconds spent in each stage of the build"
    )
    build.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    build.set_defaults(run=_run_build)


def _add_parse(commands: argparse._SubParsersAction) -> None:
    """The ``parse`` command."""
    parse = commands.add_parser(
        "parse",
        help="parse scraped pages and print what was found",
        description="Parse pages saved from a legacy site (text or HTML; UTF-8, GB18030 or "
        "Big5) and print the article found in each.",
    )
    parse.add_argument(
        "files", nargs="+", metavar="FILE_OR_DIR", help="saved pages, or folders of them"
    )
    parse.add_argument(
        "--json", action="store_true", help="print one JSON object per page (JSON Lines)"
    )
    parse.set_defaults(run=_run_parse)


def _add_import(commands: argparse._SubParsersAction) -> None:
    """The ``import`` command."""
    imports = commands.add_parser(
        "import",
        help="turn scraped pages into Markdown articles in content/",
        description="Parse pages saved from a legacy site and write them as articles into the "
        "site's content/ folder: column folders from the breadcrumb, file names from the date, "
        "front matter with every field found. Importing a page again updates its article; an "
        "article edited since it was imported is never overwritten without --force. Nothing is "
        "written when any page cannot be imported (unless --keep-going).",
    )
    imports.add_argument(
        "sources", nargs="+", metavar="FILE_OR_DIR", help="saved pages, or folders of them"
    )
    imports.add_argument(
        "--site", default=".", metavar="SITE", help="site folder (default: the current folder)"
    )
    imports.add_argument(
        "--column", metavar="PATH", help="put every article in this column folder (e.g. zhxx/yywl)"
    )
    imports.add_argument(
        "--url", metavar="URL", help="the page's address on the legacy site (for one page)"
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="print what would be written, write nothing"
    )
    imports.add_argument(
        "--force", action="store_true", help="replace articles edited since they were imported"
    )
    imports.add_argument(
        "--keep-going",
        action="store_true",
        help="import the pages that can be imported, report the others",
    )
    imports.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        metavar="N",
        help="processes that read the pages (default: the number of CPUs)",
    )
    imports.add_argument(
        "--keep-punctuation",
        action="store_true",
        help="keep ASCII punctuation a crawl folded from Chinese full-width marks "
        "(by default ',:;()!?' next to Han characters become '，：；（）！？')",
    )
    imports.add_argument(
        "--review-below",
        type=_share,
        default=None,
        metavar="C",
        help="list the fields whose confidence (0 to 1) is below C for review, on the terminal "
        "and in SITE/import-report.csv (default: 0.5)",
    )
    imports.set_defaults(run=_run_import)


def _add_serve(commands: argparse._SubParsersAction) -> None:
    """The ``serve`` command."""
    serve = commands.add_parser(
        "serve",
        help="serve the site while you edit, rebuilding and reloading pages on every save",
        description="Build the site, serve it at http://HOST:PORT under its base_url path, "
        "watch content/, templates/ and site.yaml, rebuild what changed on every save and "
        "reload open pages. A content error does not stop the server: it is printed here and "
        "shown over the page until fixed. The site is built into .provarchive-cache/serve/, "
        "never into the output folder you publish. Ctrl-C stops the server.",
    )
    _site_argument(serve)
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    serve.add_argument("--drafts", action="store_true", help="also show articles with draft: true")
    serve.set_defaults(run=_run_serve)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except ProvarchiveError as exc:
        print_errors(exc)
        return EXIT_ERRORS
    except OSError as exc:  # a refusal of the machine that no command worded: still one line
        print(fault(exc, exc.filename or ".", f"running {args.command}"), file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """The ``provarchive`` command: :func:`main`, then end the process at once.

    A build leaves millions of objects behind, and freeing them one by one at exit
    took a tenth of a second at 20,000 articles; every file is closed by then, so the
    process ends without that, once its output is flushed.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def print_errors(exc: ProvarchiveError) -> None:
    """Print every error in ``exc`` on its own line to stderr, then a count when several."""
    errors = list(exc) if isinstance(exc, ErrorGroup) else [exc]
    for error in errors:
        print(error, file=sys.stderr)
    if len(errors) > 1:
        print(f"{counted(len(errors), 'error')}; nothing was written", file=sys.stderr)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def _run_build(args: argparse.Namespace) -> int:
    """A build, with the processes that begin before the build's modules are imported:
    the walk of ``content/``, and the speller when the build will read no cache."""
    site, jobs = Path(args.site), args.jobs or default_jobs()
    with Ahead(partial(_walk_content, site), jobs) as walked:
        from .speller import started_speller

        with started_speller(site, not args.no_cache, jobs) as spelling:
            return _build_and_tell(args, walked, spelling)


def _walk_content(site: Path) -> ContentScan:
    """Walk the site's ``content/``: a build's first task, begun by :func:`_run_build`
    before the build's modules are imported (0.13 s), in a process of its own."""
    from .walk import scan_content

    return scan_content(site)


def _build_and_tell(
    args: argparse.Namespace, walked: Ahead[ContentScan], spelling: SpellerProcess | None
) -> int:
    """Build as ``args`` ask, ``walked`` being the walk of content/ and ``spelling`` the
    speller started (see :mod:`provarchive.speller`); print what happened."""
    from .build import BuildOptions, build_site

    site = Path(args.site)
    options = BuildOptions(
        site_dir=site,
        output_dir=Path(args.output) if args.output else None,
        drafts=args.drafts,
        force=args.force,
        keep_going=args.keep_going,
        allow_empty=args.allow_empty,
        jobs=args.jobs,
        use_cache=not args.no_cache,
        progress=None if args.quiet or not sys.stderr.isatty() else ProgressBar(sys.stderr),
    )
    collecting = gc.isenabled()
    # off, so that the build does not collect its garbage as it ends (25-30 ms at 20,000
    # articles): the command's process ends with it (see run)
    gc.disable()
    try:
        report = build_site(options, walked, spelling=spelling)
    finally:
        if collecting:
            gc.enable()
        if isinstance(options.progress, ProgressBar):
            options.progress.clear()
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if report.errors:
        for error in report.errors:
            print(error, file=sys.stderr)
        left_out = counted(len(report.skipped), "file or page", "files or pages")
        print(f"{left_out} left out:", file=sys.stderr)
        for skipped in report.skipped:
            print(f"  {skipped}", file=sys.stderr)
    if not args.quiet and report.removed_articles:
        print(f"{counted(report.removed_articles, 'article')} removed since the last build")
    if not args.quiet:
        for note in report.notes:
            print(note, file=sys.stderr)
        print(summary_line(report))
    if args.timings:
        for stage, seconds in report.timings:
            print(f"  {stage:<26}{seconds:9.4f} s")  # stages of a few ms: tenths shown
    return EXIT_ERRORS if report.errors else EXIT_OK


def _run_new(args: argparse.Namespace) -> int:
    """Create the article file and print where it is."""
    from .newarticle import create_article

    path = create_article(Path(args.site), args.title, args.column, date=args.date, slug=args.slug)
    print(f"created {display_path(path)} as a draft; set draft: false to publish it")
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    """Print the report; return 1 when there are errors (with --strict: or warnings)."""
    from .check import check_site

    collecting = gc.isenabled()
    gc.disable()  # not collected as the check ends: the command's process ends with it
    try:
        report = check_site(Path(args.site))
    finally:
        if collecting:
            gc.enable()
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return report.exit_status(args.strict)


class ProgressBar:
    """A one-line progress bar on a terminal, shown only once a build (or an import)
    has run a second."""

    def __init__(self, stream: TextIO, delay: float = 1.0):
        self.stream = stream
        self.started = time.monotonic()
        self.delay = delay
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self.started < self.delay or total == 0:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{stage} [{bar}] {done}/{total}\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the bar, so the summary line stands alone."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def summary_line(report: BuildReport) -> str:
    """Return the one-line account of a build that ``build`` prints."""
    if report.nothing_changed:
        return (
            f"nothing changed: {counted(report.articles, 'article')}, "
            f"{counted(report.pages, 'page')} in {report.output_dir} "
            f"{'is' if report.pages == 1 else 'are'} up to date ({report.seconds:.2f} s)"
        )
    return (
        f"built {counted(report.articles, 'article')} into {report.output_dir}: "
        f"{counted(report.pages, 'page')} ({report.written} written, {report.unchanged} "
        f"unchanged), {counted(report.files, 'other file')}, "
        f"{counted(len(report.warnings), 'warning')}, {report.seconds:.2f} s"
    )


def _run_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    def say(message: str) -> None:
        print(message, flush=True)

    return serve(Path(args.site), args.host, args.port, args.drafts, say)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text!r}")
    return value


def _run_import(args: argparse.Namespace) -> int:
    from .importer.read.confidence import DEFAULT_THRESHOLD
    from .importer.write.review import format_review
    from .importer.write.store import format_report, import_pages

    threshold = DEFAULT_THRESHOLD if args.review_below is None else args.review_below
    progress = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        report = import_pages(
            [Path(source) for source in args.sources],
            Path(args.site),
            column=args.column,
            url=args.url,
            dry_run=args.dry_run,
            force=args.force,
            keep_going=args.keep_going,
            punctuation=not args.keep_punctuation,
            review_below=threshold,
            jobs=args.jobs,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.clear()
    for problem in [*report.warnings, *report.errors]:
        print(problem, file=sys.stderr)
    print(format_report(report, args.dry_run))
    if not report.blocked:
        pages = sum(1 for entry in report.entries if entry.kind == "article")
        print(format_review(report.review, threshold, report.report_file, pages))
    return EXIT_ERRORS if report.errors else EXIT_OK


def _run_parse(args: argparse.Namespace) -> int:
    import json

    from .importer.read.parse import format_summary, page_to_json, parse_page
    from .importer.write.store import page_paths

    paths, missing = page_paths([Path(name) for name in args.files])
    for error in missing:
        print(error, file=sys.stderr)
    status = EXIT_ERRORS if missing else EXIT_OK
    for path in paths:
        name = str(path)
        try:
            page = parse_page(path.read_bytes(), name)
        except OSError as exc:
            print(f"{name}: error: cannot read the file: {exc.strerror}", file=sys.stderr)
            status = EXIT_ERRORS
            continue
        except ProvarchiveError as exc:
            print(exc, file=sys.stderr)
            status = EXIT_ERRORS
            continue
        if args.json:
            print(json.dumps(page_to_json(page, name), ensure_ascii=False))
        else:
            print(format_summary(page, name))
    return status
