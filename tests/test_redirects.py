"""Legacy URLs answered by real servers: nginx and Apache httpd serve a built site with the
redirect file the build writes for them, included as the README says, and every alias
must answer 301 with the article's public path, which must answer 200.

Each test starts its server on a free loopback port with a minimal configuration written
to a temporary folder and stops it by its process id. The served folder is made readable
by everyone, so that a server started as root (whose workers run as ``nobody``) can read it.
"""

from __future__ import annotations

import contextlib
import grp
import html
import http.client
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import yaml

from conftest import REPO, article, column, require_all, run_cli, write_files
from provarchive.urls import alias_path

APACHE_MODULES = Path("/usr/lib/apache2/modules")
"""Where Debian and Ubuntu keep Apache's modules."""
APACHE_NEEDS = ("mpm_event", "authz_core", "dir", "rewrite")
"""The Apache modules the .htaccess of a site needs (and serving files)."""
START_LIMIT = 60.0
"""Seconds a server may take to listen (generous: the machine may be busy)."""

AWKWARD_ALIASES = [
    "/xxgk/zfxxgkml/bmxxgk/rlzyhshbzj/zcjd/2019/201904/"
    "t20190412_000731_interpretation-of-the-revised-employment-regulations.shtml",
    "/新闻中心/图片新闻/2020年/第一期.html",
    "/old site/news item (1).html",
    "/legacy/100%25 done/a%20b.htm",
    "/cms/view.jsp;jsessionid=AB12&id=7+8=15,x'y!$z{1}.html",
    "/old/~editor/page@2.html",
    "/专题/春季植树/",
]
"""Old paths a real archive has: longer than 100 bytes, Chinese, spaces, percent signs
(literal: an alias is a decoded path, as the importer writes it), query-like characters,
and a folder."""


@dataclass(frozen=True)
class Served:
    """A built site in a folder a server can serve, and what its aliases must answer."""

    root: Path
    """The server's document root."""
    public: Path
    """The build's output folder (``root`` itself or a folder below it)."""
    redirects: tuple[tuple[str, str], ...]
    """(decoded request path, decoded path the 301 must lead to) for every alias."""


def need(*programs: str) -> str:
    """Return the path of the first of ``programs`` installed, or skip (fail under
    PROVARCHIVE_REQUIRE_ALL=1)."""
    for program in programs:
        found = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/local/sbin")
        if found:
            return found
    message = f"{programs[0]} is not installed: the redirect tests run the real server"
    if require_all():
        pytest.fail(f"{message} (PROVARCHIVE_REQUIRE_ALL=1)")
    pytest.skip(message)


@contextlib.contextmanager
def served_folder() -> Iterator[Path]:
    """Yield a new folder outside pytest's private temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="provarchive-served-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def serve_build(site: Path, root: Path, base_path: str) -> Served:
    """Build ``site`` into ``root`` at ``base_path`` (as base_url says) and list its aliases."""
    public = root / base_path.strip("/") if base_path.strip("/") else root
    result = run_cli("build", site, "-o", public)
    assert result.code == 0, result.err
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    redirects = []
    for alias in site_aliases(site):
        stub = alias_path(alias)
        page = (public / stub).read_text("utf-8")
        assert 'http-equiv="refresh"' in page, stub
        target = canonical_path(page)
        assert target.startswith(base_path), target
        redirects.append((base_path + stub, target))
        if stub.endswith("/index.html"):
            redirects.append((base_path + stub[: -len("index.html")], target))
    assert redirects, "the site has aliases"
    return Served(root, public, tuple(redirects))


def canonical_path(page: str) -> str:
    """The decoded path of a page's canonical URL (the article's, on a redirect page)."""
    found = re.search(r'<link rel="canonical" href="([^"]+)">', page)
    return unquote(urlsplit(html.unescape(found.group(1))).path) if found else ""


def site_aliases(site: Path) -> list[str]:
    """Every alias in the front matter of the site's published articles."""
    aliases = []
    for path in sorted((site / "content").rglob("*.md")):
        meta = yaml.safe_load(path.read_text("utf-8").split("---", 2)[1])
        if not meta.get("draft"):
            aliases += meta.get("aliases") or []
    return aliases


def get(port: int, path: str) -> tuple[int, str, str]:
    """GET the decoded ``path`` (percent-encoded as a browser sends it): status, Location, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", quote(path, safe="/"))
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, response.getheader("Location") or "", body
    finally:
        connection.close()


def check_redirects(port: int, served: Served) -> None:
    """Every alias answers 301 with its article's public path, which answers 200."""
    wrong = []
    for path, target in served.redirects:
        status, location, _ = get(port, path)
        if status != 301 or unquote(urlsplit(location).path) != target:
            wrong.append(f"{path}: {status} {location!r}, expected 301 to {target}")
            continue
        status, _, body = get(port, unquote(urlsplit(location).path))
        if status != 200 or 'http-equiv="refresh"' in body or canonical_path(body) != target:
            wrong.append(f"{path}: the redirect to {location} answered {status}, not the article")
    assert wrong == [], "\n".join(wrong)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unprivileged() -> tuple[str, str]:
    """The user and group a server started as root hands its workers to."""
    user = pwd.getpwnam("nobody")
    return user.pw_name, grp.getgrgid(user.pw_gid).gr_name


@dataclass
class Server:
    """A server process in the foreground, and the log it writes."""

    process: subprocess.Popen
    log: Path

    def wait_listening(self, port: int) -> None:
        """Return once the server accepts connections; fail if it exits or takes too long."""
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.logs()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.1)  # returns at once should it exit
        pytest.fail(f"the server did not listen on port {port} in {START_LIMIT} s:\n{self.logs()}")

    def stop(self) -> None:
        """Stop the server by its process id and wait for it to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def logs(self) -> str:
        exited = self.process.poll() is not None
        out = self.process.stdout.read() if self.process.stdout and exited else ""
        text = self.log.read_text("utf-8", "replace") if self.log.exists() else ""
        return f"{out}\n{text}"


def run_server(command: list[str], log: Path, port: int) -> Server:
    """Check the configuration (``-t``), then start the server and wait until it listens."""
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, f"configuration test failed:\n{check.stdout}{check.stderr}"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server = Server(process, log)
    try:
        server.wait_listening(port)
    except BaseException:
        server.stop()
        raise
    return server


def nginx_config(folder: Path, served: Served, port: int) -> Path:
    """A minimal nginx.conf: the server block includes the redirects as the README says."""
    user = "user {} {};".format(*unprivileged()) if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        textwrap.dedent(
            """\
            daemon off;
            worker_processes 1;
            pid {pid};
            error_log {log};
            {user}
            events {{ worker_connections 64; }}
            http {{
                access_log off;
            {temp}
                types {{ text/html html htm shtml; }}
                server {{
                    listen 127.0.0.1:{port};
                    root {root};
                    include {public}/nginx-redirects.conf;
                }}
            }}
            """
        ).format(
            pid=folder / "nginx.pid",
            log=folder / "error.log",
            user=user,
            temp=temp,
            port=port,
            root=served.root,
            public=served.public,
        ),
        encoding="utf-8",
    )
    return config


def start_nginx(served: Served, folder: Path) -> tuple[Server, int]:
    nginx = need("nginx")
    port = free_port()
    config = nginx_config(folder, served, port)
    log = folder / "error.log"
    return run_server(
        [nginx, "-p", str(folder), "-c", str(config), "-e", str(log)], log, port
    ), port


def apache_config(
    folder: Path, served: Served, port: int, modules: tuple[str, ...], in_server: bool
) -> Path:
    """A minimal httpd.conf: the site's folder allows the .htaccess it holds, or (with
    ``in_server``) allows none and the server configuration includes its lines."""
    missing = [m for m in modules if not (APACHE_MODULES / f"mod_{m}.so").exists()]
    if missing:
        message = f"Apache modules {missing} are not in {APACHE_MODULES}"
        if require_all():
            pytest.fail(f"{message} (PROVARCHIVE_REQUIRE_ALL=1)")
        pytest.skip(message)
    loads = "\n".join(f"LoadModule {m}_module {APACHE_MODULES / f'mod_{m}.so'}" for m in modules)
    user = "User {}\nGroup {}".format(*unprivileged()) if os.geteuid() == 0 else ""
    config = folder / "httpd.conf"
    config.write_text(
        f"""\
ServerRoot "{folder}"
DefaultRuntimeDir "{folder}"
PidFile "{folder / "httpd.pid"}"
ErrorLog "{folder / "error.log"}"
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
{loads}
{user}
DocumentRoot "{served.root}"
DirectoryIndex index.html
<Directory "{served.root}">
    AllowOverride {"None" if in_server else "FileInfo"}
    Options FollowSymLinks
    Require all granted
</Directory>
{f'Include "{served.public / ".htaccess"}"' if in_server else ""}
""",
        encoding="utf-8",
    )
    return config


def start_apache(
    served: Served,
    folder: Path,
    modules: tuple[str, ...] = APACHE_NEEDS,
    in_server: bool = False,
) -> tuple[Server, int]:
    apache = need("apache2", "httpd")
    port = free_port()
    config = apache_config(folder, served, port, modules, in_server)
    command = [apache, "-d", str(folder), "-f", str(config), "-DFOREGROUND"]
    return run_server(command, folder / "error.log", port), port


def awkward_site(site: Path, base_path: str) -> None:
    """A site in ``base_path`` whose aliases are :data:`AWKWARD_ALIASES`, with folder URLs."""
    aliases = "[" + ", ".join(f'"{alias}"' for alias in AWKWARD_ALIASES[:4]) + "]"
    more = "[" + ", ".join(f'"{alias}"' for alias in AWKWARD_ALIASES[4:]) + "]"
    write_files(
        site,
        {
            "site.yaml": f"title: 测试档案\nbase_url: https://news.example.gov.cn{base_path}\n"
            'permalink: "{column}/{year}/{slug}/"\n',
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/春季 植树.md": article("春季植树", "2024-03-12", aliases=aliases),
            "content/zhxx/t20240401_002.md": article("社区活动", "2024-04-01", aliases=more),
        },
    )


SERVERS = {"nginx": start_nginx, "apache": start_apache}


@pytest.fixture(params=sorted(SERVERS))
def server_kind(request) -> str:
    return request.param


@pytest.mark.parametrize("base_path", ["/", "/dangan/"])
def test_awkward_legacy_paths_redirect(server_kind, base_path, tmp_path):
    site = tmp_path / "site"
    awkward_site(site, base_path)
    with served_folder() as root:
        served = serve_build(site, root / "www", base_path)
        assert len(served.redirects) == len(AWKWARD_ALIASES) + 1
        server, port = SERVERS[server_kind](served, root)
        try:
            check_redirects(port, served)
        finally:
            server.stop()


def test_nginx_locations_come_in_the_order_nginx_sorts_them(tmp_path):
    """nginx sorts locations by insertion: in its order, 20,000 took 0.16 s to load, not 13.7 s."""
    site = tmp_path / "site"
    awkward_site(site, "/dangan/")
    served = serve_build(site, tmp_path / "www", "/dangan/")
    conf = (served.public / "nginx-redirects.conf").read_text("utf-8")
    paths = re.findall(r'^location = "([^"]+)"', conf, re.MULTILINE)
    assert len(paths) == len(served.redirects)
    files = [path.encode().replace(b"/", b"\0") for path in paths if not path.endswith("/")]
    assert files == sorted(files)


def test_apache_with_the_rules_in_its_server_configuration(tmp_path):
    """The README's advice for large archives: the lines of .htaccess in the server's
    configuration, .htaccess files not read."""
    site = tmp_path / "site"
    awkward_site(site, "/dangan/")
    with served_folder() as root:
        served = serve_build(site, root / "www", "/dangan/")
        server, port = start_apache(served, root, in_server=True)
        try:
            check_redirects(port, served)
        finally:
            server.stop()


def test_apache_without_mod_rewrite_still_serves_every_page(tmp_path):
    site = tmp_path / "site"
    awkward_site(site, "/dangan/")
    with served_folder() as root:
        served = serve_build(site, root / "www", "/dangan/")
        server, port = start_apache(served, root, modules=APACHE_NEEDS[:-1])
        try:
            for path, target in served.redirects:  # the pages at the old paths answer
                assert get(port, path)[0] == 200, path
                assert get(port, target)[0] == 200, target
        finally:
            server.stop()


def test_example_site_aliases_redirect(server_kind):
    with served_folder() as root:
        served = serve_build(REPO, root / "www", "/archive/")
        server, port = SERVERS[server_kind](served, root)
        try:
            check_redirects(port, served)
            status, _, _ = get(port, "/archive/")
            assert status == 200
        finally:
            server.stop()


# Netlify and Cloudflare Pages cannot run here: _redirects is read as each documents it.
CLOUDFLARE_STATUSES = {200, 301, 302, 303, 307, 308}
"""The statuses Cloudflare Pages accepts; a line with any other third field is ignored."""


def netlify_answer(rules: list[list[str]], path: str) -> tuple[int, str]:
    """What Netlify answers for ``path`` (percent-encoded), a page being there: the first
    rule for the path applies if forced ("301!"), else the page is served."""
    for source, target, *status in rules:
        if source == path:
            forced = bool(status) and status[0].endswith("!")
            return (int(status[0].rstrip("!")), target) if forced else (200, "")
    return 200, ""


def cloudflare_answer(rules: list[list[str]], path: str) -> tuple[int, str]:
    """What Cloudflare Pages answers for ``path``: the first valid rule for it applies,
    whether or not a page is there; a line with a status that is not one of
    :data:`CLOUDFLARE_STATUSES` (such as "301!") is ignored."""
    for source, target, *status in rules:
        code = status[0] if status else "302"
        if source == path and code.isdigit() and int(code) in CLOUDFLARE_STATUSES:
            return int(code), target
    return 200, ""


@pytest.mark.parametrize("host", [netlify_answer, cloudflare_answer])
def test_redirects_file_fires_on_netlify_and_cloudflare_pages(host, tmp_path):
    site = tmp_path / "site"
    awkward_site(site, "/dangan/")
    served = serve_build(site, tmp_path / "www", "/dangan/")
    lines = (served.public / "_redirects").read_text("utf-8").splitlines()
    rules = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    assert all(2 <= len(rule) <= 3 and len(" ".join(rule)) <= 1000 for rule in rules)
    for path, target in served.redirects:
        assert (served.public / alias_path(path[len("/dangan/") :])).is_file()  # a page is there
        assert host(rules, quote(path, safe="/")) == (301, quote(target, safe="/")), path
