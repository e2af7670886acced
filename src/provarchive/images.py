"""Responsive images: the widths and formats of one image file, made once per content.

:func:`process_image` turns an image file into smaller copies (WebP, and JPEG or PNG
for browsers without WebP) kept in the site's cache under the file's content hash, so
an unchanged image is never processed twice; :func:`picture_html` writes the
``<picture>`` that offers them. Pillow is imported only when an image must be
processed, so a build of an archive without images never loads it. Decoding is
bounded: an image of more than :data:`MAX_PIXELS` pixels is refused from its header,
before any pixel is read.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

RASTER_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
"""Image files that are measured and, but for GIFs, made in several widths."""
IMAGE_SUFFIXES = (*RASTER_SUFFIXES, ".svg")
"""Files that may be an article's cover or a body image."""
WIDTHS = (480, 960, 1440)
"""The widths made of an image (those narrower than it, and it capped at the last)."""
MAX_PIXELS = 40_000_000
"""Images with more pixels than this are refused (a decompression bomb is mostly one)."""
FORMAT_VERSION = "1"
"""Part of every cache key: changes when the copies made of an image change."""
_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
SIZES = "(max-width: 760px) 100vw, 720px"
"""The ``sizes`` attribute of a body image: full width on phones, the column's width."""


@dataclass(frozen=True)
class Variant:
    """One width of an image, in WebP and in a fallback format."""

    width: int
    """Pixels across."""
    height: int
    """Pixels down."""
    webp: str
    """File name of the WebP copy in the cache entry."""
    fallback: str
    """File name of the JPEG or PNG copy in the cache entry."""


@dataclass(frozen=True)
class ImageInfo:
    """What a page needs to show an image: its size and the copies made of it."""

    path: str
    """Site path of the original (the same as its path under ``content/``)."""
    width: int
    """The original's width in pixels (0 for an SVG without a size)."""
    height: int
    """The original's height in pixels."""
    key: str
    """The cache key: content hash and :data:`FORMAT_VERSION`."""
    variants: tuple[Variant, ...] = ()
    """The widths made, narrowest first (none for GIF and SVG files)."""
    fallback_type: str = "image/jpeg"
    """MIME type of the fallback copies."""

    def variant_path(self, name: str) -> str:
        """The site path of a copy: beside the original, named after it."""
        folder, _, file = self.path.rpartition("/")
        stem = file.rpartition(".")[0]
        return f"{folder}/{stem}.{name}" if folder else f"{stem}.{name}"

    @property
    def largest(self) -> str:
        """Site path of the widest JPEG or PNG copy (the original for GIF and SVG)."""
        return self.variant_path(self.variants[-1].fallback) if self.variants else self.path

    def srcset(self, attribute: str) -> list[tuple[str, int]]:
        """(site path, width) of each copy in format ``webp`` or ``fallback``."""
        return [(self.variant_path(getattr(v, attribute)), v.width) for v in self.variants]


@dataclass(frozen=True)
class ImageJob:
    """One image to measure and make copies of."""

    path: str
    """Path under ``content/``."""
    source: Path
    """The file."""
    key: str
    """The cache key (see :attr:`ImageInfo.key`); "" when not known yet (the file is
    hashed then)."""


def is_image(path: str) -> bool:
    """Whether ``path`` names an image file by its suffix."""
    return path.lower().endswith(IMAGE_SUFFIXES)


def process_image(cache_dir: Path, job: ImageJob) -> ImageInfo | str:
    """Return the image of ``job`` with its copies made in ``cache_dir/job.key/``, or what
    is wrong with the file. An entry made before is read, not made again."""
    if not job.key:
        try:
            job = ImageJob(job.path, job.source, image_key(job.source))
        except OSError as exc:
            return f"cannot be read ({exc.strerror or exc})"
    entry = cache_dir / job.key
    try:
        made = json.loads((entry / "info.json").read_text(encoding="utf-8"))
        return _info(job, made)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if job.path.lower().endswith(".svg"):
        return _info(job, _svg_size(job.source))
    try:
        made = _make_copies(job, entry)
    except OSError as exc:
        return f"cannot be written to the cache ({exc.strerror or exc})"
    return made if isinstance(made, str) else _info(job, made)


def image_key(source: Path) -> str:
    """The cache key of an image file: its content hash and :data:`FORMAT_VERSION`."""
    digest = hashlib.blake2b(source.read_bytes(), digest_size=16).hexdigest()
    return f"{digest}-{FORMAT_VERSION}"


def _info(job: ImageJob, made: dict) -> ImageInfo:
    return ImageInfo(
        path=job.path,
        width=int(made["width"]),
        height=int(made["height"]),
        key=job.key,
        variants=tuple(Variant(*v) for v in made.get("variants", ())),
        fallback_type=str(made.get("fallback_type", "image/jpeg")),
    )


def _svg_size(source: Path) -> dict:
    """Width and height of an SVG from its root element (0 when it gives none)."""
    try:
        head = source.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        head = ""
    root = re.search(r"<svg\b[^>]*>", head)
    found = {"width": 0, "height": 0}
    if root is None:
        return found
    for name in ("width", "height"):
        value = re.search(rf'\s{name}="(\d+)(?:px)?"', root.group(0))
        if value:
            found[name] = int(value.group(1))
    box = re.search(r'viewBox="[\d.\s-]+?\s([\d.]+)\s+([\d.]+)"', root.group(0))
    if box and not (found["width"] and found["height"]):
        found = {"width": round(float(box.group(1))), "height": round(float(box.group(2)))}
    return found


def _make_copies(job: ImageJob, entry: Path) -> dict | str:
    """Decode the image (bounded), write its copies and ``info.json`` into ``entry``."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    entry.parent.mkdir(parents=True, exist_ok=True)
    suffix = "." + job.path.rsplit(".", 1)[-1].lower()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(job.source) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return (
                        f"has {width}×{height} pixels, more than {MAX_PIXELS:,} "
                        "(perhaps a decompression bomb); scale it down"
                    )  # Pillow warns first; this stands if its limit is ever changed
                if image.format != _FORMATS[suffix]:
                    return (
                        f"is a {image.format} image but is named {suffix}; "
                        "give it the right extension"
                    )
                image.load()
                return _write_entry(image, suffix, entry)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return f"has more than {MAX_PIXELS:,} pixels (perhaps a decompression bomb); scale it down"
    except UnidentifiedImageError:
        return "is not an image (Pillow cannot identify it); replace it with a JPEG, PNG or WebP"
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return f"is damaged or truncated ({exc}); save it again"


def _write_entry(image: Any, suffix: str, entry: Path) -> dict:
    """Write the copies of a decoded image into a new folder, then move it to ``entry``."""
    width, height = image.size
    made: dict = {"width": width, "height": height, "variants": []}
    if suffix == ".gif":  # animations are served as they are
        return _commit(entry, None, made)
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    fallback, kind = ("png", "PNG") if alpha or suffix == ".png" else ("jpg", "JPEG")
    made["fallback_type"] = "image/png" if kind == "PNG" else "image/jpeg"
    image = image.convert("RGBA" if alpha else "RGB")
    targets = sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})
    folder = Path(tempfile.mkdtemp(prefix=".new-", dir=entry.parent))
    for target in targets:
        scaled = (
            image
            if target == width
            else image.resize((target, max(1, round(height * target / width))), _lanczos())
        )
        names = (f"{target}w.webp", f"{target}w.{fallback}")
        scaled.save(folder / names[0], "WEBP", quality=80, method=4)
        options = {"optimize": True} if kind == "PNG" else {"quality": 82, "optimize": True}
        scaled.save(folder / names[1], kind, **options)
        made["variants"].append([target, scaled.size[1], *names])
    return _commit(entry, folder, made)


def _lanczos() -> int:
    from PIL import Image

    return Image.Resampling.LANCZOS


def _commit(entry: Path, folder: Path | None, made: dict) -> dict:
    """Move a finished entry into place (another worker may have made the same one)."""
    if folder is None:
        entry.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".new-", dir=entry.parent))
    (folder / "info.json").write_text(json.dumps(made), encoding="utf-8")
    try:
        os.rename(folder, entry)
    except OSError:  # made meanwhile by another process: keep that one
        shutil.rmtree(folder, ignore_errors=True)
    return made


def picture_html(
    info: ImageInfo, url: Callable[[str], str], alt: str, *, lazy: bool, sizes: str = SIZES
) -> Markup:
    """The ``<picture>`` (or plain ``<img>``) showing ``info``; ``url`` maps site paths to
    URLs from the page."""
    size = f' width="{info.width}" height="{info.height}"' if info.width and info.height else ""
    loading = ' loading="lazy"' if lazy else ""
    if not info.variants:
        return Markup(f'<img src="{escape(url(info.path))}" alt="{escape(alt)}"{size}{loading}>')
    webp = ", ".join(f"{url(path)} {width}w" for path, width in info.srcset("webp"))
    fallback = info.srcset("fallback")
    largest = info.variants[-1]
    return Markup(
        f'<picture><source type="image/webp" srcset="{escape(webp)}" sizes="{sizes}">'
        f'<img src="{escape(url(fallback[-1][0]))}" '
        f'srcset="{escape(", ".join(f"{url(p)} {w}w" for p, w in fallback))}" sizes="{sizes}" '
        f'alt="{escape(alt)}" width="{largest.width}" height="{largest.height}"{loading}>'
        "</picture>"
    )


_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"([^>]*)>')


def responsive_body(
    body_html: str,
    sources: dict[str, str],
    images: dict[str, ImageInfo],
    url: Callable[[str], str],
    *,
    eager_first: bool,
) -> Markup:
    """``body_html`` with each ``<img>`` of a processed image made a ``<picture>``.

    ``sources`` maps a body's image URLs (as rendered, relative to the page) to paths
    under ``content/``. All images load lazily but, with ``eager_first``, the first.
    """
    first = [eager_first]

    def replace(match: re.Match) -> str:
        path = sources.get(html.unescape(match.group(1)))
        info = images.get(path) if path else None
        if info is None:
            return match.group(0)
        lazy = not first[0]
        first[0] = False
        if not info.variants:  # as written, with its size
            rest = match.group(3).replace(' loading="lazy"', "").rstrip(" /")
            size = f' width="{info.width}" height="{info.height}"' if info.width else ""
            loading = ' loading="lazy"' if lazy else ""
            return f'<img src="{match.group(1)}" alt="{match.group(2)}"{rest}{size}{loading}>'
        return str(picture_html(info, url, html.unescape(match.group(2)), lazy=lazy))

    return Markup(_IMG.sub(replace, body_html))
