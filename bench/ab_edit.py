"""Compare the one-article edit of two versions of provarchive, fairly.

    .venv/bin/python bench/ab_edit.py BASE [--rounds 8] [--size 20000]

``BASE`` is a commit; it is compared with the working tree. Each version builds its
own copy of the bench corpus of ``--size`` articles (``make bench`` makes it), then
both copies get the same edit, round after round, and each version rebuilds its own.

The order alternates: the version that rebuilds first in one round rebuilds second in
the next. On the bench machine the first build after a pause is 0.3-0.7 s slower
whatever its code (memory and file caches the host took back), and an earlier A/B
script that always ran the base first credited that to the change. With each order
run equally often the pause costs both sides alike; the difference printed is the
mean over rounds of base minus working tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / ".corpus"
PAST_RACY = 2.2
"""Seconds to wait after an edit: a file changed within 2 s of a build is compared by
content, which an editor's save a while before the build never is."""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; return its wall seconds and its CPU seconds (with its workers')."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the commit to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=8, help="an even number: each order as often")
    parser.add_argument("--size", type=int, default=20000)
    args = parser.parse_args()
    if args.rounds < 2 or args.rounds % 2:
        parser.error("--rounds must be even: each order runs as often as the other")
    corpus = CORPUS / f"provarchive-{args.size}"
    if not (corpus / ".complete").exists():
        raise SystemExit(f"no corpus at {corpus}: run make bench first")
    work = Path(tempfile.mkdtemp(prefix="ab-edit-", dir=CORPUS))
    tree = work / "code"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.base],
                   check=True, stdout=subprocess.DEVNULL)
    sources = {"base": tree / "src", "tree": ROOT / "src"}
    try:
        results = compare(work, corpus, sources, args.rounds)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)
        shutil.rmtree(work, ignore_errors=True)
    report(results, args)
    return 0


def compare(work: Path, corpus: Path, sources: dict[str, Path],
            rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Build each version's copy cold, then time ``rounds`` edits of each, alternating."""
    sites, commands, envs = {}, {}, {}
    for side, source in sources.items():
        site = work / side
        shutil.copytree(corpus, site, symlinks=True, ignore=shutil.ignore_patterns(".provarchive-cache"))
        sites[side] = site
        commands[side] = [sys.executable, "-m", "provarchive", "build", str(site), "-q",
                          "-o", str(work / f"{side}-out")]
        envs[side] = {**os.environ, "PYTHONPATH": str(source)}
        timed(commands[side], envs[side])  # the cold build that fills the cache
    edited = sorted((sites["base"] / "content/zhxx/yywl").glob("*.md"))[1000]
    relative = edited.relative_to(sites["base"])
    original = edited.read_text("utf-8")
    results: dict[str, list[tuple[float, float]]] = {side: [] for side in sources}
    for number in range(rounds):
        for site in sites.values():
            (site / relative).write_text(original + f"\n补充第{number}段。\n", "utf-8")
        time.sleep(PAST_RACY)
        order = list(sources) if number % 2 == 0 else list(reversed(list(sources)))
        for side in order:
            results[side].append(timed(commands[side], envs[side]))
    return results


def report(results: dict[str, list[tuple[float, float]]], args: argparse.Namespace) -> None:
    base, tree = results["base"], results["tree"]
    print(f"one-article edit at {args.size:,} articles, {args.rounds} rounds, order alternating")
    for side, runs in results.items():
        walls = [wall for wall, _ in runs]
        cpus = [cpu for _, cpu in runs]
        print(f"  {side:<5} wall mean {statistics.mean(walls):.3f} s (median "
              f"{statistics.median(walls):.3f}), CPU mean {statistics.mean(cpus):.3f} s")
    differences = [b[0] - t[0] for b, t in zip(base, tree, strict=True)]
    print(f"  base - tree, wall: {statistics.mean(differences):+.3f} s a round "
          f"(rounds: {', '.join(f'{d:+.2f}' for d in differences)})")


if __name__ == "__main__":
    sys.exit(main())
