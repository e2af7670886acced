"""Time from saving an article to the browser being able to show the new text.

``python bench/serve_latency.py [N] [EDITS] [--fresh]`` starts ``provarchive serve`` on
the synthetic archive of N articles (default 5,000), listens to the reload events as a
browser does, saves an edit to one article EDITS times (default 7), and measures
from the save to the moment the served page holds the new text. Prints each time,
the first and the median of the others, and serve's memory before and after (while
the collector did not run between builds, it grew by 38 MiB an edit at 20,000). With
``--fresh`` the preview's folder is removed first, so that serve starts with a full
build and the first edit follows it (while the watcher looked at the whole site folder,
that edit waited 8 s at 20,000 articles for the watcher to get through the 37,000
pages the build had written). ``make bench`` runs it fresh at the largest size up to
20,000 with 20 edits.
"""

from __future__ import annotations

import http.client
import queue
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import make_corpus

PAUSE = 3.0
"""Seconds between edits: an editor saves, looks, types again."""


def main() -> int:
    numbers = [int(arg) for arg in sys.argv[1:] if arg != "--fresh"]
    count = numbers[0] if numbers else 5000
    edits = numbers[1] if len(numbers) > 1 else 7
    row = measure(count, edits, "--fresh" in sys.argv, say=print)
    print(line(count, row))
    return 0


def line(count: int, row: dict) -> str:
    """The figures of :func:`measure` as one line."""
    return (f"save to new text served, {count:,} articles: first edit {row['first_s']:.3f} s, "
            f"later edits median {row['later_s']:.3f} s over {row['edits'] - 1}; "
            f"serve's memory {row['rss_start_mib']} MiB after its first build, "
            f"{row['rss_end_mib']} MiB after the last edit")


def measure(count: int, edits: int, fresh: bool, say=lambda text: None) -> dict:
    """Serve the archive of ``count`` articles (its preview folder removed first if
    ``fresh``), time ``edits`` edits, and read serve's memory (RSS) before and after."""
    site = make_corpus("provarchive", count)
    if fresh:
        shutil.rmtree(site / ".provarchive-cache" / "serve", ignore_errors=True)
    article = sorted((site / "content/zhxx/yywl").glob("*.md"))[count // 20]
    original = article.read_text("utf-8")
    match = re.search(r"date: (\d{4})-(\d{2})", original)
    assert match is not None
    page = f"/zhxx/yywl/{match.group(1)}{match.group(2)}/{article.stem}.html"
    server = subprocess.Popen(
        [sys.executable, "-m", "provarchive", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in server.stdout], daemon=True).start()
    port = 0
    while not port:
        found = re.search(r"at http://127\.0\.0\.1:(\d+)/", lines.get(timeout=600))
        port = int(found.group(1)) if found else 0
    events: queue.Queue[str] = queue.Queue()

    def listen() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("GET", "/__provarchive/events")
        for raw in connection.getresponse():
            if raw.startswith(b"event: "):
                events.put(raw.decode().strip())

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(1)
    timings = []
    rss_start = _rss_mib(server.pid)
    try:
        for attempt in range(edits):
            marker = f"延迟测试第{attempt}次修改"
            started = time.perf_counter()
            article.write_text(original + f"\n\n{marker}。\n", "utf-8")
            events.get(timeout=60)
            while True:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", page)
                if marker in connection.getresponse().read().decode("utf-8"):
                    break
            timings.append(time.perf_counter() - started)
            say(f"edit {attempt + 1}: {timings[-1]:.3f} s")
            time.sleep(PAUSE)
        rss_end = _rss_mib(server.pid)
    finally:
        article.write_text(original, "utf-8")
        server.terminate()
        server.wait()
    return {"first_s": timings[0], "later_s": statistics.median(timings[1:] or timings),
            "edits": edits, "rss_start_mib": rss_start, "rss_end_mib": rss_end}


def _rss_mib(pid: int) -> int:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) // 1024
    return 0


if __name__ == "__main__":
    sys.exit(main())
