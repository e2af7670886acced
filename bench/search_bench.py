"""The search index on the bench corpora: build time, size, and what a query downloads.

``python bench/search_bench.py [--sizes 5000,20000] [--queries 200] [--recall-sizes 5000,20000]``

For each size it builds the bench corpus (``bench/corpus.py``) with provarchive, then:

- builds it cold with and without search (``search: false``) and reports the CPU
  seconds of each build with its workers, and their difference, the cost of search;
- times ``build_search_index`` alone, in a process of its own, on the documents and texts the
  build gives it (CPU seconds, and wall seconds; the machine may be shared, so CPU is
  the steadier figure) with the growth of its peak resident memory (Linux: ``VmHWM``
  from the start of the index build, the texts of the articles already loaded), and measures the index on disk: bytes, blocks used (``du``),
  files;
- opens the built search page in headless Chromium, once per query in a fresh browser
  context (no cache), for ``--queries`` random 2-4 character substrings of title and
  body runs, and counts the bytes and files of every response until the first page of
  results is shown (the page and its script, and the index files apart);
- for the sizes in ``--recall-sizes``, checks in the same browser, with the page's own
  search.js loading index files by script tags as the page does, that each query finds
  the article it was cut from (walking all results until it is found).

``--src`` runs another checkout's provarchive (``/path/to/src``): the same measures of
the index of an earlier version, for a before/after table. ``--pagefind`` also runs
Pagefind (npm package ``pagefind``, installed under ``bench/.pagefind``) on the article
pages of the same output and reports its time, memory, size, files and bytes per query
(its index and the first 10 results; 1.6 GB of memory at 5,000 articles).
Results are printed and written as JSON to ``bench/results/search-latest.json``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("PROVARCHIVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def build_output(site: Path, src: Path | None, out: Path) -> tuple[float, float]:
    """Build ``site`` into ``out`` with provarchive (of ``src`` if given), cold; return
    (wall seconds, CPU seconds of the build and its workers)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "provarchive", "build", str(site), "-q", "--no-cache",
                    "-o", str(out)], check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - started, cpu


def time_index(site: Path, src: Path | None) -> tuple[dict[str, float], list[tuple[str, str, str]]]:
    """Time ``build_search_index`` on the site's documents; also return (url, title, text)
    of every article, for queries. Runs in a child process so ``--src`` applies."""
    code = r"""
import json, sys, time
from pathlib import Path
from provarchive.config import load_config
from provarchive.graph import build_graph
from provarchive.search import build_search_index, document_text
try:  # the documents' module of this version, or of one before it had its own
    from provarchive.search_docs import search_docs
except ImportError:
    from provarchive.search import search_docs
site = Path(sys.argv[1])
config = load_config(site)
try:  # the content reader of this version, or of one before the build's stages were typed
    from provarchive.walk import scan_content
    from provarchive.reading import read_content
    tree = read_content(site, config, scan_content(site), drafts=False, jobs=2)
    articles = list(tree.articles.values())
except ImportError:
    from provarchive.content import read_content
    from provarchive.markup import MarkdownRenderer
    tree = read_content(site, config, MarkdownRenderer(config.markdown))
    articles = tree.articles
graph = build_graph(tree.columns, articles)
docs = search_docs(graph, "bench")
def text_of(ids):
    return {i: document_text(graph.articles[i]) for i in ids}
def resident(field):
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith(field + ":")) // 1024
base = resident("VmRSS")
with open("/proc/self/clear_refs", "w") as refs:  # the peak (VmHWM) starts again from here
    refs.write("5")
cpu, wall = time.process_time(), time.perf_counter()
try:  # files written as they are made (an IndexSink), or returned (before)
    from provarchive.search import IndexSink
    build_search_index(docs, text_of, IndexSink(lambda path, data: None))
except ImportError:
    files, _ = build_search_index(docs, text_of)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
growth = resident("VmHWM") - base
rows = [(a.url, a.title, document_text(a)) for a in graph.articles.values()]
import provarchive.search as module
json.dump({"cpu_s": cpu, "wall_s": wall, "growth": growth, "rows": rows,
           "module": module.__file__}, sys.stdout, ensure_ascii=False)
"""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    result = subprocess.run([sys.executable, "-c", code, str(site)], check=True, env=env,
                            capture_output=True, text=True)
    data = json.loads(result.stdout)
    if src is not None and not data["module"].startswith(str(src.resolve())):
        raise SystemExit(f"--src {src}: provarchive came from {data['module']}")
    timing = {"cpu_s": data["cpu_s"], "wall_s": data["wall_s"], "peak_growth_mib": data["growth"]}
    return timing, [tuple(r) for r in data["rows"]]


def disk(folder: Path) -> dict[str, float]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "du_bytes": sum(p.stat().st_blocks * 512 for p in files)}


def pick_queries(rows: list[tuple[str, str, str]], count: int, seed: int) -> list[tuple[str, str]]:
    """Random 2-4 character substrings of title or body runs, with the article's URL."""
    rng = random.Random(seed)
    picks: list[tuple[str, str]] = []
    while len(picks) < count:
        url, title, text = rng.choice(rows)
        runs = [r for r in RUN.findall(fold(title if rng.random() < 0.3 else text)) if len(r) >= 2]
        if not runs:
            continue
        run = rng.choice(runs)
        length = rng.randint(2, min(4, len(run)))
        start = rng.randrange(0, len(run) - length + 1)
        picks.append((run[start : start + length], url))
    return picks


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


SETTLED = """() => { const s = document.getElementById('search-status');
  return s && s.textContent && s.textContent.indexOf('正在搜索') < 0; }"""

RECALL = """async ([queries]) => {
  const api = window.ProvarchiveSearch, pending = {};
  api.deliver = (name, data) => { if (pending[name]) { pending[name](data); delete pending[name]; } };
  const base = document.querySelector('script[data-index]').getAttribute('data-index')
    .replace(/meta\\.js$/, '');
  const searcher = new api.Searcher((name) => new Promise((resolve, reject) => {
    pending[name] = resolve;
    const tag = document.createElement('script');
    tag.src = base + name + '.js';
    tag.onerror = () => reject(new Error(name));
    document.head.appendChild(tag);
  }));
  const found = [];
  for (const [query, url] of queries) {
    const search = await searcher.search(query);
    let hit = false;
    while (!hit && !search.done()) {
      for (const doc of await search.next(50)) { if (doc.url === url) { hit = true; } }
    }
    found.push(hit);
  }
  return found;
}"""


def browse(out: Path, queries: list[tuple[str, str]], recall: bool) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    server, root = serve(out)
    per_query: list[dict[str, float]] = []
    found: list[bool] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for query, _ in queries:
                context = browser.new_context()
                page = context.new_page()
                responses: list = []
                page.on("response", lambda response, seen=responses: seen.append(response))
                page.goto(f"{root}search.html?q={quote(query)}", wait_until="load")
                page.wait_for_function(SETTLED, timeout=120_000)
                page.wait_for_load_state("networkidle")
                responses = [r for r in responses if r.status == 200]
                index = [r for r in responses if "/search/" in r.url]
                per_query.append({
                    "index_bytes": sum(len(r.body()) for r in index),
                    "index_files": len(index),
                    "all_bytes": sum(len(r.body()) for r in responses),
                    "results": page.locator("#search-results li").count(),
                })
                context.close()
            if recall:
                page = browser.new_page()
                page.goto(f"{root}search.html", wait_until="load")
                found = page.evaluate(RECALL, [[list(q) for q in queries]])
            browser.close()
    finally:
        server.shutdown()
    index_bytes = [q["index_bytes"] for q in per_query]
    files = [q["index_files"] for q in per_query]
    return {
        "query_index_bytes_median": statistics.median(index_bytes),
        "query_index_bytes_max": max(index_bytes),
        "query_index_bytes_p90": sorted(index_bytes)[int(len(index_bytes) * 0.9)],
        "query_files_median": statistics.median(files),
        "query_files_max": max(files),
        "query_all_bytes_median": statistics.median(q["all_bytes"] for q in per_query),
        "queries_without_results": sum(1 for q in per_query if q["results"] == 0),
        "recall": (sum(found) / len(found)) if found else None,
        "missed": [q for q, hit in zip(queries, found, strict=False) if not hit][:10],
    }


PAGEFIND_QUERY = """async ([query]) => {
  const pagefind = await import('/pagefind/pagefind.js');
  const search = await pagefind.search(query);
  const shown = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  return [search.results.length, shown.map((d) => d.url)];
}"""


def browse_pagefind(out: Path, queries: list[tuple[str, str]]) -> dict[str, object]:
    """What a Pagefind query downloads (its index and the first 10 results' fragments)."""
    from playwright.sync_api import sync_playwright

    server, root = serve(out)
    per_query: list[tuple[int, int, int, bool, int]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for query, url in queries:
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{root}404.html", wait_until="load")
                responses: list = []
                page.on("response", lambda response, seen=responses: seen.append(response))
                count, urls = page.evaluate(PAGEFIND_QUERY, [query])
                page.wait_for_load_state("networkidle")
                index = [r for r in responses if "/pagefind/" in r.url and r.status == 200]
                code = [r for r in index if r.url.endswith((".js", ".pagefind"))]
                per_query.append((sum(len(r.body()) for r in index), len(index), count,
                                  any(u.strip("/") == url.strip("/") for u in urls),
                                  sum(len(r.body()) for r in code)))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return {
        "query_bytes_median": statistics.median(q[0] for q in per_query),
        "query_index_bytes_median": statistics.median(q[0] - q[4] for q in per_query),
        "query_index_bytes_max": max(q[0] - q[4] for q in per_query),
        "query_bytes_max": max(q[0] for q in per_query),
        "query_files_median": statistics.median(q[1] for q in per_query),
        "query_files_max": max(q[1] for q in per_query),
        "queries_without_results": sum(1 for q in per_query if q[2] == 0),
        "target_in_first_10": sum(1 for q in per_query if q[3]) / len(per_query),
    }


def pagefind(out: Path) -> dict[str, float] | None:
    """Pagefind on the article pages of ``out`` (installed from npm once)."""
    home = HERE / ".pagefind"
    binary = home / "node_modules" / ".bin" / "pagefind"
    if not binary.exists():
        if shutil.which("npm") is None:
            print("npm not found: Pagefind is left out", flush=True)
            return None
        home.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(home), "--no-audit", "--no-fund",
                        "pagefind@1"], check=True)
    target = out / "pagefind"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(binary), "--site", str(out), "--glob", "**/t*.html",
                    "--output-path", str(target)], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": time.perf_counter() - started,
            "cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "peak_rss_mib": after.ru_maxrss // 1024, **disk(target)}


def measure(sizes: list[int], queries: int, recall_sizes: list[int], pagefind_too: bool,
            src: Path | None = None) -> dict[str, object]:
    """The rows of every size (see the module docstring), printed as they come."""
    results: dict[str, object] = {}
    for count in sizes:
        site = bench_run.make_corpus("provarchive", count)
        out = bench_run.fresh_folder(f"search-{count}")
        out.parent.mkdir(parents=True, exist_ok=True)
        twin = bench_run.fresh_folder(f"search-off-{count}")
        _, off_cpu = build_output(bench_run.nosearch_site(site), src, twin)
        shutil.rmtree(twin, ignore_errors=True)
        wall, cpu = build_output(site, src, out)
        row: dict[str, object] = {"cold_build_wall_s": wall, "cold_build_cpu_s": cpu,
                                  "cold_build_nosearch_cpu_s": off_cpu,
                                  "search_share_of_build_cpu_s": cpu - off_cpu}
        timing, rows = time_index(site, src)
        row.update({f"index_{key}": value for key, value in timing.items()})
        row.update({f"index_{key}": value for key, value in disk(out / "search").items()})
        picked = pick_queries(rows, queries, seed=count)
        row.update(browse(out, picked, count in recall_sizes))
        built = pagefind(out) if pagefind_too else None
        if built is not None:
            row["pagefind"] = {**built, **browse_pagefind(out, picked)}
        results[str(count)] = row
        print(f"\nsearch index, {count:,} articles ({src or 'this checkout'})", flush=True)
        for key, value in row.items():
            print(f"  {key:<28}{value}", flush=True)
        shutil.rmtree(out, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,20000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--recall-sizes", default="5000,20000")
    parser.add_argument("--src", default="", help="the src/ folder of another checkout")
    parser.add_argument("--pagefind", action="store_true")
    parser.add_argument("--out", default=str(HERE / "results" / "search-latest.json"))
    args = parser.parse_args()
    results = {
        "src": args.src or "this checkout",
        "sizes": measure(
            [int(size) for size in args.sizes.split(",")],
            args.queries,
            [int(size) for size in args.recall_sizes.split(",") if size],
            args.pagefind,
            Path(args.src) if args.src else None,
        ),
    }
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    print(f"results written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
