"""Safe extraction of downloaded corpus archives, and the error of getting a corpus.

:func:`extract` unpacks a .tar(.gz/.bz2/.xz)/.tgz/.zip archive into a folder:
every member is checked first (no absolute paths, no ``..``, no links that leave
the archive, no devices), everything is unpacked into a temporary folder and
only then moved into place, and a marker file records a finished extraction.

:class:`DownloadError` is the one error of getting a corpus (download, checksum
or extraction); it lives here, below :mod:`asrlib.download` in the import graph,
and ``asrlib.download.DownloadError`` is the same class.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tarfile
import tempfile
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path


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


def human_size(n: int) -> str:
    """``2_748_572_632`` → ``'2.7 GB'`` (decimal units, as the hosts list them)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


class DownloadError(RuntimeError):
    """A download, checksum or extraction failed; the message names the URL/file and the fix."""

    def _render_traceback_(self) -> list[str]:
        """In a notebook (IPython), show the one-line message instead of a traceback."""
        return [f"DownloadError: {self}"]


# A corpus archive of speech unpacks to about 1-1.5 times its size (FLAC, SPHERE and WAV hardly
# compress); extraction stops, with nothing more written, past this many times the size the
# corpus declares: a hostile or broken archive cannot fill the disk.
EXTRACT_FACTOR = 4


def extract(
    archive: str | os.PathLike, dest: str | os.PathLike, *, rename: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> Path:
    """Safely unpack a .tar(.gz/.bz2/.xz)/.tgz/.zip ``archive`` into ``dest``; return ``dest``.

    Members with absolute paths or ``..``, links that leave the archive, devices and
    other special files raise :class:`DownloadError`, and so do members that together would
    write more than ``max_bytes`` (checked on each member's declared size before it is
    written: a zip's before anything is, a tar's as the stream reaches it). Everything is
    unpacked into a
    temporary folder inside ``dest`` and only then moved into place (merged with
    existing folders; top-level names renamed by ``rename``), so an interrupted run
    never looks complete; ``dest/.complete-<archive name>`` marks a finished one.
    """
    archive, dest = Path(archive), Path(dest)
    if not archive.is_file():
        raise DownloadError(f"{archive}: no such archive; download it again")
    dest.mkdir(parents=True, exist_ok=True)
    prefix = f".extract-{archive.name}-"
    for stale in dest.glob(prefix + "*"):  # left behind by an interrupted run
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=dest))
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, staging, max_bytes)
        elif tarfile.is_tarfile(archive):
            _extract_tar(archive, staging, max_bytes)
        else:
            raise DownloadError(
                f"{archive}: not a .tar.gz/.tar.bz2/.tgz/.tar/.zip archive (or it is damaged); "
                "delete it and download it again"
            )
        for entry in sorted(staging.iterdir()):
            _merge(entry, dest / (rename or {}).get(entry.name, entry.name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    (dest / f".complete-{archive.name}").touch()
    return dest


def _check_name(name: str, archive: Path) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise DownloadError(
            f"{archive}: unsafe member {name!r} (absolute path or '..'); refusing to extract. "
            "The archive is not the expected one; delete it and download it again."
        )


def _check_tar_member(member: tarfile.TarInfo, archive: Path) -> None:
    _check_name(member.name, archive)
    if member.issym() or member.islnk():
        base = posixpath.dirname(member.name) if member.issym() else ""
        target = posixpath.normpath(posixpath.join(base, member.linkname))
        if member.linkname.startswith("/") or target == ".." or target.startswith("../"):
            raise DownloadError(
                f"{archive}: link {member.name!r} -> {member.linkname!r} points outside the "
                "archive; refusing to extract. Delete it and download it again."
            )
    elif not (member.isfile() or member.isdir()):
        raise DownloadError(
            f"{archive}: member {member.name!r} is a device or other special file; "
            "refusing to extract. Delete it and download it again."
        )


def _too_big(archive: Path, total: int, max_bytes: int) -> DownloadError:
    return DownloadError(
        f"{archive}: its members would unpack to more than {human_size(total)}, over the "
        f"{human_size(max_bytes)} this corpus can take ({EXTRACT_FACTOR} times its declared "
        "size); refusing to extract. The archive is not the expected one: delete it and "
        "download it again.")


def _extract_tar(archive: Path, staging: Path, max_bytes: int | None = None) -> None:
    def checked(tar: tarfile.TarFile):
        total = 0
        for member in tar:  # one streaming pass: each member is checked before it is written
            _check_tar_member(member, archive)
            total += member.size
            if max_bytes is not None and total > max_bytes:
                raise _too_big(archive, total, max_bytes)
            yield member

    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(staging, members=checked(tar), **safe)
    except DownloadError:
        raise
    except getattr(tarfile, "FilterError", ()) as exc:
        raise DownloadError(f"{archive}: unsafe member ({exc}); refusing to extract") from exc
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise _cannot_extract(archive, exc) from exc


def _extract_zip(archive: Path, staging: Path, max_bytes: int | None = None) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                _check_name(name, archive)
            total = sum(info.file_size for info in zf.infolist())
            if max_bytes is not None and total > max_bytes:
                raise _too_big(archive, total, max_bytes)
            zf.extractall(staging)
    except DownloadError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _cannot_extract(archive, exc) from exc


def _cannot_extract(archive: Path, exc: Exception) -> DownloadError:
    return DownloadError(f"{archive}: cannot extract ({exc}); the file is damaged or the disk "
                         "is full. Delete it and download it again.")


def _merge(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst``; folders that both sides have are merged, files replaced."""
    if not dst.exists() and not dst.is_symlink():
        os.replace(src, dst)
    elif src.is_dir() and not src.is_symlink() and dst.is_dir():
        for child in sorted(src.iterdir()):
            _merge(child, dst / child.name)
    elif dst.is_dir() and not dst.is_symlink():
        raise DownloadError(f"{dst}: a folder is in the way of a file from the archive; remove it")
    else:
        os.replace(src, dst)
