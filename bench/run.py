"""``make bench``: time provarchive on synthetic archives, against Hugo and Pelican when present.

For each size it times, as whole processes (median of ``--runs``): a cold build
(``--no-cache``), a rebuild with nothing changed, a rebuild after editing one
article, a rebuild after editing one template; and the peak memory of a cold
build. When ``hugo`` or ``pelican`` can be run, the same articles are built with
them in the same run, alternating with provarchive, and the ratios are printed.
The table is printed and written as JSON (``bench/results/latest.json``).
Then, unless ``--no-search``, the search index is measured at the sizes from 1,000 to
20,000 (``bench/search_bench.py``: build CPU seconds, size, files, bytes per query and
recall in Chromium; and Pagefind, from npm, on the same article pages, unless
``--no-pagefind`` or ``--no-others``).

Every run writes into a new, empty output folder, and outputs are deleted only when
the bench ends. On this machine's file system (ext4 without a journal) creating files
is slow for minutes after many were deleted: the inode allocator looks at recently
freed inodes one by one (``recently_deleted`` in ``perf``). Deleting one run's output
right before the next timed how fast the file system recovered, not the tool.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus

HERE = Path(__file__).resolve().parent
WORK = HERE / ".corpus"
OUTPUTS = WORK / "outputs"
_made = [0]


def fresh_folder(name: str) -> Path:
    """Return a new output folder path (not yet made) under :data:`OUTPUTS`."""
    _made[0] += 1
    return OUTPUTS / f"{name}-{_made[0]}"
PROVARCHIVE = [sys.executable, "-m", "provarchive"]


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """Run ``command``; return (wall seconds, peak RSS of the main process in MiB, stdout).

    Data the previous run left for the disk is written out first (``sync``), so that no
    tool pays for another's writes.
    """
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    return seconds, usage.ru_maxrss // 1024, out + err


def age(folder: Path) -> None:
    """Date every file an hour back, as files of a real archive are."""
    when = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (when, when))


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


def nosearch_site(site: Path) -> Path:
    """The same archive with ``search: false`` (its content folder linked, not copied)."""
    twin = site.with_name(site.name + "-nosearch")
    if not twin.exists():
        twin.mkdir()
        (twin / "content").symlink_to(site / "content")
        (twin / "site.yaml").write_text((site / "site.yaml").read_text("utf-8")
                                        + "search: false\n", "utf-8")
    return twin


def cold_rows(count: int, runs: int, jobs: int, others: bool) -> dict[str, dict[str, float]]:
    """Cold builds of every tool, alternating run by run, so load affects all alike."""
    site = make_corpus("provarchive", count)
    twin = nosearch_site(site)
    build = [*PROVARCHIVE, "build", "-q", "-j", str(jobs), "--no-cache"]
    commands: dict[str, tuple[Callable[[Path], list[str]], Path | None]] = {
        "provarchive": (lambda out: [*build, str(site), "-o", str(out)], None),
        "provarchive_nosearch": (lambda out: [*build, str(twin), "-o", str(out)], None),
    }
    hugo = shutil.which("hugo")
    pelican = shutil.which("pelican") or shutil.which("pelican", path=str(HERE / ".venv/bin"))
    if others and hugo:
        hugo_site = make_corpus("hugo", count)
        commands["hugo"] = (lambda out: [hugo, "--quiet", "-s", str(hugo_site), "-d", str(out)],
                            None)
    if others and pelican:
        pelican_site = make_corpus("pelican", count)
        commands["pelican"] = (lambda out: [pelican, "content", "-s", "pelicanconf.py", "-o",
                                            str(out), "-q"], pelican_site)
    times: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, int] = dict.fromkeys(commands, 0)
    for _ in range(runs):
        for name, (command, cwd) in commands.items():
            seconds, peak, _ = run(command(fresh_folder(f"{name}-{count}")), cwd=cwd)
            times[name].append(seconds)
            rss[name] = max(rss[name], peak)
    return {name: {"cold_s": statistics.median(values), "peak_rss_mib": rss[name]}
            for name, values in times.items()}


def provarchive_rows(count: int, runs: int, jobs: int) -> dict[str, float]:
    site = make_corpus("provarchive", count)
    cold, cold_rss, nochange, edit, template = [], [], [], [], []
    article = sorted((site / "content/zhxx/yywl").glob("*.md"))[count // 20]
    original = article.read_text("utf-8")
    (site / "templates").mkdir(exist_ok=True)
    theme_article = Path(__import__("provarchive.render").render.theme_dir()) / "article.html"
    for attempt in range(runs):
        out = fresh_folder(f"provarchive-rebuilds-{count}")
        build = [*PROVARCHIVE, "build", str(site), "-q", "-j", str(jobs), "-o", str(out)]
        seconds, rss, _ = run([*build, "--no-cache"])
        cold.append(seconds)
        cold_rss.append(rss)
        age(site / "content")
        time.sleep(0.1)
        run(build)  # settle: the first build after a cold one stores the scan time
        nochange.append(run(build)[0])
        article.write_text(original + f"\n\n补充报道第{attempt}段。\n", "utf-8")
        edit.append(run(build)[0])
        (site / "templates/article.html").write_text(
            theme_article.read_text("utf-8") + f"\n{{# bench edit {attempt} #}}\n", "utf-8")
        template.append(run(build)[0])
        article.write_text(original, "utf-8")
        (site / "templates/article.html").unlink()
        run(build)
    single_rss = run([*PROVARCHIVE, "build", str(site), "-q", "-j", "1", "--no-cache", "-o",
                      str(fresh_folder(f"provarchive-single-{count}"))])[1]
    return {
        "cold_s": statistics.median(cold),
        "nochange_s": statistics.median(nochange),
        "edit_s": statistics.median(edit),
        "template_s": statistics.median(template),
        "peak_rss_mib": max(cold_rss),
        "peak_rss_single_mib": single_rss,
    }


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
    args = parser.parse_args()
    results = {"date": dt.datetime.now().isoformat(timespec="seconds"), "jobs": args.jobs,
               "cpus": os.cpu_count(), "sizes": {}}
    trash = WORK / f"outputs-old-{os.getpid()}"
    if OUTPUTS.exists():  # a bench that was stopped: deleted at the end, not now
        OUTPUTS.rename(trash)
    for count in [int(size) for size in args.sizes.split(",")]:
        cold = cold_rows(count, args.runs, args.jobs, not args.no_others)
        mine = provarchive_rows(count, args.runs, args.jobs)
        mine["cold_s"] = cold["provarchive"]["cold_s"]
        mine["cold_nosearch_s"] = cold["provarchive_nosearch"]["cold_s"]
        mine["peak_rss_mib"] = max(mine["peak_rss_mib"], cold["provarchive"]["peak_rss_mib"])
        row: dict[str, object] = {"provarchive": mine}
        if not args.no_others:
            row["hugo"] = cold.get("hugo")
            if isinstance(row["hugo"], dict):
                row["hugo"]["edit_s"] = hugo_edit(count, args.runs)
            row["pelican"] = cold.get("pelican")
        results["sizes"][str(count)] = row
        print_row(count, row)
    sizes = results["sizes"]
    if "5000" in sizes and "20000" in sizes:
        growth = sizes["20000"]["provarchive"]["cold_s"] / sizes["5000"]["provarchive"]["cold_s"]
        results["growth_20000_over_5000"] = growth
        print(f"\ncold build growth 20,000 / 5,000 articles: {growth:.2f}x (target <= 4.5x)")
    if not args.no_search:
        import search_bench

        searched = [int(size) for size in args.sizes.split(",") if 1000 <= int(size) <= 20000]
        results["search"] = search_bench.measure(searched, 200, searched[:1],
                                                 not (args.no_others or args.no_pagefind))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    print(f"results written to {out}")
    # the outputs, and the build caches kept for them in the corpora (one per output)
    for folder in (OUTPUTS, *WORK.glob("outputs-old-*"), *WORK.glob("*/.provarchive-cache")):
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def print_row(count: int, row: dict[str, object]) -> None:
    mine = row["provarchive"]
    assert isinstance(mine, dict)
    print(f"\n{count:,} articles", flush=True)
    print(f"  {'tool':<12}{'cold':>9}{'no-change':>11}{'1 edit':>9}{'template':>10}{'peak RSS':>10}")
    print(f"  {'provarchive':<12}{mine['cold_s']:>8.2f}s{mine['nochange_s']:>10.2f}s"
          f"{mine['edit_s']:>8.2f}s{mine['template_s']:>9.2f}s{mine['peak_rss_mib']:>7} MiB"
          f"  (single process: {mine['peak_rss_single_mib']} MiB)")
    print(f"  {'  no search':<12}{mine['cold_nosearch_s']:>8.2f}s   (cold build with search: false)")
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


if __name__ == "__main__":
    sys.exit(main())
