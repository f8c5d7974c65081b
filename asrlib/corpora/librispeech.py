"""LibriSpeech: read English audiobooks, 16 kHz FLAC, one archive per subset (openslr.org/12).

Layout ``LibriSpeech/<subset>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac`` with one
``<speaker>-<chapter>.trans.txt`` per chapter (upper case, no punctuation). The series'
teaching set ``librispeech-sample`` is 496 utterances of four ``train-clean-100`` speakers,
read by their ids (``subsets/librispeech-sample.txt``).
"""

from __future__ import annotations

import os
from pathlib import Path

from asrlib import corpora
from asrlib.archives import Resource
from asrlib.corpora import Corpus, Selection, Subset
from asrlib.utterance import ManifestError, Utterance

TEST_SPEAKER = "8226"  # the sample speaker held out for testing

_OPENSLR = "https://www.openslr.org/resources/12"
# sha256s: pytorch/audio torchaudio/datasets/librispeech.py (_CHECKSUMS), identical in
# tensorflow/datasets tensorflow_datasets/url_checksums/librispeech.txt; both list the same
# files under http://www.openslr.org/resources/12/ (same host and path, plain http).
_SHA256 = {
    "dev-clean": "76f87d090650617fca0cac8f88b9416e0ebf80350acb97b343a85fa903728ab3",
    "dev-other": "12661c48e8c3fe1de2c1caa4c3e135193bfb1811584f11f569dd12645aa84365",
    "test-clean": "39fde525e59672dc6d1551919b1478f724438a95aa55f874b576be21967e6c23",
    "test-other": "d09c181bba5cf717b3dee7d4d592af11a3ee3a09e08ae025c5506f6ebe961c29",
    "train-clean-100": "d4ddd1d5a6ab303066f14971d768ee43278a5f2a0aa43dc716b0e64ecbbbf6e2",
    "train-clean-360": "146a56496217e96c14334a160df97fffedd6e0a04e66b9c5af0d40be3c792ecf",
    "train-other-500": "ddb22f27f96ec163645d53215559df6aa36515f26e01dd70798188350adcb6d2",
}
# Archive sizes as listed on openslr.org/12 (bytes, rounded to the MB).
_SIZE = {
    "dev-clean": 337_926_000,
    "dev-other": 314_306_000,
    "test-clean": 346_663_000,
    "test-other": 328_757_000,
    "train-clean-100": 6_387_309_000,
    "train-clean-360": 23_049_477_000,
    "train-other-500": 30_593_501_000,
}
_ARCHIVES = {
    f"librispeech-{subset}": Resource(f"librispeech-{subset}", f"{_OPENSLR}/{subset}.tar.gz",
                                      digest, f"LibriSpeech/{subset}", size=_SIZE[subset])
    for subset, digest in _SHA256.items()
}


def load(
    subset: str = "dev-clean", root=None, download: bool | None = None, speakers=None
) -> list[Utterance]:
    """LibriSpeech ``<subset>/<speaker>/<chapter>/*.flac`` with ``*.trans.txt`` transcripts.

    ``subset="sample"`` is the series' teaching set: 496 utterances of four speakers of
    ``train-clean-100``, read by their ids from that subset (or from a folder
    ``LibriSpeech/sample`` that holds just them).
    """
    if subset == "sample":
        folder = corpora.locate("librispeech-sample", root, download)
        wanted = corpora.ids("librispeech-sample")
    else:
        folder = _root(subset, root, download) / "LibriSpeech" / subset
        wanted = None
    keep = set(wanted) if wanted is not None else None
    utts = []
    for trans in sorted(folder.glob("*/*/*.trans.txt")):
        speaker = trans.parent.parent.name
        if speakers is not None and speaker not in speakers:
            continue
        if keep is not None and not any(k.startswith(f"{speaker}-") for k in keep):
            continue
        for line in trans.read_text(encoding="utf-8").splitlines():
            uid, _, text = line.partition(" ")
            if line.strip() and (keep is None or uid in keep):
                utts.append(Utterance(uid, text, speaker, str(trans.parent / f"{uid}.flac")))
    if wanted is not None:
        _check_complete("LibriSpeech sample", folder, wanted, utts, speakers)
        order = {uid: i for i, uid in enumerate(wanted)}
        utts.sort(key=lambda u: order[u.id])
    if not utts:
        raise ManifestError(f"{folder}: no LibriSpeech transcripts (*/*/*.trans.txt) found")
    return utts


def _root(subset: str, root, download: bool | None) -> Path:
    """Root holding ``LibriSpeech/<subset>``: a downloadable subset, or a local-only one."""
    name = f"librispeech-{subset}"
    if name in _ARCHIVES:
        return corpora.ensure(name, root=root, download=download)
    candidates = [Path(p) for p in (root, os.environ.get("ASRLIB_DATA")) if p]
    for candidate in candidates:
        if (candidate / "LibriSpeech" / subset).is_dir():
            return candidate
    known = sorted(_SHA256)
    raise ManifestError(
        f"LibriSpeech subset {subset!r} not found under {[str(c) for c in candidates]}; "
        f"downloadable subsets: {', '.join(known)}"
    )


def _check_complete(label: str, folder: Path, wanted: list[str], utts, speakers=None) -> None:
    """Raise when a teaching set's folder lacks some of its ids: never a silent subset."""
    have = {u.id for u in utts}
    missing = [
        uid for uid in wanted
        if uid not in have and (speakers is None or uid.split("-")[0] in speakers)
    ]
    if missing:
        raise ManifestError(
            f"{folder}: {len(missing)} of the {label}'s {len(wanted)} utterances are missing "
            f"(e.g. {', '.join(missing[:3])}); the folder is incomplete or not the official "
            "archive. Delete it and let asrlib download the archive again."
        )



def _select(sel: Selection) -> list[Utterance]:
    speakers = sel.speakers or ((TEST_SPEAKER,) if sel.purpose == "test" else None)
    return load(sel.subset or "sample", sel.root, sel.download,
                set(speakers) if speakers else None)


CORPUS = Corpus(
    "librispeech",
    "LibriSpeech ASR corpus (read audiobooks, 1,000 hours)",
    "CC BY 4.0 (Panayotov, Chen, Povey, Khudanpur 2015)",
    archives=tuple(_ARCHIVES.values()),
    subsets=(Subset("librispeech-sample",
                    "LibriSpeech: 496 utterances of 4 train-clean-100 speakers",
                    _ARCHIVES["librispeech-train-clean-100"],
                    ("LibriSpeech/sample", "LibriSpeech/train-clean-100"),
                    "librispeech-sample.txt"),),
    select=_select,
)
