"""The inputs of a build, found cheaply: content files, templates and config by signature."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .config import CONFIG_FILE
from .content import CONTENT_DIR, ContentScan, scan_content
from .content import signature as file_signature
from .model import SiteConfig
from .plan import STATIC_DIR
from .render import template_dirs
from .topics import TopicScan, scan_topics


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
    signature: bytes
    """Digest of every input's signature, the version, drafts and the output folder."""
    newest_ns: int
    """The newest modification time among the inputs."""
    scanned_ns: int
    """When the scan started."""
    site_dir: Path

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


def scan_inputs(site_dir: Path, config: SiteConfig, output_dir: Path, drafts: bool) -> BuildInputs:
    """Find every input of a build by signature, and digest them all (for the no-change
    shortcut) without reading a content file."""
    scanned_ns = time.time_ns()
    scan = scan_content(site_dir)
    topics = scan_topics(site_dir)
    dirs = template_dirs(site_dir)
    templates: dict[str, tuple[Path, tuple[int, int, int]]] = {}
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in templates and "__pycache__" not in name:
                templates[name] = (path, file_signature(path.stat()))
    hasher = hashlib.blake2b(digest_size=16)
    config_stat = (site_dir / CONFIG_FILE).stat()
    for part in (
        __version__,
        drafts,
        str(output_dir.resolve()),
        file_signature(config_stat),
        sorted(scan.markdown.items()),
        sorted(scan.assets.items()),
        sorted(scan.column_files.items()),
        sorted(topics.files.items()),
        [(name, sig) for name, (_, sig) in templates.items()],
    ):
        hasher.update(repr(part).encode("utf-8"))
    mtimes = [
        sig[0]
        for sig in (*scan.markdown.values(), *scan.assets.values(), *scan.column_files.values())
    ]
    mtimes += [sig[0] for sig in topics.files.values()]
    mtimes += [sig[0] for _, sig in templates.values()] + [config_stat.st_mtime_ns]
    return BuildInputs(
        config, scan, topics, dirs, templates, hasher.digest(), max(mtimes), scanned_ns, site_dir
    )
