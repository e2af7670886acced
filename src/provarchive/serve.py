"""``provarchive serve``: build, serve over HTTP, watch, rebuild, and reload open pages.

The site is built (incrementally, with the build cache) into a folder of its own in
the cache, never into the published output, so drafts shown while editing cannot be
published by mistake. Served HTML pages get a small script, added on the way out
(the files on disk stay clean), that listens on ``/__provarchive/events`` (server-
sent events): ``reload`` after a successful rebuild (which also clears a problem
overlay), ``problem`` with the messages of a failed one, shown in an overlay naming
file and line.
The site is served under its ``base_url`` path, so subfolder sites work locally.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import queue
import stat
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .ahead import Ahead
from .build import CACHE_DIR, BuildOptions, build_site
from .config import CONFIG_FILE, load_config
from .content import CONTENT_DIR
from .errors import ErrorGroup, ProvarchiveError, counted
from .faults import fault
from .parallel import default_jobs
from .preload import Preloaded
from .render import TEMPLATES_DIR
from .topics import TOPICS_DIR
from .walk import ContentScan, rescan, scan_content

EVENTS_PATH = "/__provarchive/events"
"""Where served pages listen for reload and problem events."""
SERVE_DIR = "serve"
"""Folder inside the site's cache that ``serve`` builds into."""
WATCH_TIMEOUT_MS = 100
"""How long the watcher waits for a change before it says it is watching (and again)."""

_CLIENT_SCRIPT = """<script>
(function () {
  var source = new EventSource("EVENTS");
  function overlay(messages) {
    var box = document.getElementById("provarchive-problems");
    if (!box) {
      box = document.createElement("div");
      box.id = "provarchive-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;background:#2b0b0b;color:#fff;font:14px/1.6 monospace;" +
        "padding:16px 20px;border-top:4px solid #e53935;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "provarchive: the last build failed\\n\\n" + messages.join("\\n");
  }
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("problem", function (event) {
    overlay(JSON.parse(event.data));
  });
})();
</script>
""".replace("EVENTS", EVENTS_PATH)


@dataclass
class Hub:
    """The state shown to browsers, and the event queues of connected pages."""

    problems: list[str] = field(default_factory=list)
    """Messages of the last build when it failed; empty when it succeeded."""
    generation: int = 0
    """Counts successful builds."""
    listeners: list[queue.Queue[tuple[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, event: str, data: str) -> None:
        """Send an event to every connected page."""
        with self.lock:
            for listener in self.listeners:
                listener.put((event, data))

    def subscribe(self) -> queue.Queue[tuple[str, str]]:
        """Return a new queue that receives every event from now on."""
        listener: queue.Queue[tuple[str, str]] = queue.Queue()
        with self.lock:
            self.listeners.append(listener)
            if self.problems:
                listener.put(("problem", json.dumps(self.problems, ensure_ascii=False)))
        return listener

    def unsubscribe(self, listener: queue.Queue[tuple[str, str]]) -> None:
        """Forget a page that went away."""
        with self.lock:
            if listener in self.listeners:
                self.listeners.remove(listener)


def serve_dir(site_dir: Path) -> Path:
    """Return the folder ``serve`` builds into."""
    return site_dir / CACHE_DIR / SERVE_DIR


Ready = tuple[ContentScan | None, Preloaded | None]
"""``content/`` walked again after a build, and the state the build left, loaded (None
for either that failed: the next build walks, or loads, and words the fault)."""


@dataclass(frozen=True)
class Warm:
    """What ``serve`` makes ready for the next build while it waits for an edit:
    ``content/`` walked again (in a process of its own) and the state the last build
    left, loaded. After the edit, that walk is rescanned with the paths the watcher
    reported (see :func:`walk.rescan`): the watcher is trusted for the moments since
    the walk began, and a change it never reported before then is in the walk. At
    100,000 articles a build walked (0.47 s) and loaded (0.6 s) before it read the
    file saved."""

    ready: Future[Ready]

    @classmethod
    def after(cls, site_dir: Path, loader: ThreadPoolExecutor) -> Warm:
        """Start making ready, in ``loader``, for the next build."""
        walking = Ahead(partial(scan_content, site_dir), default_jobs())  # forked first
        return cls(loader.submit(_made_ready, walking, site_dir))


def content_now(
    site_dir: Path, changed: Collection[str] | None, walked: ContentScan | None
) -> ContentScan | None:
    """The walk of ``content/`` after the ``changed`` files were saved: the walk made
    ready (``walked``) rescanned, if a rescan can tell it; else None, for the build to
    walk (also when the watcher could not say what changed: it started again)."""
    if walked is None or changed is None:
        return None
    return rescan(walked, site_dir, changed)


def _made_ready(walking: Ahead[ContentScan], site_dir: Path) -> Ready:
    """The walk ``walking`` makes and the state the last build left, loaded meanwhile,
    its cached articles' files split by that walk (see :meth:`Preloaded.walked`)."""
    with walking:
        try:
            preloaded: Preloaded | None = Preloaded.load(site_dir / CACHE_DIR, serve_dir(site_dir))
        except Exception:  # the build meets the same fault, and words it
            preloaded = None
        try:
            walked = walking.result()
        except Exception:
            return None, preloaded
        return walked, preloaded.walked(walked) if preloaded is not None else None


def rebuild(
    site_dir: Path,
    drafts: bool,
    hub: Hub,
    say: Callable[[str], None],
    warm: Warm | None = None,
    changed: Collection[str] | None = None,
) -> bool:
    """Build into the serve folder and tell the pages; return whether the build
    succeeded. ``warm`` is what was made ready after the last build, ``changed`` the
    files saved since (see :class:`Warm`)."""
    started = time.perf_counter()
    was_broken = bool(hub.problems)

    def swapped() -> None:  # pages may reload as soon as the new files are in place
        hub.problems = []
        hub.generation += 1
        hub.publish("reload", str(hub.generation))

    options = BuildOptions(
        site_dir=site_dir,
        output_dir=serve_dir(site_dir),
        drafts=drafts,
        force=True,
        on_commit=swapped,
    )
    # made ready while serve waited (so no thread of it runs when the build forks)
    again, preloaded = warm.ready.result() if warm is not None else (None, None)
    scan = content_now(site_dir, changed, again)
    walk = partial(scan_content, site_dir)
    walked = Ahead.done(scan) if scan is not None else Ahead(walk, default_jobs())
    try:
        with walked:  # its process ended, even if the build fails before it takes the walk
            report = build_site(options, walked, preloaded)
    except (ProvarchiveError, OSError) as exc:
        if isinstance(exc, OSError):  # a refusal of the machine that the build did not word
            exc = fault(exc, exc.filename or site_dir, "building the site")
        messages = [str(e) for e in (exc if isinstance(exc, ErrorGroup) else [exc])]
        for message in messages:
            say(message)
        say(
            f"build failed ({counted(len(messages), 'error')}); "
            "the server shows the last good build"
        )
        hub.problems = messages
        hub.publish("problem", json.dumps(messages, ensure_ascii=False))
        return False
    for warning in report.warnings:
        say(str(warning))
    if report.nothing_changed:
        if was_broken:  # fixed back to the last good state: nothing was swapped in
            swapped()
        return True
    say(
        f"rebuilt: {counted(report.written, 'page')} written, {report.unchanged} unchanged, "
        f"{time.perf_counter() - started:.2f} s"
    )
    return True


def make_handler(root: Path, prefix: str, hub: Hub) -> type[http.server.BaseHTTPRequestHandler]:
    """Return a request handler serving ``root`` under the URL path ``prefix``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "provarchive"

        def log_message(self, format: str, *args: object) -> None:  # quiet, as Hugo is
            return

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path == EVENTS_PATH:
                self._events()
                return
            if not path.startswith(prefix):
                self._redirect(prefix)
                return
            relative = path[len(prefix) :]
            target = (root / relative).resolve()
            if root.resolve() not in (target, *target.parents):
                self._send(403, b"forbidden", "text/plain; charset=utf-8")
                return
            if target.is_dir():
                if not path.endswith("/"):
                    self._redirect(path + "/")
                    return
                target = target / "index.html"
            if not target.is_file():
                missing = root / "404.html"
                body = missing.read_bytes() if missing.is_file() else b"not found"
                self._send(404, self._inject(body), "text/html; charset=utf-8")
                return
            body = target.read_bytes()
            kind = _content_type(target)
            if kind.startswith("text/html"):
                body = self._inject(body)
            self._send(200, body, kind)

        def _inject(self, body: bytes) -> bytes:
            script = _CLIENT_SCRIPT.encode("utf-8")
            at = body.rfind(b"</body>")
            return body[:at] + script + body[at:] if at >= 0 else body + script

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            listener = hub.subscribe()
            try:
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                while True:
                    try:
                        event, data = listener.get(timeout=15)
                        message = f"event: {event}\ndata: {data}\n\n"
                    except queue.Empty:
                        message = ": keep-alive\n\n"
                    self.wfile.write(message.encode("utf-8"))
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                hub.unsubscribe(listener)

    return Handler


def _content_type(path: Path) -> str:
    types = {
        ".html": "text/html; charset=utf-8",
        ".htm": "text/html; charset=utf-8",
        ".shtml": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".txt": "text/plain; charset=utf-8",
        ".json": "application/json",
        ".pdf": "application/pdf",
    }
    return types.get(path.suffix.lower(), "application/octet-stream")


INPUT_FOLDERS = (CONTENT_DIR, TEMPLATES_DIR, TOPICS_DIR)
"""The folders of a site that a build reads, watched with everything in them."""


@dataclass(frozen=True)
class WatchedInputs:
    """What ``serve`` watches of a site: its input folders (those that exist), each with
    everything in it, and ``site.yaml`` by its signature. Never the whole site folder,
    which holds the build cache (with the preview ``serve`` builds itself) and often
    the published output: at 20,000 articles the watcher's backlog of the preview's
    first build, 37,000 new pages, held back the first edit after it by 7.7 s."""

    folders: tuple[Path, ...]
    identities: tuple[tuple[int, int], ...]
    """The device and inode of each of ``folders``: one removed and made again (a
    checkout of another branch) is a new folder, to be watched again."""
    config: tuple[int, int, int, int] | None
    """``site.yaml``'s inode, size, modification and change times; None when absent."""

    @classmethod
    def of(cls, site_dir: Path) -> WatchedInputs:
        """The inputs of ``site_dir`` as they are now."""
        folders: dict[Path, tuple[int, int]] = {}
        for name in INPUT_FOLDERS:
            found = _stat(site_dir / name)
            if found is not None and stat.S_ISDIR(found.st_mode):
                folders[site_dir / name] = (found.st_dev, found.st_ino)
        config = _stat(site_dir / CONFIG_FILE)
        return cls(
            tuple(folders),
            tuple(folders.values()),
            None
            if config is None
            else (config.st_ino, config.st_size, config.st_mtime_ns, config.st_ctime_ns),
        )

    def moved(self, other: WatchedInputs) -> bool:
        """Whether ``other`` watches other folders than these."""
        return (self.folders, self.identities) != (other.folders, other.identities)

    def lost(self, changes: set[tuple[object, str]]) -> bool:
        """Whether ``changes`` touch one of the folders itself (removed, say, and maybe
        made again with the same inode): its watch is gone."""
        folders = set(map(str, self.folders))
        return any(path in folders for _, path in changes)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _editor_file(_change: object, path: str) -> bool:
    """Watch filter: False for editors' hidden temporary files (``.name.swp``) and
    backups (``name~``), which no build reads. Not for other names (a ``name.tmp`` in
    ``content/`` is a file the site publishes): after an edit, ``serve`` looks again
    only at the files the watcher reports (see :class:`Warm`)."""
    name = os.path.basename(path)
    return not (name.startswith(".") or name.endswith("~"))


def input_changes(site_dir: Path, stop: threading.Event) -> Iterator[frozenset[str] | None]:
    """Yield None once the watcher is in place, then the paths changed after every
    change to the inputs of ``site_dir`` (see :class:`WatchedInputs`): each yield asks
    for a build. A save made after a yield is never missed, and is in a later yield.

    ``site.yaml`` (which editors often save as a new file renamed over the old) and the
    input folders made or removed are looked at each time the watcher reports, at least
    every :data:`WATCH_TIMEOUT_MS`; a folder made or removed starts the watcher again.
    """
    from watchfiles import watch  # only the dev server needs it

    while not stop.is_set():
        inputs = WatchedInputs.of(site_dir)
        changes = watch(
            *(inputs.folders or (site_dir,)),
            watch_filter=_editor_file,
            stop_event=stop,
            debounce=50,
            step=20,
            rust_timeout=WATCH_TIMEOUT_MS,
            yield_on_timeout=True,
            raise_interrupt=True,
            recursive=bool(inputs.folders),
        )
        with contextlib.closing(changes):
            next(changes)  # the watcher is in place
            yield None
            for changed in changes:
                now = WatchedInputs.of(site_dir)
                if now.moved(inputs) or inputs.lost(changed):
                    break  # watched again, then built
                if changed or now.config != inputs.config:
                    inputs = now
                    yield frozenset(path for _, path in changed)


def _start_server(
    root: Path, prefix: str, hub: Hub, host: str, port: int
) -> http.server.ThreadingHTTPServer:
    """Start serving ``root`` under ``prefix`` in a thread of its own."""
    try:
        server = http.server.ThreadingHTTPServer((host, port), make_handler(root, prefix, hub))
    except OSError as exc:
        raise ProvarchiveError(
            f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
        ) from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve(site_dir: Path, host: str, port: int, drafts: bool, say: Callable[[str], None]) -> int:
    """Build, serve and watch until interrupted; return the exit status."""
    config = load_config(site_dir)
    site_dir = site_dir.resolve()
    prefix = urlsplit(config.base_url).path or "/"
    hub = Hub()
    root = serve_dir(site_dir)
    try:  # the folder it serves, and the build cache around it: without them, nothing to do
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fault(exc, root, "preparing the folder the site is served from") from None
    stop = threading.Event()
    server = None
    warm = None
    loader = ThreadPoolExecutor(1, thread_name_prefix="preload")
    try:
        for changed in input_changes(site_dir, stop):
            rebuild(site_dir, drafts, hub, say, warm, changed)
            warm = Warm.after(site_dir, loader)
            if server is None:
                server = _start_server(root, prefix, hub, host, port)
                shown_host = f"[{host}]" if ":" in host else host
                say(
                    f"serving {site_dir} at http://{shown_host}:{server.server_address[1]}"
                    f"{prefix} (Ctrl-C to stop)"
                )
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        loader.shutdown(cancel_futures=True)
        if server is not None:
            server.shutdown()
            server.server_close()
    say("stopped")
    return 0
