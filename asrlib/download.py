"""Corpus downloads from the official hosts: cached, checksummed, safely extracted.

:func:`ensure` is the entry point: it returns the data root that holds a corpus,
looking first at ``root``, then ``$ASRLIB_DATA``, then ``<cache>/data``, and
downloads + extracts into ``<cache>/data`` only when none has it. The cache is
``$ASRLIB_CACHE`` or ``~/.cache/asrlib``; archives stay in ``<cache>/downloads``.
Extraction (and :class:`DownloadError`) is in :mod:`asrlib.archives`; what the archives
are is declared with each corpus (:mod:`asrlib.corpora`, which also finds them by name).
:func:`locate` and :func:`require` do the same for a teaching set: the exact utterances the
series uses, named by their ids in an official archive, so that a full download and a local
copy of just the set give the same utterances.

Environment:

* ``ASRLIB_MIRROR``: a base URL (``http://``, ``https://`` or ``file://``) of a folder that
  holds the official archives under their upstream file names (a proxy, a local share, a
  test server). Every archive is fetched from there instead of its official host. The
  pinned sha256 still applies, unless the mirror publishes a ``SHA256SUMS`` file (lines
  ``<sha256>  <file name>``): then its digests are used for the files it lists.
* ``ASRLIB_DOWNLOAD=0``: never download unless a caller asks explicitly (``download=True``).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import posixpath
import re
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from asrlib import __version__
from asrlib.archives import EXTRACT_FACTOR, DownloadError, Resource, extract

CHUNK = 1 << 20  # bytes per read while downloading and hashing
TIMEOUT = 60.0  # seconds a socket may stay silent before the download fails
MIRROR_ENV = "ASRLIB_MIRROR"
DOWNLOAD_ENV = "ASRLIB_DOWNLOAD"
# An archive up to this size is fetched without being asked (download=None); a larger one
# needs download=True (--download on the command line), so nobody gets gigabytes by surprise.
SMALL_DOWNLOAD = 500_000_000


def mirror_url() -> str | None:
    """``$ASRLIB_MIRROR`` without a trailing slash, or None when it is not set."""
    base = os.environ.get(MIRROR_ENV, "").strip()
    return base.rstrip("/") or None


def source(res: Resource) -> tuple[str, str | None]:
    """Where ``res`` is fetched from and the sha256 it must have: the official URL and the
    pinned digest, or the mirror's copy (and the mirror's own digest when it lists one)."""
    base = mirror_url()
    if base is None:
        return res.url, res.sha256
    url = f"{base}/{res.file}"
    return url, _mirror_sums(base).get(res.file, res.sha256)


def _mirror_sums(base: str) -> dict[str, str]:
    """The mirror's ``SHA256SUMS`` as {file name: digest}; empty when it has none."""
    request = urllib.request.Request(
        f"{base}/SHA256SUMS", headers={"User-Agent": f"asrlib/{__version__}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            text = response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return {}
    sums = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and re.fullmatch(r"[0-9a-fA-F]{64}", parts[0]):
            sums[parts[1].lstrip("*")] = parts[0].lower()
    return sums


def download_allowed(download: bool | None, res: Resource) -> bool:
    """``download`` if given; else (None) yes for a small archive unless ``ASRLIB_DOWNLOAD=0``
    (an archive of unknown size counts as small)."""
    if download is not None:
        return download
    if downloads_off():
        return False
    return res.size is None or res.size <= SMALL_DOWNLOAD


def downloads_off() -> bool:
    """True when ``$ASRLIB_DOWNLOAD`` says no (``0``, ``no``, ``false``, ``off``)."""
    return os.environ.get(DOWNLOAD_ENV, "").strip().lower() in ("0", "no", "false", "off")


def cache_dir() -> Path:
    """Folder for downloads and extracted corpora: ``$ASRLIB_CACHE`` or ``~/.cache/asrlib``."""
    env = os.environ.get("ASRLIB_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "asrlib"


def sha256sum(path: str | os.PathLike) -> str:
    """Hex sha256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    url: str,
    sha256: str | None = None,
    dest_dir: str | os.PathLike | None = None,
    progress: bool = True,
    *,
    filename: str | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Download ``url`` into ``dest_dir`` (default ``<cache>/downloads``), verified, cached.

    An existing file whose sha256 matches is returned without downloading. With
    ``sha256=None`` the check is skipped: the digest is computed, saved next to the
    file as ``<file>.sha256`` and reported in a :class:`UserWarning` so it can be pinned.
    Raises :class:`DownloadError` on network errors, short reads and checksum mismatch.
    """
    folder = Path(dest_dir) if dest_dir is not None else cache_dir() / "downloads"
    name = filename or posixpath.basename(urllib.parse.urlparse(url).path)
    if not name:
        raise DownloadError(f"{url}: the URL names no file; pass filename=")
    target = folder / name
    expected = sha256.lower() if sha256 else None
    if target.is_file():
        if expected is None or sha256sum(target) == expected:
            return target
        target.unlink()  # stale or corrupt cached copy: download again
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / (name + ".part")
    try:
        got = _download(url, part, progress, timeout)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    if expected is not None and got != expected:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"{url}: checksum mismatch, expected sha256 {expected}, got {got}. The download "
            "is corrupt or the file changed upstream; try again, or download it by hand, "
            "extract it and set ASRLIB_DATA to the folder that holds it."
        )
    os.replace(part, target)
    if expected is None:
        Path(f"{target}.sha256").write_text(f"{got}  {name}\n")
        warnings.warn(
            f"{url}: no checksum pinned, integrity not verified; got sha256 {got} "
            f"(saved in {target}.sha256)",
            stacklevel=2,
        )
    return target


def _download(url: str, part: Path, progress: bool, timeout: float) -> str:
    """Stream ``url`` into ``part`` with a progress bar; return the sha256 of what arrived."""
    digest = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": f"asrlib/{__version__}"})
    received, total = 0, None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=part.name.removesuffix(".part"),
                disable=not progress,
                leave=False,
            ) as bar:
                while block := response.read(CHUNK):
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    bar.update(len(block))
    except urllib.error.HTTPError as exc:
        raise DownloadError(_network_message(url, f"HTTP {exc.code} {exc.reason}")) from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(_network_message(url, str(reason) or type(exc).__name__)) from exc
    if total is not None and received != total:
        raise DownloadError(
            _network_message(url, f"connection closed after {received} of {total} bytes")
        )
    return digest.hexdigest()


def _network_message(url: str, reason: str) -> str:
    return (
        f"could not download {url}: {reason}. Check the connection and try again, or download "
        "it by hand, extract it and set ASRLIB_DATA to the folder that holds it."
    )


def ensure(
    res: Resource,
    root: str | os.PathLike | None = None,
    download: bool | None = None,
    progress: bool = True,
) -> Path:
    """Return the data root that contains archive ``res``'s folder, downloading it if needed
    (:func:`asrlib.corpora.ensure` does the same by the archive's name).

    Roots are tried in order: ``root``, ``$ASRLIB_DATA``, ``<cache>/data``; the first
    that has the archive's folder wins, with no network. Otherwise the archive is
    fetched (from ``$ASRLIB_MIRROR`` when set) and extracted into ``<cache>/data``:
    always with ``download=True``, never with ``False``, and with ``None`` (the default)
    only when it is small (see :func:`download_allowed`). Refusals raise one-line errors.
    """
    data = cache_dir() / "data"
    candidates = roots(root)
    for candidate in candidates:
        if (candidate / res.folder).is_dir():
            return candidate
    url, sha256 = source(res)
    if not download_allowed(download, res):
        looked = ", ".join(str(c / res.folder) for c in dict.fromkeys(candidates))
        if download is False:
            why = "downloading was not allowed"
        elif downloads_off():
            why = f"downloads are off ({DOWNLOAD_ENV}=0)"
        else:
            why = "an archive this large is not fetched without asking"
        raise DownloadError(
            f"{res.name}: folder {res.folder} not found (looked in {looked}) and {why}. Allow the "
            f"download (download=True) to fetch {res.describe()} "
            f"from {url}, or download and extract it yourself and set ASRLIB_DATA to the "
            f"folder that contains {res.folder}."
        )
    archive = fetch(url, sha256, progress=progress, filename=res.file)
    target = data / res.into if res.into else data
    rename = {res.strip: Path(res.folder).parts[0]} if res.strip else None
    bound = EXTRACT_FACTOR * res.size if res.size else None  # a hostile archive: refused
    extract(archive, target, rename=rename, max_bytes=bound)
    if not (data / res.folder).is_dir():
        raise DownloadError(
            f"{archive}: extracted into {data} but {res.folder} did not appear; the archive "
            f"layout is not the expected one. Download {url} by hand and set ASRLIB_DATA."
        )
    return data


# --- teaching sets (asrlib.corpora.Subset): the exact utterances the series uses ------------


def roots(root: str | os.PathLike | None = None) -> list[Path]:
    """Data roots in the order they are searched: ``root``, ``$ASRLIB_DATA``, the cache."""
    found = [Path(p).expanduser() for p in (root, os.environ.get("ASRLIB_DATA")) if p]
    return list(dict.fromkeys([*found, cache_dir() / "data"]))


def find(subset, root: str | os.PathLike | None = None) -> Path | None:
    """The folder holding teaching set ``subset`` (an :class:`asrlib.corpora.Subset`) if one
    is here already (no network), else None."""
    for base in roots(root):
        for folder in subset.folders:
            if (base / folder).is_dir():
                return base / folder
    return None


def locate(subset, root: str | os.PathLike | None = None, download: bool | None = None,
           progress: bool = True) -> Path:
    """The folder holding teaching set ``subset``, downloading its archive when allowed
    (``download``: see :func:`ensure`)."""
    here = find(subset, root)
    if here is not None:
        return here
    return ensure(subset.archive, root, download, progress) / subset.archive.folder


def require(*subsets, root: str | os.PathLike | None = None,
            report: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Make sure each teaching set is here, downloading what is missing, whatever its size
    (unless ``ASRLIB_DOWNLOAD=0``); ``report`` is told what is fetched before it starts.
    Returns {name: folder}. Offline, raises a one-line :class:`DownloadError` naming the
    archive, its size and where to put it."""
    folders = {}
    for subset in subsets:
        here = find(subset, root)
        if here is None and not downloads_off() and report is not None:
            url, _ = source(subset.archive)
            report(f"{subset.title}: not here yet, downloading {subset.archive.describe()} "
                   f"from {url} into {cache_dir() / 'data'} (once)")
        folders[subset.name] = here or locate(subset, root,
                                              download=None if downloads_off() else True)
    return folders
