"""CMU AN4 ("census"): 74 training and 10 test speakers spelling names, saying numbers and
commands; 16 kHz close-talking microphone, about 55 minutes, one 64 MB archive.

Layout of the official ``an4_sphere.tar.gz``: ``an4/wav/an4_clstk/<speaker>/<id>.sph``
(training split), ``an4/wav/an4test_clstk/<speaker>/<id>.sph`` (test split), and
``an4/etc/an4_{train,test}.transcription`` with lines ``<s> WORDS </s> (<id>)`` (training)
or ``WORDS (<id>)`` (test). A speaker id's first letter is the speaker's gender (``f``/``m``).
The audio is NIST SPHERE, which :func:`asrlib.audio.load` reads as it is.

Transcripts are verbatim and upper case: letters are one-letter words (``C Q Q F``), zero is
``OH`` when the speaker said "oh" and ``ZERO`` when they said zero, numbers are the words said
(``FIFTY SIX``). The test split is the one published AN4 results use: score on it, never train
on it. Recordings without a transcript line (one test speaker in some copies) are listed by
:func:`untranscribed`, not guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

from asrlib import corpora
from asrlib.archives import Resource
from asrlib.corpora import Corpus, Selection, Subset
from asrlib.utterance import ManifestError, Utterance

SPLITS = {"train": ("an4_clstk", "an4_train.transcription"),
          "test": ("an4test_clstk", "an4_test.transcription")}
GENDERS = {"f": "female", "m": "male"}
_LINE = re.compile(r"^(?:<s>\s*)?(.*?)\s*(?:</s>)?\s*\(([^()\s]+)\)\s*$")

ARCHIVE = Resource(
    "an4",
    # CMU's official host. The sha256 is the one other AN4 recipes pin for this same archive
    # (its copy on NVIDIA's public bucket, which NeMo's tutorials download).
    "http://www.speech.cs.cmu.edu/databases/an4/an4_sphere.tar.gz",
    "a0525579493735d32b60fb6fa5975dd0eaacde087b0a4eeb7f13b7ef33077b12",
    "an4",
    size=64_000_000,  # about: CMU lists it as 64M
)


def load(split: str = "train", root=None, download: bool | None = None,
         speakers=None) -> list[Utterance]:
    """The transcribed utterances of one split (``train`` or ``test``), in transcript order;
    ``speakers`` (ids such as ``fash``) keeps only theirs."""
    if split not in SPLITS:
        raise ValueError(f"AN4 has the splits {sorted(SPLITS)}, not {split!r}")
    folder = corpora.locate("an4", root, download)
    wav, transcript = SPLITS[split]
    utts, missing = [], []
    for text, uid in transcript_lines(folder / "etc" / transcript):
        speaker = uid.split("-")[1]
        if speakers is not None and speaker not in speakers:
            continue
        path = folder / "wav" / wav / speaker / f"{uid}.sph"
        if not path.is_file():
            missing.append(uid)
        utts.append(Utterance(uid, text, speaker, str(path)))
    if missing:
        raise ManifestError(
            f"{folder}: {len(missing)} AN4 {split} recordings named in its transcript are "
            f"missing (e.g. {', '.join(missing[:3])}); the folder is incomplete. Delete it "
            "and let asrlib download the archive again.")
    if not utts:
        raise ManifestError(f"{folder}: no AN4 {split} utterances for speakers {speakers}")
    return utts


def transcript_lines(path: Path) -> list[tuple[str, str]]:
    """``(WORDS, id)`` of every line of an AN4 transcription file (blank lines skipped)."""
    if not path.is_file():
        raise ManifestError(f"{path}: AN4 transcript not found; the folder is incomplete")
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        if not m or len(m.group(2).split("-")) < 3:
            raise ManifestError(f"{path}:{number}: not an AN4 transcript line: {line.strip()!r}")
        out.append((m.group(1), m.group(2)))
    return out


def untranscribed(split: str = "test", root=None, download: bool | None = None) -> list[str]:
    """Recording ids of ``split`` that have no transcript line (they cannot be scored)."""
    folder = corpora.locate("an4", root, download)
    wav, transcript = SPLITS[split]
    known = {uid for _, uid in transcript_lines(folder / "etc" / transcript)}
    return sorted(p.stem for p in (folder / "wav" / wav).glob("*/*.sph") if p.stem not in known)


def speakers(split: str = "train", root=None, download: bool | None = None) -> dict[str, str]:
    """``{speaker id: gender}`` of every speaker with a recording in ``split``."""
    folder = corpora.locate("an4", root, download) / "wav" / SPLITS[split][0]
    return {p.name: gender(p.name) for p in sorted(folder.iterdir()) if p.is_dir()}


def gender(speaker: str) -> str:
    """``female``/``male`` from an AN4 speaker id's first letter."""
    return GENDERS.get(speaker[:1], "unknown")


def _select(sel: Selection) -> list[Utterance]:
    split = sel.subset or ("train" if sel.purpose == "train" else "test")
    return load(split, sel.root, sel.download, set(sel.speakers) if sel.speakers else None)


CORPUS = Corpus(
    "an4",
    "CMU AN4: 74 training and 10 test speakers spelling, saying numbers and commands",
    "CMU, BSD-style: free for any use, keep the copyright notice (an4/LICENSE)",
    archives=(ARCHIVE,),
    subsets=(Subset("an4", "CMU AN4 (census), whole: 948 training and 130 test recordings",
                    ARCHIVE, ("an4",)),),
    select=_select,
    notes={"published_test_utterances": 130, "published_test_words": 773},
)
