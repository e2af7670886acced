"""``make bench``: time provarchive on synthetic archives, against Hugo and Pelican when present.

For each size it times, as whole processes (median of ``--runs``): a cold build
(``--no-cache``), a rebuild with nothing changed, a rebuild after editing one
article, a rebuild after editing one template; and the peak memory of a cold
build. When ``hugo`` or ``pelican`` can be run, the same articles are built with
them in the same run, alternating with provarchive, and the ratios are printed, with
each tool's CPU seconds for a cold build and the HTML it made (pages, bytes): the
tools' templates differ, and so does the work behind a page. Provarchive also builds
the archive with ``bench/lean_templates``, whose pages are close in size to the Hugo
pages, with and without search: about the same work as Hugo's, timed against it.
Provarchive and Hugo also build with their article files dropped from memory first
(``posix_fadvise(DONTNEED)``): the first build after a restart, read from the disk.
The table is printed and written as JSON (``bench/results/latest.json``).
Then, unless ``--no-search``, the search index is measured at the sizes from 1,000 to
20,000 (``bench/search_bench.py``: build CPU seconds, size, files, bytes per query and
recall in Chromium; and Pagefind, from npm, on the same article pages, unless
``--no-pagefind`` or ``--no-others``).

``--scale`` adds rows of 5,000 and 100,000 articles (``--scale-sizes``): a cold build
with and without search, ``--scale-runs`` times each, its seconds per stage
(``--timings``) and per 1,000 articles, wall and CPU seconds, the peak memory of the
whole process tree (``treemem.py``), output and index sizes, and the first and a later
one-article edit after it.

Unless ``--no-memory``, provarchive and Hugo also build each size cold into memory
(a tmpfs folder, ``inmemory.py``), taking turns with the other cold builds, and the
``--scale`` rows get the same two cold builds into memory, ``--scale-runs`` times each
(3; each stage's fastest time is kept, as ``timeit`` does: at 100,000 articles one run
differs from the next by up to a quarter here): their stage times say what the build
itself costs per article, apart from this machine's disk. Onto the disk and into memory,
only the first run samples the memory of the process tree: the sampler reads each
process's ``smaps_rollup`` every 20 ms, and the kernel walks a process's page tables for
it, so it took more of a core, and slowed the build more, the larger the archive. ``memwalk.py`` then
times one plain Python loop over as many records as those builds made pages: what the
memory of this machine adds per record when there are more of them.

Every run writes into a new, empty output folder, and outputs are deleted only when
the bench ends; the cold builds of every size (and the ``--scale`` rows) run before the
rows of edits, which replace and so delete files. On this machine's file system (ext4
without a journal) creating files is slow for minutes after many were deleted: the inode allocator looks at recently
freed inodes one by one (``recently_deleted`` in ``perf``). Deleting one run's output
right before the next timed how fast the file system recovered, not the tool. For
the same reason each run first waits until the old copies a provarchive build left to
a background process (``.NAME.trash-*``) are gone, so that no tool pays for that
removal; and the cold builds of the tools take turns at going first, run by run.

Before timing anything, the bench writes the bytecode of provarchive's modules
(``compile_package``): an installed package has it, but an editable install run with
``PYTHONDONTWRITEBYTECODE`` set compiles every module again in every run.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus
import inmemory
import memwalk
import treemem

HERE = Path(__file__).resolve().parent
WORK = HERE / ".corpus"
OUTPUTS = WORK / "outputs"
_made = [0]
MEMORY_PER_ARTICLE = 40_000
"""Bytes of tmpfs a build into memory needs per article (output, spare links, cache)."""


def fresh_folder(name: str) -> Path:
    """Return a new output folder path (not yet made) under :data:`OUTPUTS`."""
    _made[0] += 1
    return OUTPUTS / f"{name}-{_made[0]}"
PROVARCHIVE = [sys.executable, "-m", "provarchive"]


def compile_package() -> None:
    """Write the bytecode of provarchive's modules, as installing a package does.

    The package is installed editable (``pip install -e``), so its modules are compiled
    when first imported, and the ``.pyc`` files written then. Where
    ``PYTHONDONTWRITEBYTECODE`` is set (as in this workplace), none is ever written, and
    every run compiled all of them again: 0.06-0.07 s of each build here, which a user's
    install, whose bytecode is written once, never pays."""
    import provarchive

    compileall.compile_dir(Path(provarchive.__file__).parent, quiet=1)


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """Run ``command``; return (wall seconds, peak RSS of the main process in MiB, stdout)."""
    measured = measure(command, cwd)
    return measured["wall_s"], measured["maxrss_mib"], measured["output"]


def measure(command: list[str], cwd: Path | None = None, tree: bool = False) -> dict:
    """Run ``command``; return its wall and CPU seconds (its own and its reaped workers'),
    the largest ``maxrss`` of one of its processes and, with ``tree``, the peak RSS and
    PSS summed over the process tree (sampled, see ``treemem.py``), and its output.

    Data the previous run left for the disk is written out first (``sync``), so that no
    tool pays for another's writes. (Pipes are read after the end: commands here print
    little.)
    """
    settle()
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = treemem.TreeSampler(process.pid) if tree else None
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if sampler is not None:
        sampler.stop()
    out = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    return {
        "wall_s": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "maxrss_mib": usage.ru_maxrss // 1024,
        "tree_rss_mib": sampler.peak_rss // 1024 if sampler else None,
        "tree_pss_mib": sampler.peak_pss // 1024 if sampler else None,
        "output": out + err,
    }


def settle(limit: float = 300.0) -> None:
    """Wait (up to ``limit`` seconds) until no background removal of an old copy of a
    provarchive output is at work under :data:`OUTPUTS`."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and any(OUTPUTS.glob(".*.trash-*")):
        time.sleep(0.2)


def stage_times(output: str) -> dict[str, float]:
    """The seconds per stage that ``provarchive build --timings`` printed."""
    found = re.findall(r"^  (\S.*?) *(\d+\.\d+) s$", output, re.MULTILINE)
    return {name: float(seconds) for name, seconds in found}


def folder_size(folder: Path, suffix: str = "") -> tuple[int, int]:
    """(bytes, files) of the regular files under ``folder`` whose names end in ``suffix``."""
    size = files = 0
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            if name.endswith(suffix) and path.is_file() and not path.is_symlink():
                size += path.stat().st_size
                files += 1
    return size, files


def age(folder: Path) -> None:
    """Date every file an hour back, as files of a real archive are."""
    when = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (when, when))


def drop_from_memory(folder: Path) -> None:
    """Drop the files under ``folder`` from memory (the page cache), as a restart does, so
    that the next build reads them from the disk (``posix_fadvise(DONTNEED)``; the files
    are old, so nothing is waiting to be written)."""
    for path in folder.rglob("*"):
        if path.is_file():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


def make_corpus(kind: str, count: int) -> Path:
    """Return the folder of a generated corpus, generating it once per size and kind."""
    folder = WORK / f"{kind}-{count}"
    stamp = folder / ".complete"
    if not stamp.exists():
        shutil.rmtree(folder, ignore_errors=True)
        getattr(corpus, f"write_{kind}")(folder, count)
        age(folder)
        stamp.write_text("ok")
    return folder


LEAN_TEMPLATES = HERE / "lean_templates"
"""Templates whose pages are close in size to the bench's Hugo pages (see their base.html)."""


def lean_site(site: Path, search: bool) -> Path:
    """The same archive built with :data:`LEAN_TEMPLATES`, with or without search."""
    return twin_site(site, "-lean" if search else "-lean-nosearch", search, LEAN_TEMPLATES)


def nosearch_site(site: Path) -> Path:
    """The same archive with ``search: false``."""
    return twin_site(site, "-nosearch", False)


def twin_site(site: Path, suffix: str, search: bool, templates: Path | None = None) -> Path:
    """The archive of ``site`` in a site folder of its own named with ``suffix``, with
    ``search: false`` unless ``search``, and ``templates`` if given (the content folder
    and the templates linked, not copied)."""
    twin = site.with_name(site.name + suffix)
    if not twin.exists():
        twin.mkdir()
        (twin / "content").symlink_to(site / "content")
        if templates is not None:
            (twin / "templates").symlink_to(templates)
        config = (site / "site.yaml").read_text("utf-8")
        (twin / "site.yaml").write_text(config if search else config + "search: false\n", "utf-8")
    return twin


def cold_rows(count: int, runs: int, jobs: int, others: bool,
              memory: Path | None) -> dict[str, dict[str, float]]:
    """Cold builds of every tool, alternating run by run, so load affects all alike; with
    a ``memory`` folder (tmpfs), provarchive and Hugo also build into it (``inmemory.py``)."""
    site = make_corpus("provarchive", count)
    twin = nosearch_site(site)
    build = [*PROVARCHIVE, "build", "-q", "-j", str(jobs), "--no-cache"]
    Command = tuple[Callable[[Path], list[str]], Path | None]
    lean, lean_bare = lean_site(site, True), lean_site(site, False)
    commands: dict[str, Command] = {
        "provarchive": (lambda out: [*build, str(site), "-o", str(out)], None),
        "provarchive_nosearch": (lambda out: [*build, str(twin), "-o", str(out)], None),
        "provarchive_lean": (lambda out: [*build, str(lean), "-o", str(out)], None),
        "provarchive_lean_nosearch": (lambda out: [*build, str(lean_bare), "-o", str(out)], None),
    }
    unread = {"provarchive_unread": site / "content"}
    """The builds whose article files are dropped from memory first (by their content folder)."""
    commands["provarchive_unread"] = commands["provarchive"]
    into_memory: dict[str, Path | None] = {}
    """The builds into memory, each with the site whose build cache goes with its output."""
    if memory is not None:
        in_memory = inmemory.memory_site(site, memory)
        commands["provarchive_memory"] = (
            lambda out: [*build, str(in_memory), "-o", str(out)], None)
        into_memory["provarchive_memory"] = in_memory
    hugo = shutil.which("hugo")
    pelican = shutil.which("pelican") or shutil.which("pelican", path=str(HERE / ".venv/bin"))
    if others and hugo:
        hugo_site = make_corpus("hugo", count)
        commands["hugo"] = (lambda out: [hugo, "--quiet", "-s", str(hugo_site), "-d", str(out)],
                            None)
        if memory is not None:
            commands["hugo_memory"] = commands["hugo"]
            into_memory["hugo_memory"] = None
        commands["hugo_unread"] = commands["hugo"]
        unread["hugo_unread"] = hugo_site / "content"
    if others and pelican:
        pelican_site = make_corpus("pelican", count)
        commands["pelican"] = (lambda out: [pelican, "content", "-s", "pelicanconf.py", "-o",
                                            str(out), "-q"], pelican_site)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, int] = dict.fromkeys(commands, 0)
    html: dict[str, tuple[int, int]] = {}
    """Bytes and pages of HTML each tool made: the work its templates did."""
    names = list(commands)
    for turn in range(runs):
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            command, cwd = commands[name]
            to_memory = memory is not None and name in into_memory
            out = memory / f"{name}-out" if to_memory else fresh_folder(f"{name}-{count}")
            if name in unread:
                drop_from_memory(unread[name])
            measured = measure(command(out), cwd=cwd)
            if name not in html:
                html[name] = folder_size(out, ".html")
            if to_memory:
                inmemory.cleared(out, into_memory[name])
            times[name].append(measured["wall_s"])
            cpu[name].append(measured["cpu_s"])
            rss[name] = max(rss[name], measured["maxrss_mib"])
    return {name: {"cold_s": statistics.median(values),
                   "cold_cpu_s": statistics.median(cpu[name]), "peak_rss_mib": rss[name],
                   "html_bytes": html[name][0], "html_pages": html[name][1]}
            for name, values in times.items()}


def provarchive_rows(count: int, runs: int, jobs: int) -> dict[str, float]:
    site = make_corpus("provarchive", count)
    rows: dict[str, list[float]] = {name: [] for name in (
        "cold", "cold_rss", "first_edit", "nochange", "edit", "template", "switch_edit")}
    article = sorted((site / "content/zhxx/yywl").glob("*.md"))[count // 20]
    original = article.read_text("utf-8")
    (site / "templates").mkdir(exist_ok=True)
    theme_article = Path(__import__("provarchive.render").render.theme_dir()) / "article.html"

    def edit(mark: str) -> None:
        article.write_text(original + f"\n\n补充报道第{mark}段。\n", "utf-8")

    for attempt in range(runs):
        out = fresh_folder(f"provarchive-rebuilds-{count}")
        build = [*PROVARCHIVE, "build", str(site), "-q", "-j", str(jobs), "-o", str(out)]
        age(site / "content")
        seconds, rss, _ = run([*build, "--no-cache"])
        rows["cold"].append(seconds)
        rows["cold_rss"].append(rss)
        edit(f"{attempt}a")  # the first edit after a cold build
        rows["first_edit"].append(run(build)[0])
        age(site / "content")
        time.sleep(0.1)
        run(build)  # settle: the files were aged, so they are compared by content once
        rows["nochange"].append(run(build)[0])
        edit(f"{attempt}b")  # a later edit
        rows["edit"].append(run(build)[0])
        (site / "templates/article.html").write_text(
            theme_article.read_text("utf-8") + f"\n{{# bench edit {attempt} #}}\n", "utf-8")
        rows["template"].append(run(build)[0])
        (site / "templates/article.html").unlink()
        run(build)
        # the cache last filled for another output folder, then an edit built into this one
        run([*build[:-1], str(fresh_folder(f"provarchive-other-{count}"))])
        edit(f"{attempt}c")
        rows["switch_edit"].append(run(build)[0])
        article.write_text(original, "utf-8")
        run(build)
    single_rss = run([*PROVARCHIVE, "build", str(site), "-q", "-j", "1", "--no-cache", "-o",
                      str(fresh_folder(f"provarchive-single-{count}"))])[1]
    result = {f"{name}_s": statistics.median(values) for name, values in rows.items()
              if name != "cold_rss"}
    result["peak_rss_mib"] = max(rows["cold_rss"])
    result["peak_rss_single_mib"] = single_rss
    return result


def scale_row(count: int, jobs: int, memory: Path | None, runs: int) -> dict[str, dict]:
    """A cold build of ``count`` articles, with the search index and without, ``runs``
    times each, turn by turn (see :func:`fastest`: memory sampled in the first run only),
    each with its time per stage (``--timings``), CPU seconds, the peak memory of the
    process tree, output and index sizes; then the first and a later one-article edit
    after the last. With a ``memory`` folder, the same two cold builds ``runs`` times with
    site and output in memory."""
    site = make_corpus("provarchive", count)
    search_dir = getattr(__import__("provarchive.search").search, "SEARCH_DIR", "search")
    article = sorted((site / "content/zhxx/yywl").glob("*.md"))[count // 20]
    original = article.read_text("utf-8")
    row: dict[str, dict] = {}
    variants = {"search": site, "nosearch": nosearch_site(site)}
    colds: dict[str, list[dict]] = {name: [] for name in variants}
    outs: dict[str, Path] = {}
    # once: the two sites share the content folder, and an edit after a build of files
    # dated anew (for the other site's build) would find every file changed
    age(site / "content")
    for turn in range(runs):  # turn by turn, so that load affects both alike
        for name, folder in variants.items():
            outs[name] = out = fresh_folder(f"scale-{name}-{count}")
            cold = measure([*PROVARCHIVE, "build", str(folder), "-q", "-j", str(jobs),
                            "--timings", "-o", str(out), "--no-cache"], tree=turn == 0)
            colds[name].append(cold_figures(cold, out, search_dir))
    for name, folder in variants.items():
        build = [*PROVARCHIVE, "build", str(folder), "-q", "-j", str(jobs), "--timings",
                 "-o", str(outs[name])]
        edits = []
        for mark in ("first", "later"):
            article.write_text(original + f"\n\n补充报道{mark}段。\n", "utf-8")
            edits.append(measure(build, tree=True))
            time.sleep(2.1)  # past the racy window, as an editor's next save would be
        article.write_text(original, "utf-8")
        row[name] = {
            **fastest(colds[name]),
            **{f"{mark}_edit": {key: value for key, value in measured.items() if key != "output"}
               for mark, measured in zip(("first", "later"), edits, strict=True)},
            **{f"{mark}_edit_stages": stage_times(measured["output"])
               for mark, measured in zip(("first", "later"), edits, strict=True)},
        }
        print_scale(count, name, row[name])
    if memory is not None:  # turn by turn, so that load affects both alike
        made: dict[str, list[dict]] = {"search": [], "nosearch": []}
        for turn in range(runs):
            for name, extra in (("search", ""), ("nosearch", "search: false\n")):
                in_memory = inmemory.memory_site(site, memory, extra)
                out = memory / f"scale-{name}-{count}"
                # the tree's memory is sampled in the first run only: reading smaps of
                # processes of a GB takes a core's time, more the larger the archive
                cold = measure([*PROVARCHIVE, "build", str(in_memory), "-q", "-j", str(jobs),
                                "--timings", "-o", str(out), "--no-cache"], tree=turn == 0)
                made[name].append(cold_figures(cold, out, search_dir))
                inmemory.cleared(out, in_memory)
        for name, figures in made.items():
            row[f"{name}_memory"] = fastest(figures)
            print_scale(count, f"{name}_memory", row[f"{name}_memory"])
    return row


def fastest(runs: list[dict]) -> dict:
    """The figures of several cold builds as one: each time (and each stage's) the
    fastest, as ``timeit`` reports (what else runs on the machine only adds time); each
    memory peak the highest; sizes those of the first."""
    first = runs[0]
    return {**first,
            **{key: min(run[key] for run in runs) for key in ("wall_s", "cpu_s")},
            **{key: max((run[key] for run in runs if run[key] is not None), default=None)
               for key in ("maxrss_mib", "tree_rss_mib", "tree_pss_mib")},
            "stages": {stage: min(run["stages"][stage] for run in runs)
                       for stage in first["stages"]},
            "runs": len(runs), "run_walls": [run["wall_s"] for run in runs]}


def cold_figures(cold: dict, out: Path, search_dir: str) -> dict:
    """The figures of a measured cold build into ``out``: times, stages, sizes."""
    size, files = folder_size(out)
    index_size, index_files = folder_size(out / search_dir)
    return {**{key: value for key, value in cold.items() if key != "output"},
            "stages": stage_times(cold["output"]),
            "output_mb": size / 1e6, "output_files": files,
            "index_mb": index_size / 1e6, "index_files": index_files}


SCALE_NAMES = {"search": "search on", "nosearch": "search off",
               "search_memory": "search on, site and output in memory (tmpfs)",
               "nosearch_memory": "search off, site and output in memory (tmpfs)"}


def print_scale(count: int, name: str, row: dict) -> None:
    walls = ", ".join(f"{wall:.1f}" for wall in row.get("run_walls", []))
    runs = (f" (fastest of {row['runs']} runs, memory sampled in the first; walls {walls} s)"
            if row.get("runs", 1) > 1 else "")
    print(f"\n{count:,} articles, cold build, {SCALE_NAMES[name]}{runs}:"
          f" {row['wall_s']:.1f} s wall, {row['cpu_s']:.1f} CPU-s; peak memory: process tree"
          f" RSS {row['tree_rss_mib']} MiB (PSS {row['tree_pss_mib']} MiB), largest process"
          f" {row['maxrss_mib']} MiB; output {row['output_mb']:.0f} MB in {row['output_files']:,}"
          f" files, index {row['index_mb']:.1f} MB in {row['index_files']:,} files", flush=True)
    for stage, seconds in row["stages"].items():
        print(f"    {stage:<44}{seconds:8.3f} s  {seconds / count * 1000:6.4f} s per 1,000")
    for mark in ("first", "later"):
        edit = row.get(f"{mark}_edit")
        if edit:
            print(f"  {mark} edit: {edit['wall_s']:.2f} s wall, {edit['cpu_s']:.2f} CPU-s, tree"
                  f" RSS {edit['tree_rss_mib']} MiB", flush=True)


def hugo_edit(count: int, runs: int) -> float | None:
    """Hugo's rebuild after a one-article edit (it has no incremental build: all again)."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    site = make_corpus("hugo", count)
    out = fresh_folder(f"hugo-rebuilds-{count}")
    command = [hugo, "--quiet", "-s", str(site), "-d", str(out)]
    run(command)  # the output exists before an edit, as it does for an editor
    article = sorted((site / "content/zhxx/yywl").glob("*.md"))[count // 20]
    original = article.read_text("utf-8")
    edit = []
    for attempt in range(runs):
        article.write_text(original + f"\n\n补充报道第{attempt}段。\n", "utf-8")
        edit.append(run(command)[0])
    article.write_text(original, "utf-8")
    return statistics.median(edit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    parser.add_argument("--no-others", action="store_true", help="skip Hugo and Pelican")
    parser.add_argument("--no-search", action="store_true",
                        help="skip the search index rows (bench/search_bench.py)")
    parser.add_argument("--no-pagefind", action="store_true",
                        help="skip Pagefind (from npm, on the article pages; 1.6 GB at 5,000)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the cold builds into memory (tmpfs, see bench/inmemory.py)")
    parser.add_argument("--scale", action="store_true",
                        help="add rows of --scale-sizes articles: time per stage, peak memory of "
                             "the process tree, output and index size (takes many minutes)")
    parser.add_argument("--scale-runs", type=int, default=3,
                        help="cold builds per --scale row, onto the disk and into memory "
                             "(each stage: the fastest; memory sampled in the first)")
    parser.add_argument("--scale-sizes", default="5000,100000",
                        help="sizes of the --scale rows (the first is the base for linearity)")
    args = parser.parse_args()
    compile_package()
    results = {"date": dt.datetime.now().isoformat(timespec="seconds"), "jobs": args.jobs,
               "cpus": os.cpu_count(), "sizes": {}}
    trash = WORK / f"outputs-old-{os.getpid()}"
    if OUTPUTS.exists():  # a bench that was stopped: deleted at the end, not now
        OUTPUTS.rename(trash)
    counts = [int(size) for size in args.sizes.split(",") if size]
    largest = max(counts + ([int(size) for size in args.scale_sizes.split(",")]
                            if args.scale else []))
    memory = None if args.no_memory else inmemory.memory_root(largest * MEMORY_PER_ARTICLE)
    # every cold build first: the edit rows delete files (replaced pages, old outputs),
    # and on this disk creating files is slow for minutes after a deletion
    colds = {count: cold_rows(count, args.runs, args.jobs, not args.no_others, memory)
             for count in counts}
    if args.scale:
        results["scale"] = {size: scale_row(int(size), args.jobs, memory, args.scale_runs)
                            for size in args.scale_sizes.split(",")}
        print_linearity(results["scale"])
        import serve_latency  # the preview of the largest archive: every edit under a second?

        results["scale_serve"] = {}
        for size in args.scale_sizes.split(","):
            results["scale_serve"][size] = serve_latency.measure(int(size), 10, fresh=True)
            print("\nserve: " + serve_latency.line(int(size), results["scale_serve"][size]))
        pages = [row["nosearch"]["output_files"] for row in results["scale"].values()]
        results["memwalk_ns"] = memwalk.measure(pages)  # the same loop, per record
    for count, cold in colds.items():
        mine = provarchive_rows(count, args.runs, args.jobs)
        mine["cold_s"] = cold["provarchive"]["cold_s"]
        mine["cold_nosearch_s"] = cold["provarchive_nosearch"]["cold_s"]
        mine["cold_memory_s"] = cold.get("provarchive_memory", {}).get("cold_s")
        mine["cold_unread_s"] = cold["provarchive_unread"]["cold_s"]
        for key in ("cold_cpu_s", "html_pages", "html_bytes"):
            mine[key] = cold["provarchive"][key]
        mine["lean"] = cold["provarchive_lean"]
        mine["cold_lean_nosearch_s"] = cold["provarchive_lean_nosearch"]["cold_s"]
        mine["peak_rss_mib"] = max(mine["peak_rss_mib"], cold["provarchive"]["peak_rss_mib"])
        row: dict[str, object] = {"provarchive": mine}
        if not args.no_others:
            row["hugo"] = cold.get("hugo")
            if isinstance(row["hugo"], dict):
                row["hugo"]["edit_s"] = hugo_edit(count, args.runs)
                row["hugo"]["cold_memory_s"] = cold.get("hugo_memory", {}).get("cold_s")
                row["hugo"]["cold_unread_s"] = cold["hugo_unread"]["cold_s"]
            row["pelican"] = cold.get("pelican")
        results["sizes"][str(count)] = row
        print_row(count, row)
    served = [count for count in counts if count <= 20000]
    if served:  # the preview: the first edit after its own first build, and its memory
        import serve_latency

        results["serve"] = serve_latency.measure(max(served), 20, fresh=True)
        print("\nserve: " + serve_latency.line(max(served), results["serve"]))
    sizes = results["sizes"]
    if "5000" in sizes and "20000" in sizes:
        growth = sizes["20000"]["provarchive"]["cold_s"] / sizes["5000"]["provarchive"]["cold_s"]
        results["growth_20000_over_5000"] = growth
        print(f"\ncold build growth 20,000 / 5,000 articles: {growth:.2f}x (target <= 4.5x)")
    if not args.no_search:
        import search_bench

        searched = [int(size) for size in args.sizes.split(",") if 1000 <= int(size) <= 20000]
        # recall at every size: the query-size target is set at 20,000 articles
        results["search"] = search_bench.measure(searched, 200, searched,
                                                 not (args.no_others or args.no_pagefind))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    print(f"results written to {out}")
    # the outputs, and the build caches kept for them in the corpora (one per output)
    for folder in (OUTPUTS, *WORK.glob("outputs-old-*"), *WORK.glob("*/.provarchive-cache"),
                   *([memory] if memory else [])):
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def print_linearity(scale: dict[str, dict]) -> None:
    """Seconds per 1,000 articles of each stage at each size, against the first size."""
    sizes = list(scale)
    base = sizes[0]
    for name in SCALE_NAMES:
        if name not in scale[base]:
            continue
        print(f"\nseconds per 1,000 articles, {SCALE_NAMES[name]}"
              f" (ratio to {int(base):,}; target within 15%)")
        for stage, seconds in scale[base][name]["stages"].items():
            per = seconds / int(base) * 1000
            cells = []
            for size in sizes[1:]:
                other = scale[size][name]["stages"].get(stage, 0.0) / int(size) * 1000
                cells.append(f"{int(size):,}: {other:.4f} ({other / per if per else 0:.2f}x)")
            print(f"  {stage:<44}{int(base):,}: {per:.4f}  " + "  ".join(cells))


def print_row(count: int, row: dict[str, object]) -> None:
    mine = row["provarchive"]
    assert isinstance(mine, dict)
    print(f"\n{count:,} articles", flush=True)
    print(f"  {'tool':<12}{'cold':>9}{'no-change':>11}{'1 edit':>9}{'template':>10}{'peak RSS':>10}")
    print(f"  {'provarchive':<12}{mine['cold_s']:>8.2f}s{mine['nochange_s']:>10.2f}s"
          f"{mine['edit_s']:>8.2f}s{mine['template_s']:>9.2f}s{mine['peak_rss_mib']:>7} MiB"
          f"  (single process: {mine['peak_rss_single_mib']} MiB)")
    print(f"  {'':<12}first edit after a cold build {mine['first_edit_s']:.2f}s, after a build"
          f" into another -o {mine['switch_edit_s']:.2f}s, later edits {mine['edit_s']:.2f}s")
    print(f"  {'  no search':<12}{mine['cold_nosearch_s']:>8.2f}s   (cold build with search: false)")
    lean = mine["lean"]
    print(f"  {'  lean':<12}{lean['cold_s']:>8.2f}s   (bench/lean_templates, pages close in size to"
          f" the Hugo pages; without search {mine['cold_lean_nosearch_s']:.2f}s)")
    hugo = row.get("hugo")
    print(f"  {'  in memory':<12}" + inmemory.ratio_line(
        mine.get("cold_memory_s"), hugo.get("cold_memory_s") if isinstance(hugo, dict) else None))
    print(f"  {'  unread':<12}" + unread_line(
        mine["cold_unread_s"], hugo.get("cold_unread_s") if isinstance(hugo, dict) else None))
    print(f"  {'':<12}" + work_line("provarchive", mine))
    print(f"  {'':<12}" + work_line("provarchive, lean templates,", lean))
    for name in ("hugo", "pelican"):
        other = row.get(name)
        if not isinstance(other, dict):
            if name in row:
                print(f"  {name:<12}not installed")
            continue
        edit = f"{other['edit_s']:>8.2f}s" if other.get("edit_s") else f"{'-':>9}"
        print(f"  {name:<12}{other['cold_s']:>8.2f}s{'-':>11}{edit}{'-':>10}"
              f"{other['peak_rss_mib']:>7} MiB   provarchive/{name}: cold "
              f"{mine['cold_s'] / other['cold_s']:.2f} (without search "
              f"{mine['cold_nosearch_s'] / other['cold_s']:.2f})"
              + (f", edit {mine['edit_s'] / other['edit_s']:.2f}" if other.get("edit_s") else ""))
        print(f"  {'':<12}" + work_line(name, other))
        if name == "hugo":
            ratio = lean["cold_s"] / other["cold_s"]
            bare = mine["cold_lean_nosearch_s"] / other["cold_s"]
            print(f"  {'':<12}lean templates: provarchive/hugo: cold {ratio:.2f}"
                  f" (without search {bare:.2f})")


def unread_line(mine: float, hugo: float | None) -> str:
    """How long a cold build took with its article files out of memory, against Hugo's."""
    line = f"{mine:.2f}s cold with the article files out of memory (as after a restart)"
    return line + (f", Hugo {hugo:.2f}s: provarchive/hugo {mine / hugo:.2f}" if hugo else "")


def work_line(name: str, row: dict) -> str:
    """The CPU seconds a tool's cold build used (its workers' and threads' too; on two
    cores its wall time is at least half of them), and the HTML it rendered."""
    pages, size = row["html_pages"], row["html_bytes"]
    return (f"{name} cold build: {row['cold_cpu_s']:.2f} CPU-s, {pages:,} HTML pages of"
            f" {size / 1e6:.1f} MB ({size / 1e3 / max(1, pages):.1f} KB each)")


if __name__ == "__main__":
    sys.exit(main())
