"""Mozilla Common Voice: crowd-sourced read sentences in many languages.

Common Voice asks every user to accept its terms on its website, so it declares no archive:
download a language archive there, extract it and pass its folder to :func:`load`.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from asrlib.corpora import Corpus
from asrlib.utterance import ManifestError, Utterance


def load(folder: str | os.PathLike, split: str = "train") -> list[Utterance]:
    """A Common Voice language folder: ``<split>.tsv`` (client_id, path, sentence…) + ``clips/``.

    Common Voice asks every user to accept its terms on its website, so there
    is no automatic download: download the language archive there, extract it
    and pass its folder (the one holding ``train.tsv`` and ``clips/``).
    """
    folder = Path(folder)
    tsv = folder / f"{split}.tsv"
    if not tsv.exists():
        raise ManifestError(
            f"{tsv}: not found; download a Common Voice language archive from its website, "
            "extract it, and pass the folder that holds train.tsv and clips/"
        )
    utts = []
    with open(tsv, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"client_id", "path", "sentence"} - set(reader.fieldnames or ())
        if missing:
            raise ManifestError(f"{tsv}: missing column(s) {sorted(missing)}")
        for row in reader:
            path = folder / "clips" / row["path"]
            utts.append(
                Utterance(Path(row["path"]).stem, row["sentence"], row["client_id"], str(path))
            )
    return utts


CORPUS = Corpus("common-voice", "Mozilla Common Voice (a language folder you downloaded)",
                "CC0 (Mozilla Common Voice)")
