"""LJ Speech 1.1: one woman reading non-fiction, 22,050 Hz WAV, 24 hours in one 2.7 GB archive.

Layout ``LJSpeech-1.1/wavs/<id>.wav`` and ``metadata.csv`` (``id|as written|normalised``, no
header). The series' teaching set is 141 of its utterances (``subsets/ljspeech-sample.txt``);
its reader is the speaker ``LJ``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from asrlib import corpora
from asrlib.archives import Resource
from asrlib.corpora import Corpus, Selection, Subset
from asrlib.utterance import ManifestError, Utterance

# sha256: tensorflow/datasets tensorflow_datasets/url_checksums/ljspeech.txt, identical in
# pytorch/audio torchaudio/datasets/ljspeech.py (_RELEASE_CONFIGS), same URL.
ARCHIVE = Resource(
    "ljspeech",
    "https://data.keithito.com/data/speech/LJSpeech-1.1.tar.bz2",
    "be1a30453f28eb8dd26af4101ae40cbf2c50413b1bb21936cbcdc6fae3de8aa5",
    "LJSpeech-1.1",
    size=2_748_572_632,
)


def rows(root=None, download: bool | None = None) -> list[tuple[str, str, str]]:
    """The LJSpeech teaching set's ``metadata.csv`` rows: (id, text as written, normalised)."""
    return _read(root, download)[1]


def _read(root, download) -> tuple[Path, list[tuple[str, str, str]]]:
    folder = corpora.locate("ljspeech-sample", root, download)
    wanted = corpora.ids("ljspeech-sample")
    keep, rows = set(wanted), {}
    with open(folder / "metadata.csv", encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE):
            if len(row) >= 2 and row[0] in keep:
                rows[row[0]] = (row[0], row[1], row[2] if len(row) > 2 and row[2] else row[1])
    missing = [u for u in wanted if u not in rows or not (folder / "wavs" / f"{u}.wav").exists()]
    if missing:
        raise ManifestError(
            f"{folder}: {len(missing)} of the LJSpeech sample's {len(wanted)} utterances are "
            f"missing (e.g. {', '.join(missing[:3])}); the folder is incomplete. Delete it and "
            "let asrlib download the archive again."
        )
    return folder, [rows[uid] for uid in wanted]


def load(root=None, download: bool | None = None, limit: int | None = None) -> list[Utterance]:
    """The LJSpeech teaching set (141 utterances of LJSpeech-1.1), normalised transcripts."""
    folder, found = _read(root, download)
    found = found[:limit]
    return [Utterance(uid, spoken, "LJ", str(folder / "wavs" / f"{uid}.wav"))
            for uid, _, spoken in found]


def _select(sel: Selection) -> list[Utterance]:
    return load(sel.root, sel.download)


CORPUS = Corpus(
    "ljspeech", "LJ Speech 1.1 (one reader, 24 hours)", "public domain (Keith Ito 2017)",
    archives=(ARCHIVE,),
    subsets=(Subset("ljspeech-sample", "LJSpeech-1.1: 141 utterances", ARCHIVE,
                    ("LJSpeech-1.1",), "ljspeech-sample.txt"),),
    select=_select,
)
