"""The inputs of a build, found cheaply: content files, templates and config by signature."""

from __future__ import annotations

import functools
import hashlib
import time
from array import array
from dataclasses import dataclass
from itertools import chain, islice
from operator import gt, itemgetter
from pathlib import Path
from typing import Any

from . import __version__
from .config import CONFIG_FILE
from .content import CONTENT_DIR
from .model import Signature, SiteConfig
from .plan import STATIC_DIR
from .render import template_dirs
from .topics import TopicScan, scan_topics
from .walk import ContentScan, scan_content
from .walk import signature as file_signature


@dataclass(frozen=True)
class BuildInputs:
    """Everything a build reads, found cheaply (signatures, no contents)."""

    config: SiteConfig
    scan: ContentScan
    topics: TopicScan
    """The files under ``topics/``."""
    template_dirs: list[Path]
    """Template folders, the site's first."""
    templates: dict[str, tuple[Path, tuple[int, int, int]]]
    """Every template and theme file by name (the site's over the theme's): path, signature."""
    settings: bytes
    """The version, drafts, the output folder and the config file's signature."""
    newest_ns: int
    """The newest modification time among the inputs."""
    scanned_ns: int
    """When the scan started."""
    site_dir: Path

    @functools.cached_property
    def signature(self) -> bytes:
        """Digest of every input's signature and of :attr:`settings`, for the
        no-change shortcut. Made when first asked for: at 100,000 articles it takes
        0.1 s, and an edit, whose file is newer than the last build, needs it only
        when it saves its state, after the new output is in place (see
        :meth:`incremental.PreviousBuild.unchanged`)."""
        hasher = hashlib.blake2b(self.settings, digest_size=16)
        for files in _signed(self.scan, self.topics, self.templates):
            _digest_files(hasher, files)
        return hasher.digest()

    def copied_files(self) -> list[tuple[str, Path]]:
        """Files copied into the output as they are: (output path, source) of content
        assets and of the theme's static files."""
        files = [(path, self.site_dir / CONTENT_DIR / path) for path in self.scan.assets]
        files += [
            (name, source)
            for name, (source, _) in self.templates.items()
            if name.startswith(f"{STATIC_DIR}/")
        ]
        return files

    def template_hashes(self) -> list[tuple[str, str]]:
        """(name, content hash) of every template (the static files are not templates)."""
        return [
            (name, hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
            for name, (path, _) in self.templates.items()
            if not name.startswith(f"{STATIC_DIR}/")
        ]


def scan_inputs(
    site_dir: Path,
    config: SiteConfig,
    output_dir: Path,
    drafts: bool,
    content_scan: ContentScan | None = None,
) -> BuildInputs:
    """Find every input of a build by signature, without reading a content file.
    ``content_scan`` is the walk of ``content/``, when it was made already (see
    :func:`walk.scan_content`)."""
    scan = content_scan or scan_content(site_dir)
    scanned_ns = min(time.time_ns(), scan.started_ns)
    topics = scan_topics(site_dir)
    dirs = template_dirs(site_dir)
    templates: dict[str, tuple[Path, tuple[int, int, int]]] = {}
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in templates and "__pycache__" not in name:
                templates[name] = (path, file_signature(path.stat()))
    config_stat = (site_dir / CONFIG_FILE).stat()
    settings = (__version__, drafts, str(output_dir.resolve()), file_signature(config_stat))
    signed = _signed(scan, topics, templates)
    mtimes = map(itemgetter(0), chain.from_iterable(map(dict.values, signed)))
    newest_ns = max(config_stat.st_mtime_ns, *mtimes)
    settings_bytes = repr(settings).encode("utf-8")
    return BuildInputs(
        config, scan, topics, dirs, templates, settings_bytes, newest_ns, scanned_ns, site_dir
    )


def _signed(
    scan: ContentScan, topics: TopicScan, templates: dict[str, tuple[Path, Signature]]
) -> tuple[dict[str, Signature], ...]:
    """Every input file with its signature, by kind (the config file aside)."""
    template_files = {name: sig for name, (_, sig) in templates.items()}
    return (scan.markdown, scan.assets, scan.column_files, topics.files, template_files)


def _digest_files(hasher: Any, files: dict[str, Signature]) -> None:
    """Add the paths and signatures of ``files`` to ``hasher``, in path order: the paths
    joined, and the signatures' numbers as 64-bit integers (C loops: as ``repr``, the
    20,000 files of an archive took 25 ms of every build)."""
    if any(map(gt, files, islice(files, 1, None))):  # not in path order (few files)
        files = dict(sorted(files.items()))
    hasher.update(len(files).to_bytes(8, "little"))
    hasher.update("\x00".join(files).encode("utf-8", "surrogatepass"))
    try:
        numbers = array("q", chain.from_iterable(files.values()))
    except OverflowError:  # a number beyond 64 bits
        hasher.update(repr(list(files.values())).encode("utf-8"))
    else:
        hasher.update(numbers.tobytes())
