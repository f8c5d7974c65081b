"""Corpus downloads from the official hosts: cached, checksummed, safely extracted.

:func:`ensure` is the entry point: it returns the data root that holds a corpus,
looking first at ``root``, then ``$ASRLIB_DATA``, then ``<cache>/data``, and
downloads + extracts into ``<cache>/data`` only when none has it. The cache is
``$ASRLIB_CACHE`` or ``~/.cache/asrlib``; archives stay in ``<cache>/downloads``.
Extraction (and :class:`DownloadError`) is in :mod:`asrlib.archives`.

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
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from asrlib import __version__
from asrlib.archives import DownloadError, extract

CHUNK = 1 << 20  # bytes per read while downloading and hashing
TIMEOUT = 60.0  # seconds a socket may stay silent before the download fails
MIRROR_ENV = "ASRLIB_MIRROR"
DOWNLOAD_ENV = "ASRLIB_DOWNLOAD"
# An archive up to this size is fetched without being asked (download=None); a larger one
# needs download=True (--download on the command line), so nobody gets gigabytes by surprise.
SMALL_DOWNLOAD = 500_000_000


@dataclass(frozen=True)
class Resource:
    """One downloadable archive and the folder (relative to the data root) it provides."""

    name: str
    url: str
    sha256: str | None  # None: not pinned, the download is not verified (digest is reported)
    folder: str  # e.g. "LibriSpeech/dev-clean"; its existence means "already there"
    strip: str | None = None  # the archive's top folder, renamed to ``folder`` on extraction
    filename: str | None = None  # name in the downloads cache; default: the URL's last part
    size: int | None = None  # bytes of the archive (approximate where not published)
    into: str | None = None  # extract into this folder: for archives with no top folder

    @property
    def file(self) -> str:
        """The archive's file name (in the downloads cache and on a mirror)."""
        return self.filename or posixpath.basename(urllib.parse.urlparse(self.url).path)

    def describe(self) -> str:
        """``'train-clean-100.tar.gz (6.4 GB)'``: what a download of it means."""
        return f"{self.file} ({human_size(self.size)})" if self.size else self.file


_OPENSLR = "https://www.openslr.org/resources/12"
# LibriSpeech sha256s: pytorch/audio torchaudio/datasets/librispeech.py (_CHECKSUMS), identical in
# tensorflow/datasets tensorflow_datasets/url_checksums/librispeech.txt; both list the same
# files under http://www.openslr.org/resources/12/ (same host and path, plain http).
_LIBRISPEECH = {
    "dev-clean": "76f87d090650617fca0cac8f88b9416e0ebf80350acb97b343a85fa903728ab3",
    "dev-other": "12661c48e8c3fe1de2c1caa4c3e135193bfb1811584f11f569dd12645aa84365",
    "test-clean": "39fde525e59672dc6d1551919b1478f724438a95aa55f874b576be21967e6c23",
    "test-other": "d09c181bba5cf717b3dee7d4d592af11a3ee3a09e08ae025c5506f6ebe961c29",
    "train-clean-100": "d4ddd1d5a6ab303066f14971d768ee43278a5f2a0aa43dc716b0e64ecbbbf6e2",
    "train-clean-360": "146a56496217e96c14334a160df97fffedd6e0a04e66b9c5af0d40be3c792ecf",
    "train-other-500": "ddb22f27f96ec163645d53215559df6aa36515f26e01dd70798188350adcb6d2",
}

# Archive sizes as listed on openslr.org/12 (bytes, rounded to the MB).
_LIBRISPEECH_SIZE = {
    "dev-clean": 337_926_000,
    "dev-other": 314_306_000,
    "test-clean": 346_663_000,
    "test-other": 328_757_000,
    "train-clean-100": 6_387_309_000,
    "train-clean-360": 23_049_477_000,
    "train-other-500": 30_593_501_000,
}

RESOURCES: dict[str, Resource] = {
    # No public record of the v1.0.10 tarball's sha256 was found, so it is not verified.
    # tensorflow/datasets tensorflow_datasets/audio/spoken_digit/checksums.tsv pins only
    # v1.0.9.tar.gz (8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0), but
    # v1.0.9 lacks speaker "lucas" (added in the v1.0.10 commit), so it would not match the
    # 6-speaker layout that the rest of asrlib and its test mirror use.
    "fsdd": Resource(
        "fsdd",
        "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/v1.0.10.tar.gz",
        None,
        "free-spoken-digit-dataset",
        strip="free-spoken-digit-dataset-1.0.10",
        filename="free-spoken-digit-dataset-1.0.10.tar.gz",
        size=20_000_000,  # about; GitHub does not publish it
    ),
    # sha256: tensorflow/datasets tensorflow_datasets/url_checksums/ljspeech.txt, identical in
    # pytorch/audio torchaudio/datasets/ljspeech.py (_RELEASE_CONFIGS), same URL.
    "ljspeech": Resource(
        "ljspeech",
        "https://data.keithito.com/data/speech/LJSpeech-1.1.tar.bz2",
        "be1a30453f28eb8dd26af4101ae40cbf2c50413b1bb21936cbcdc6fae3de8aa5",
        "LJSpeech-1.1",
        size=2_748_572_632,
    ),
    # A GitHub branch archive: its bytes change with every commit upstream, so no digest can
    # be pinned (the digest of what arrived is saved and reported). Upstream audio is
    # 44.1/48 kHz, some stereo; audio.load downmixes and resamples it.
    "alphanumeric": Resource(
        "alphanumeric",
        "https://github.com/Sakshee5/alphanumeric-audio-dataset/archive/refs/heads/main.zip",
        None,
        "alphanumeric-audio-dataset",
        strip="alphanumeric-audio-dataset-main",
        filename="alphanumeric-audio-dataset-main.zip",
        size=150_000_000,  # about; GitHub does not publish it
    ),
    # Speech Commands v0.02 (all 35 words, 2,618 speakers); the archive has no top folder.
    # Its official host (download.tensorflow.org) over https; sha256 as pinned by other loaders
    # of the same archive.
    "speech-commands": Resource(
        "speech-commands",
        "https://storage.googleapis.com/download.tensorflow.org/data/speech_commands_v0.02.tar.gz",
        "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
        "speech_commands",
        into="speech_commands",
        size=2_428_923_189,
    ),
    **{
        f"librispeech-{subset}": Resource(
            f"librispeech-{subset}",
            f"{_OPENSLR}/{subset}.tar.gz",
            digest,
            f"LibriSpeech/{subset}",
            size=_LIBRISPEECH_SIZE[subset],
        )
        for subset, digest in _LIBRISPEECH.items()
    },
}


def human_size(n: int) -> str:
    """``2_748_572_632`` → ``'2.7 GB'`` (decimal units, as the hosts list them)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


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
    name: str,
    root: str | os.PathLike | None = None,
    download: bool | None = None,
    progress: bool = True,
) -> Path:
    """Return the data root that contains corpus ``name``'s folder, downloading it if needed.

    Roots are tried in order: ``root``, ``$ASRLIB_DATA``, ``<cache>/data``; the first
    that has ``RESOURCES[name].folder`` wins, with no network. Otherwise the archive is
    fetched (from ``$ASRLIB_MIRROR`` when set) and extracted into ``<cache>/data``:
    always with ``download=True``, never with ``False``, and with ``None`` (the default)
    only when it is small (see :func:`download_allowed`). Refusals raise one-line errors.
    """
    if name not in RESOURCES:
        raise ValueError(f"unknown corpus {name!r}; known: {', '.join(sorted(RESOURCES))}")
    res = RESOURCES[name]
    data = cache_dir() / "data"
    candidates = [Path(p).expanduser() for p in (root, os.environ.get("ASRLIB_DATA")) if p]
    candidates.append(data)
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
            f"{name}: folder {res.folder} not found (looked in {looked}) and {why}. Allow the "
            f"download (download=True) to fetch {res.describe()} "
            f"from {url}, or download and extract it yourself and set ASRLIB_DATA to the "
            f"folder that contains {res.folder}."
        )
    archive = fetch(url, sha256, progress=progress, filename=res.file)
    target = data / res.into if res.into else data
    rename = {res.strip: Path(res.folder).parts[0]} if res.strip else None
    extract(archive, target, rename=rename)
    if not (data / res.folder).is_dir():
        raise DownloadError(
            f"{archive}: extracted into {data} but {res.folder} did not appear; the archive "
            f"layout is not the expected one. Download {url} by hand and set ASRLIB_DATA."
        )
    return data
