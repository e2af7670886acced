"""provarchive serve: a real server on a free port, real edits, real reload events."""

from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import article, column, run_cli
from provarchive import walk
from provarchive.serve import Warm, WatchedInputs, content_now, serve_dir

CONFIG = "title: 预览站\nbase_url: https://p.example.gov.cn/archive/\nper_page: 5\n"
LIMIT = 120
"""Seconds any wait may take: generous, for a busy machine; a wait ends as soon as its
condition holds, so a healthy run never comes near it."""


def _ctrl_c_as_in_a_terminal() -> None:
    """Let SIGINT interrupt the server as Ctrl-C does in a terminal, even when the tests
    run in the background of a shell without job control, whose commands inherit
    SIGINT ignored (then Python installs no handler for it, and Ctrl-C is a no-op)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """A running ``provarchive serve`` and a listener on its event stream."""

    def __init__(self, site: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "provarchive", "serve", str(site), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_ctrl_c_as_in_a_terminal,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_output, daemon=True).start()
        self.port = int(self.wait_for(r"serving .* at http://127\.0\.0\.1:(\d+)/archive/").group(1))
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self._listen, daemon=True).start()
        self.wait_event_stream()

    def _read_output(self):
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, seen: list[str] | None = None) -> re.Match:
        """Wait for a printed line matching ``pattern``; lines before it go to ``seen``."""
        deadline = time.monotonic() + LIMIT
        seen = [] if seen is None else seen
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r}; saw {seen}") from None
            match = re.search(pattern, line)
            if match:
                return match
            seen.append(line)

    def _listen(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=LIMIT)
        connection.request("GET", "/__provarchive/events")
        response = connection.getresponse()
        event = None
        self.events.put(("connected", ""))
        for raw in response:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: ") and event:
                self.events.put((event, line[len("data: ") :]))
                event = None

    def wait_event_stream(self):
        assert self.events.get(timeout=LIMIT) == ("connected", "")

    def next_event(self) -> tuple[str, str]:
        return self.events.get(timeout=LIMIT)

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=LIMIT)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=LIMIT)


@pytest.fixture
def served(make_site):
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/a.md": article("第一篇", "2024-05-08", body="最初的正文。"),
            "content/zhxx/b.md": article("第二篇", "2024-05-09", body="另一篇正文。", draft="true"),
        },
        config=CONFIG,
    )
    server = Server(site)
    yield site, server
    if server.process.poll() is None:
        server.process.kill()


def test_serves_pages_under_base_path_with_reload_script(served):
    site, server = served
    status, html = server.get("/archive/zhxx/202405/a.html")
    assert status == 200 and "最初的正文。" in html
    assert "/__provarchive/events" in html
    assert "/__provarchive/events" not in next(
        (site / ".provarchive-cache/serve").rglob("a.html")
    ).read_text("utf-8")
    assert not (site / "public").exists(), "serve must not write the published output"
    assert server.get("/archive/zhxx/202405/b.html")[0] == 404, "drafts only with --drafts"
    status, missing = server.get("/archive/no/such/page.html")
    assert status == 404 and "页面未找到" in missing


def save_and_see(site: Path, server: Server, body: str) -> None:
    """Save the article a.md with ``body``; the served page reloads and shows it."""
    (site / "content/zhxx/a.md").write_text(article("第一篇", "2024-05-08", body=body), "utf-8")
    assert server.next_event()[0] == "reload"
    assert body in server.get("/archive/zhxx/202405/a.html")[1]


def test_editing_a_file_rebuilds_and_reloads(served):
    site, server = served
    save_and_see(site, server, "改过的正文。")


def put(site: Path, path: str, text: str) -> None:
    """Save a file as many editors do: written under a hidden name, renamed into place."""
    file = site / "content" / path
    file.parent.mkdir(exist_ok=True)
    hidden = file.with_name(f".{file.name}.new")
    hidden.write_text(text, "utf-8")
    os.replace(hidden, file)


def see(server: Server, path: str, shown: Callable[[int, str], bool]) -> None:
    """Wait, build after build, until the page at ``path`` is ``shown`` (status, HTML)."""
    while not shown(*server.get(path)):
        assert server.next_event()[0] == "reload"


def test_files_saved_and_removed_while_serving_are_built(served):
    site, server = served  # each change seen by looking again at the files saved
    put(site, "zhxx/c.md", article("第三篇", "2024-05-10", body="新存的一篇。"))
    see(server, "/archive/zhxx/202405/c.html", lambda status, html: "新存的一篇。" in html)
    assert "第三篇" in server.get("/archive/zhxx/")[1], "the column lists it"
    put(site, "zhxx/guide.txt", "办事指南")
    see(server, "/archive/zhxx/guide.txt", lambda status, text: text == "办事指南")
    (site / "content/zhxx/c.md").unlink()
    see(server, "/archive/zhxx/202405/c.html", lambda status, html: status == 404)
    assert "第三篇" not in server.get("/archive/zhxx/")[1]
    put(site, "tpxw/d.md", article("图片新闻", "2024-05-11", body="新栏目里的一篇。"))
    see(server, "/archive/tpxw/202405/d.html", lambda status, html: "新栏目里的一篇。" in html)
    save_and_see(site, server, "新栏目之后再改。")


def test_a_build_into_the_preview_folder_while_serving_is_not_undone_by_stale_state(served):
    site, server = served  # the state serve loaded ahead is that of the build before it
    preview = site / ".provarchive-cache/serve"
    assert run_cli("build", site, "--drafts", "-o", preview, "--force").code == 0
    assert (preview / "zhxx/202405/b.html").is_file()  # the draft, built in
    save_and_see(site, server, "另一次构建之后。")
    assert server.get("/archive/zhxx/202405/b.html")[0] == 404, "serve shows no drafts"


def test_a_save_the_watcher_never_reported_is_found_by_the_walk_after_the_build(make_site):
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/a.md": article("第一篇", "2024-05-08"),
        },
        config=CONFIG,
    )
    assert run_cli("build", site, "-o", serve_dir(site), "--force").code == 0
    (site / "content/zhxx/b.md").write_text(article("没报告的一篇", "2024-05-09"), "utf-8")
    with ThreadPoolExecutor(1) as loader:  # the file above saved before: never reported
        again, preloaded = Warm.after(site, loader).ready.result()
    assert preloaded is not None and preloaded.current() is preloaded.previous
    saved = site / "content/zhxx/a.md"  # a save the watcher reports
    saved.write_text(article("第一篇", "2024-05-08", body="改过。"), "utf-8")
    scan = content_now(site, {str(saved)}, again)
    assert scan is not None and list(scan.markdown) == ["zhxx/a.md", "zhxx/b.md"]
    assert scan.markdown["zhxx/a.md"] == walk.signature(saved.stat())
    assert content_now(site, None, again) is None, "the watcher started again: a whole walk"
    assert content_now(site, {str(saved)}, None) is None, "no walk made ready: a whole walk"


def test_the_build_cache_removed_while_serving_is_made_again(served):
    site, server = served  # the state loaded ahead for the next build is not used
    # as a user would: the server's old output in there may be going meanwhile (removed
    # by a process of its own), which rm -f does not count as an error
    subprocess.run(["rm", "-rf", str(site / ".provarchive-cache")], check=True)
    save_and_see(site, server, "缓存删掉以后。")
    assert (site / ".provarchive-cache/serve/zhxx/202405/a.html").is_file()


def test_a_broken_file_shows_its_error_and_fixing_it_clears_it(served):
    site, server = served
    page = site / "content/zhxx/a.md"
    page.write_text("---\ntitle: 第一篇\ndate: 明天\n---\n正文。\n", "utf-8")
    event, data = server.next_event()
    assert event == "problem"
    assert "a.md:3: error: 'date' must look like 2023-07-09" in data
    server.wait_for(r"a\.md:3: error:")
    status, html = server.get("/archive/zhxx/202405/a.html")
    assert status == 200 and "最初的正文。" in html, "the last good build is still served"
    save_and_see(site, server, "修好了。")


def test_ctrl_c_stops_cleanly(served):
    _, server = served
    assert server.stop() == 0
    server.wait_for("stopped")


def test_a_failed_rebuild_counts_the_errors_it_printed(served):
    site, server = served
    (site / "content/zhxx/a.md").write_text("---\ntitle: [1]\ndate: 明天\n---\n正文。\n", "utf-8")
    printed: list[str] = []
    # two in the file (an article with errors is not also reported as an emptied site)
    server.wait_for(r"^build failed \(2 errors\); the server shows the last good build$", printed)
    assert len([line for line in printed if ": error: " in line]) == 2, printed


def test_a_templates_folder_made_while_serving_is_watched_from_then_on(served):
    site, server = served
    override = '{% extends "base.html" %}{% block main %}<p class="mine">MARK</p>{% endblock %}'
    (site / "templates.new").mkdir()
    (site / "templates.new/article.html").write_text(override.replace("MARK", "新模板"), "utf-8")
    (site / "templates.new").rename(site / "templates")
    assert server.next_event()[0] == "reload"
    assert '<p class="mine">新模板</p>' in server.get("/archive/zhxx/202405/a.html")[1]
    # a file saved in the new folder afterwards is seen too: the folder is watched
    (site / "templates/article.html").write_text(override.replace("MARK", "再改"), "utf-8")
    assert server.next_event()[0] == "reload"
    assert '<p class="mine">再改</p>' in server.get("/archive/zhxx/202405/a.html")[1]


def test_a_content_folder_put_in_place_of_the_old_one_is_watched(served):
    site, server = served  # as a checkout of another branch does
    shutil.copytree(site / "content", site / "content.new")
    (site / "content.new/zhxx/a.md").write_text(
        article("第一篇", "2024-05-08", body="另一个分支的正文。"), "utf-8"
    )
    (site / "content").rename(site / "content.old")
    (site / "content.new").rename(site / "content")
    assert server.next_event()[0] == "reload"
    assert "另一个分支的正文。" in server.get("/archive/zhxx/202405/a.html")[1]
    save_and_see(site, server, "换过文件夹后再改。")


def test_a_templates_folder_removed_and_made_again_is_watched_again(served):
    site, server = served
    override = '{% extends "base.html" %}{% block main %}<p class="mine">MARK</p>{% endblock %}'
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(override.replace("MARK", "一"), "utf-8")
    assert server.next_event()[0] == "reload"
    assert '<p class="mine">一</p>' in server.get("/archive/zhxx/202405/a.html")[1]
    shutil.rmtree(site / "templates")
    (site / "templates").mkdir()  # at once: the file system may give it the same inode
    events = [server.next_event()[0]]
    (site / "templates/article.html").write_text(override.replace("MARK", "二"), "utf-8")
    while '<p class="mine">二</p>' not in server.get("/archive/zhxx/202405/a.html")[1]:
        events.append(server.next_event()[0])
    assert set(events) == {"reload"}


def test_site_yaml_saved_as_a_new_file_is_seen_every_time(served):
    site, server = served
    for title in ("第二个名字", "第三个名字"):  # as editors save: a new file renamed over it
        (site / "site.yaml.new").write_text(CONFIG.replace("预览站", title), "utf-8")
        os.replace(site / "site.yaml.new", site / "site.yaml")
        assert server.next_event()[0] == "reload"
        assert f"<title>第一篇 - {title}</title>" in server.get("/archive/zhxx/202405/a.html")[1]


def test_the_watcher_leaves_out_the_cache_and_the_published_output(make_site):
    site = make_site({"content/zhxx/_column.yaml": column("综合资讯")}, config=CONFIG)
    (site / "content/zhxx/a.md").write_text(article("第一篇", "2024-05-08"), "utf-8")
    assert run_cli("build", site).code == 0
    assert (site / "public").is_dir() and (site / ".provarchive-cache").is_dir()
    assert WatchedInputs.of(site).folders == (site / "content",)
    (site / "topics").mkdir()
    (site / "templates").mkdir()
    inputs = WatchedInputs.of(site)
    assert inputs.folders == (site / "content", site / "templates", site / "topics")
    assert not inputs.moved(WatchedInputs.of(site))
    (site / "topics").rename(site / "topics.old")
    (site / "topics").mkdir()  # another folder in its place
    assert inputs.moved(WatchedInputs.of(site))
    before = inputs.config
    (site / "site.yaml").write_text(CONFIG + "search: false\n", "utf-8")
    assert WatchedInputs.of(site).config not in (None, before)
    (site / "site.yaml").unlink()
    assert WatchedInputs.of(site).config is None
