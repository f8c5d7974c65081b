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

The training split's digit strings (zip codes, phone numbers, other strings of digit words
only: 181 recordings, every one of the 74 training speakers) join the pool of digit voices
(:mod:`asrlib.voices`), with the gender from the speaker id and "oh" written as "zero"
(:func:`digit_strings`). The test split never joins it.
"""

from __future__ import annotations

import re
from pathlib import Path

from asrlib import corpora, utterance
from asrlib.archives import Resource
from asrlib.corpora import Corpus, Item, Pool, Selection, Speaker, Subset
from asrlib.text import DIGIT_WORDS
from asrlib.utterance import ManifestError, Utterance

SPLITS = {"train": ("an4_clstk", "an4_train.transcription"),
          "test": ("an4test_clstk", "an4_test.transcription")}
GENDERS = {"f": "female", "m": "male"}
DEVICE = "close-talking mic (AN4)"
# The digits task's words for AN4's: a speaker who said "oh" for zero gets "zero" (the task
# writes the ten digit words only).
DIGITS = {"OH": "zero", **{w.upper(): w for w in DIGIT_WORDS}}
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


def digit_strings(split: str = "train", root=None, download: bool | None = None,
                  speakers=None) -> list[Utterance]:
    """The recordings of ``split`` that are digit words only (zip codes, phone numbers),
    transcribed in the digits task's words: ``OH`` → ``zero``, ``NINE`` → ``nine``.
    Strings with any other word ("DOUBLE", "FIFTY", a letter) are not digit strings."""
    out = []
    for u in load(split, root, download, speakers):
        words = u.text.split()
        if words and all(w in DIGITS for w in words):
            out.append(Utterance(u.id, " ".join(DIGITS[w] for w in words), u.speaker, u.path))
    return out


def _speakers(root=None, download=None) -> list:
    """The training speakers with digit strings, from the committed list
    ``subsets/an4-digit-speakers.txt`` (listing the pool needs no download); the gender is
    the id's first letter."""
    table = corpora.SUBSETS / "an4-digit-speakers.txt"
    names = [line.strip() for line in table.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return [Speaker(f"an4:{name}", "an4", gender(name), DEVICE) for name in names]


def _strings(names, m) -> list[Utterance]:
    keep = set(names)
    strings = digit_strings("train", m.root, m.download, keep)
    silent = keep - {u.speaker for u in strings}
    if silent:
        raise ManifestError(f"AN4: no digit strings for the pooled speakers "
                            f"{', '.join(sorted(silent))}; is the AN4 folder complete?")
    return strings


def _scored(names, m) -> list:
    """Each speaker's digit strings (connected digits)."""
    return [Item(f"an4:{u.speaker}", "connected", u) for u in _strings(names, m)]


def _training(names, m) -> list[Utterance]:
    """``m.copies`` versions of each of the speakers' digit strings (not those in
    ``m.exclude``)."""
    own = [u for u in _strings(names, m) if u.id not in m.exclude]
    return utterance.replayed(own, m.copies, m.seed, m.perturb, m.effects)


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
    # joined the pool after the first three corpora: dealt into folds after them, so the
    # folds of the voices already pooled did not move
    pool=Pool(_speakers, _scored, _training, rank=3, joined=2),
    notes={"published_test_utterances": 130, "published_test_words": 773},
)
