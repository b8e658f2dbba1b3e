"""The browser assets of Data Docs, served from the docs folder instead of CDNs.

GX's Data Docs pages load jQuery, Bootstrap, bootstrap-table, popper, bootstrap-datepicker,
Vega and Font Awesome from CDNs and show a logo whose URL carries the data context's id.
Offline, the index's table stays empty. Here the same files come from npm packages pinned in
`web_assets.lock.json` (name, exact version, registry tarball, sha512 integrity as
package-lock.json writes them):

- `python -m expectations.web_assets` (run by `make`'s install step) downloads each tarball
  with urllib, checks its integrity, and keeps the files the pages need in a cache inside
  the virtual environment (`<venv>/share/cmo_cio/web_assets/<name>@<version>/`). It is the
  only step that uses the network; a package already cached is not fetched again.
- Every Data Docs build copies the cache into the docs folder (`static/vendor/`) and
  rewrites the pages' CDN URLs to relative paths (`localize_docs`), so the folder works from
  file:// or copied elsewhere. The logo comes from GX's own `static/images/`, without the
  data context id; GX's newsletter footer and its link home are dropped. A refresh never
  fetches: with the cache missing it stops with `WebAssetsMissing`, naming the command.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

LOCK_FILE = Path(__file__).resolve().with_name("web_assets.lock.json")
CACHE_DIR = Path(sys.prefix) / "share" / "cmo_cio" / "web_assets"
VENDOR_DIR = "vendor"  # under the docs folder's static/
DOWNLOAD_TIMEOUT_SECONDS = 120
INTEGRITY_FILE = ".integrity"

# Every CDN URL of GX's page templates (render/view/templates/*.j2), and the package file
# served in its place. The filter-control stylesheet is referenced at bootstrap-table 1.19.0;
# the 1.19.1 package's copy is served, as for the extension's script the pages load with it.
CDN_FILES: dict[str, tuple[str, str]] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery", "dist/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js",
        "dist/umd/popper.min.js",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap",
        "dist/js/bootstrap.min.js",
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap",
        "dist/css/bootstrap.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table",
        "dist/bootstrap-table.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table",
        "dist/bootstrap-table.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        "bootstrap-table",
        "dist/extensions/filter-control/bootstrap-table-filter-control.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": ("bootstrap-datepicker", "dist/js/bootstrap-datepicker.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": (
        "bootstrap-datepicker",
        "dist/css/bootstrap-datepicker.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark",
        "dist/css/bootstrap-prefers-dark.css",
    ),
    # Font Awesome's stylesheet finds its fonts at ../webfonts/, copied beside it.
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free",
        "css/all.min.css",
    ),
    # The templates ask for the newest release of a major version; the lock pins one.
    "https://cdn.jsdelivr.net/npm/vega@5": ("vega", "build/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": ("vega-lite", "build/vega-lite.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": ("vega-embed", "build/vega-embed.min.js"),
}
# GX's own images, which it also copies into static/images/ of every site.
GX_IMAGES_URL = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GX_LOCAL_IMAGES = {"logo-long.png": "logo-long.png", "full_logo_dark.png": "logo-long.png"}

_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(r'\b(src|href)="(https?://[^"]*)"')
# GX's own files, which some templates reach at the wrong depth (the favicon of a
# validation page points one folder too high).
_STATIC_ATTRIBUTE = re.compile(r'\b(src|href)="(?:\./|(?:\.\./)*)static/([^"]*)"')
_TRUST_ATTRIBUTES = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"')
_CSS_IMAGE = re.compile(r"url\('" + re.escape(GX_IMAGES_URL) + r"([\w.-]+)[^']*'\)")
_NEWSLETTER_FOOTER = re.compile(
    r"<footer>\s*<p>[^<]*<a href=\"https://greatexpectations\.io/newsletter[^\"]*\">"
    r"[^<]*</a></p>\s*</footer>"
)
_LINK_HOME = re.compile(r'<a href="https://greatexpectations\.io/?">([^<]*)</a>')
OUTSIDE_URL = re.compile(r'\b(?:src|href)="(https?://[^"]*)"|url\([\'"]?(https?://[^)\'"]*)')

logger = logging.getLogger(__name__)


class WebAssetsMissing(RuntimeError):
    """The cache lacks a locked package: the install step has not run since the lock changed."""


class IntegrityError(RuntimeError):
    """A downloaded tarball is not the one the lock pins."""


class PackageFilesMissing(RuntimeError):
    """The locked tarball (its integrity verified) lacks files the lock lists for it: the
    lock's `files` name paths that this version of the package does not hold."""


@dataclass(frozen=True)
class Package:
    """One locked npm package and the files of it that Data Docs use (a path ending in `/`
    takes the whole folder)."""

    name: str
    version: str
    resolved: str
    integrity: str
    files: tuple[str, ...]

    @property
    def folder(self) -> str:
        """Its folder in the cache and under `static/vendor/`: `<name>@<version>`."""
        return f"{self.name}@{self.version}"

    def wants(self, path: str) -> bool:
        return any(_under(path, item) for item in self.files)


def locked_packages(lock_file: Path = LOCK_FILE) -> dict[str, Package]:
    document = json.loads(Path(lock_file).read_text(encoding="utf-8"))
    return {
        name: Package(
            name=name,
            version=entry["version"],
            resolved=entry["resolved"],
            integrity=entry["integrity"],
            files=tuple(entry["files"]),
        )
        for name, entry in document["packages"].items()
    }


# -- install (network) ----------------------------------------------------------------------


def install(lock_file: Path = LOCK_FILE, cache_dir: Path = CACHE_DIR) -> list[Package]:
    """Fetch every locked package not yet cached; returns those fetched."""
    fetched = []
    for package in locked_packages(lock_file).values():
        if _is_cached(package, cache_dir):
            continue
        with urllib.request.urlopen(package.resolved, timeout=DOWNLOAD_TIMEOUT_SECONDS) as reply:
            tarball = reply.read()
        _unpack(package, tarball, Path(cache_dir))
        fetched.append(package)
    return fetched


def verify_integrity(package: Package, tarball: bytes) -> None:
    """Check the tarball against the lock's Subresource Integrity string (`sha512-<base64>`)."""
    algorithm, _, expected = package.integrity.partition("-")
    if algorithm not in {"sha512", "sha384", "sha256"}:
        raise IntegrityError(f"{package.folder}: unsupported integrity {package.integrity!r}")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode("ascii")
    if actual != expected:
        raise IntegrityError(
            f"{package.folder} from {package.resolved}: {algorithm} is {actual}, "
            f"the lock says {expected}"
        )


def _unpack(package: Package, tarball: bytes, cache_dir: Path) -> None:
    """Keep the package's wanted files (npm tarballs hold them under `package/`)."""
    verify_integrity(package, tarball)
    target = cache_dir / package.folder
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=target.parent))
    try:
        found = set()
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member in archive.getmembers():
                parts = PurePosixPath(member.name).parts
                path = "/".join(parts[1:])
                if not member.isfile() or ".." in parts or not package.wants(path):
                    continue
                (staged / path).parent.mkdir(parents=True, exist_ok=True)
                (staged / path).write_bytes(archive.extractfile(member).read())
                found.add(path)
        missing = [item for item in package.files if not any(_under(p, item) for p in found)]
        if missing:
            raise PackageFilesMissing(
                f"{package.folder} from {package.resolved} has no {', '.join(missing)}: "
                f"correct the files listed for {package.name} in the lock"
            )
        (staged / INTEGRITY_FILE).write_text(package.integrity + "\n", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staged.rename(target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _under(path: str, item: str) -> bool:
    return path == item or (item.endswith("/") and path.startswith(item))


def _is_cached(package: Package, cache_dir: Path) -> bool:
    marker = Path(cache_dir) / package.folder / INTEGRITY_FILE
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == package.integrity


# -- every docs build (no network) ----------------------------------------------------------


def require(lock_file: Path = LOCK_FILE, cache_dir: Path = CACHE_DIR) -> dict[str, Package]:
    """The locked packages, all cached; `WebAssetsMissing` names the ones that are not."""
    packages = locked_packages(lock_file)
    missing = [p.folder for p in packages.values() if not _is_cached(p, cache_dir)]
    if missing:
        raise WebAssetsMissing(
            f"Data Docs assets {', '.join(missing)} are not in {cache_dir}: run `make` (or "
            f"`{Path(sys.executable).name} -m expectations.web_assets`) once with access to "
            "registry.npmjs.org; a refresh does not download them"
        )
    return packages


def localize_docs(docs_dir: Path, lock_file: Path = LOCK_FILE, cache_dir: Path = CACHE_DIR) -> None:
    """Copy the cached assets into `docs_dir/static/vendor/` and point every page at them."""
    packages = require(lock_file, cache_dir)
    docs_dir = Path(docs_dir)
    vendor = docs_dir / "static" / VENDOR_DIR
    shutil.rmtree(vendor, ignore_errors=True)
    for package in packages.values():
        shutil.copytree(
            Path(cache_dir) / package.folder,
            vendor / package.folder,
            ignore=shutil.ignore_patterns(INTEGRITY_FILE),
        )
    local = {url: f"{packages[name].folder}/{path}" for url, (name, path) in CDN_FILES.items()}
    for page in docs_dir.rglob("*.html"):
        static = Path(os.path.relpath(docs_dir / "static", page.parent)).as_posix() + "/"
        text = page.read_text(encoding="utf-8")
        localized = localize_page(text, static, local)
        if localized != text:
            page.write_text(localized, encoding="utf-8")
    for stylesheet in (docs_dir / "static" / "styles").glob("*.css"):
        text = stylesheet.read_text(encoding="utf-8")
        stylesheet.write_text(_local_css_images(text, "../"), encoding="utf-8")
    leftover = sorted({url for page in docs_dir.rglob("*.html") for url in outside_urls(page)})
    if leftover:
        logger.warning("Data Docs still refer to outside URLs: %s", ", ".join(leftover))


def localize_page(text: str, static: str, local: dict[str, str]) -> str:
    """One page with CDN URLs replaced by `static` + `vendor/<package>/<file>` (`local`),
    GX's logo by its copy in `static/images/`, and GX's footer and link home removed."""

    def tag(match: re.Match) -> str:
        element = match.group(0)
        replaced = _URL_ATTRIBUTE.sub(lambda m: _local_attribute(m, static, local), element)
        if replaced != element:  # a local file: no CORS, so no integrity check on file://
            replaced = _TRUST_ATTRIBUTES.sub("", replaced)
        return _STATIC_ATTRIBUTE.sub(lambda m: f'{m.group(1)}="{static}{m.group(2)}"', replaced)

    text = _TAG.sub(tag, text)
    text = _local_css_images(text, static)
    text = _NEWSLETTER_FOOTER.sub("", text)
    return _LINK_HOME.sub(r"\1", text)


def outside_urls(page: Path) -> list[str]:
    """The http(s) URLs a page still loads or links to (src, href and CSS url())."""
    text = Path(page).read_text(encoding="utf-8")
    return [a or b for a, b in OUTSIDE_URL.findall(text)]


def _local_attribute(match: re.Match, static: str, local: dict[str, str]) -> str:
    attribute, url = match.groups()
    if url in local:
        return f'{attribute}="{static}{VENDOR_DIR}/{local[url]}"'
    if url.startswith(GX_IMAGES_URL):
        name = url[len(GX_IMAGES_URL) :].split("?")[0]
        if name in GX_LOCAL_IMAGES:
            return f'{attribute}="{static}images/{GX_LOCAL_IMAGES[name]}"'
    return match.group(0)


def _local_css_images(text: str, static: str) -> str:
    def image(match: re.Match) -> str:
        name = match.group(1)
        if name not in GX_LOCAL_IMAGES:
            return match.group(0)
        return f"url('{static}images/{GX_LOCAL_IMAGES[name]}')"

    return _CSS_IMAGE.sub(image, text)


def main() -> None:
    fetched = install()
    packages = locked_packages()
    print(
        f"Data Docs assets: {len(packages)} npm packages in {CACHE_DIR}"
        + (f" ({len(fetched)} downloaded and verified)" if fetched else " (all cached)")
    )


if __name__ == "__main__":
    main()
