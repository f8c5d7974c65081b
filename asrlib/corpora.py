"""Teaching sets: the exact utterances the series uses, named by their ids in official archives.

Each set lives in one official archive (the smallest that holds it) and is defined by a
committed list of ids (``asrlib/subsets/*.txt``), so a user who downloads the real archive
reads the same utterances as a local copy of just the set. :func:`locate` finds a set's
folder (``root``, ``$ASRLIB_DATA``, the cache) and downloads its archive when allowed;
:func:`require` is what a notebook's setup cell calls: it fetches what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asrlib import download as dl

SUBSETS = Path(__file__).resolve().parent / "subsets"


@dataclass(frozen=True)
class Corpus:
    """One teaching set: its archive, where it may lie, and the list of its ids."""

    name: str
    title: str
    resource: str  # key of download.RESOURCES: the official archive that holds it
    folders: tuple[str, ...]  # under a data root: a copy of just the set, then the archive's
    ids_file: str | None = None  # asrlib/subsets/<file>; None: the whole archive

    @property
    def archive(self) -> dl.Resource:
        return dl.RESOURCES[self.resource]


CORPORA: dict[str, Corpus] = {
    c.name: c
    for c in (
        Corpus("fsdd", "Free Spoken Digit Dataset v1.0.10 (6 voices, 3,000 digits)", "fsdd",
               ("free-spoken-digit-dataset",)),
        Corpus("librispeech-sample", "LibriSpeech: 496 utterances of 4 train-clean-100 speakers",
               "librispeech-train-clean-100", ("LibriSpeech/sample", "LibriSpeech/train-clean-100"),
               "librispeech-sample.txt"),
        Corpus("ljspeech-sample", "LJSpeech-1.1: 141 utterances", "ljspeech", ("LJSpeech-1.1",),
               "ljspeech-sample.txt"),
        Corpus("alphanumeric", "alphanumeric-audio-dataset: 49 speakers", "alphanumeric",
               ("alphanumeric-audio-dataset",), "alphanumeric.txt"),
        Corpus("speech-commands-digits", "Speech Commands: 170 digit words of 69 speakers",
               "speech-commands", ("speech_commands",), "speech-commands-digits.txt"),
    )
}


def get(name: str) -> Corpus:
    """The teaching set called ``name``; a clear error lists the known ones."""
    if name not in CORPORA:
        raise ValueError(f"unknown teaching set {name!r}; known: {', '.join(CORPORA)}")
    return CORPORA[name]


def ids(name: str) -> list[str]:
    """The ids that define teaching set ``name``, in the committed order (empty: all)."""
    corpus = get(name)
    if corpus.ids_file is None:
        return []
    lines = (SUBSETS / corpus.ids_file).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def roots(root: str | os.PathLike | None = None) -> list[Path]:
    """Data roots in the order they are searched: ``root``, ``$ASRLIB_DATA``, the cache."""
    found = [Path(p).expanduser() for p in (root, os.environ.get("ASRLIB_DATA")) if p]
    return list(dict.fromkeys([*found, dl.cache_dir() / "data"]))


def find(name: str, root: str | os.PathLike | None = None) -> Path | None:
    """The folder holding teaching set ``name`` if one is here already (no network), else None."""
    corpus = get(name)
    for base in roots(root):
        for folder in corpus.folders:
            if (base / folder).is_dir():
                return base / folder
    return None


def locate(
    name: str,
    root: str | os.PathLike | None = None,
    download: bool | None = None,
    progress: bool = True,
) -> Path:
    """The folder holding teaching set ``name``, downloading its archive when allowed
    (``download``: see :func:`asrlib.download.ensure`)."""
    here = find(name, root)
    if here is not None:
        return here
    corpus = get(name)
    data = dl.ensure(corpus.resource, root=root, download=download, progress=progress)
    return data / corpus.archive.folder


def require(
    *names: str,
    root: str | os.PathLike | None = None,
    report: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Make sure each teaching set is here, downloading what is missing, whatever its size
    (unless ``ASRLIB_DOWNLOAD=0``); ``report`` is told what is fetched before it starts.
    Returns {name: folder}. Offline, raises a one-line :class:`DownloadError` naming the
    archive, its size and where to put it."""
    folders = {}
    for name in names:
        here = find(name, root)
        if here is None and not dl.downloads_off() and report is not None:
            corpus = get(name)
            url, _ = dl.source(corpus.archive)
            report(f"{corpus.title}: not here yet, downloading {corpus.archive.describe()} "
                   f"from {url} into {dl.cache_dir() / 'data'} (once)")
        folders[name] = here or locate(name, root, download=None if dl.downloads_off() else True)
    return folders
