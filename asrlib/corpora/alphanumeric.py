"""alphanumeric-audio-dataset: people at home on phones and laptops reading a phone number digit
by digit and spelling a name letter by letter (mostly Indian-accented English).

Layout (the GitHub repository Sakshee5/alphanumeric-audio-dataset): ``audio_data/<part>/
<Response_ID>.wav`` and ``metadata.csv`` (per file: the prompt, gender, age, native language,
accent strength and recording device). Upstream audio is 44.1/48 kHz, some stereo;
:func:`asrlib.audio.load` downmixes and resamples it. The series uses 49 speakers' phone
numbers (``subsets/alphanumeric.txt``); they join the pool of digit voices with their gender
and device.
"""

from __future__ import annotations

import csv
from pathlib import Path

from asrlib import corpora, utterance
from asrlib.archives import Resource
from asrlib.corpora import Corpus, Item, Pool, Selection, Speaker, Subset
from asrlib.text import DIGIT_WORDS
from asrlib.utterance import ManifestError, Utterance

DEVICES = {"Phone Recorder": "phone", "Laptop": "laptop", "External Microphone": "external mic"}
GENDERS = {"Female": "female", "Male": "male"}

# A GitHub branch archive: its bytes change with every commit upstream, so no digest can
# be pinned (the digest of what arrived is saved and reported).
ARCHIVE = Resource(
    "alphanumeric",
    "https://github.com/Sakshee5/alphanumeric-audio-dataset/archive/refs/heads/main.zip",
    None,
    "alphanumeric-audio-dataset",
    strip="alphanumeric-audio-dataset-main",
    filename="alphanumeric-audio-dataset-main.zip",
    size=150_000_000,  # about; GitHub does not publish it
)


def numbers(root=None, download: bool | None = None) -> list[Utterance]:
    """Phone numbers of the alphanumeric teaching set, read digit by digit by 49 speakers.

    The transcript is the *prompt* in digit words ("8885112931" → "eight eight eight …"):
    speakers may have said "oh" or "double five" or misread, so it is a slightly noisy label.
    The digits task writes only the ten digit words, so "oh" is not read as zero and "double
    five" not as "five five": such recordings disagree with their prompt, and the label check
    (:func:`asrlib.crossval.check_labels`, committed in ``data/voices/label_check.tsv``) lists
    them; they are left out of the scores and of the shipped model's training, and counted.
    """
    folder = corpora.locate("alphanumeric", root, download)
    wanted = corpora.ids("alphanumeric")
    keep, utts = set(wanted), {}
    with open(folder / "metadata.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rid, path = row.get("Response_ID", ""), row.get("file_name", "")
            if rid in keep and path.startswith("audio_data/Numbers/"):
                digits = [d for d in row.get("Number", "") if d.isdigit()]
                text = " ".join(DIGIT_WORDS[int(d)] for d in digits)
                utts[rid] = Utterance(f"alnum-{rid}", text, rid, str(folder / path))
    missing = [rid for rid in wanted if rid not in utts or not Path(utts[rid].path).is_file()]
    if missing:
        raise ManifestError(
            f"{folder}: {len(missing)} of the alphanumeric set's {len(wanted)} phone numbers "
            f"are missing (e.g. {', '.join(missing[:3])}); delete the folder and download again."
        )
    return [utts[rid] for rid in wanted]


def _speakers(root=None, download=None) -> list:
    """The set's speakers with the gender and device its metadata gives, from the committed
    table ``subsets/alphanumeric-speakers.tsv`` (listing the pool needs no download)."""
    table = corpora.SUBSETS / "alphanumeric-speakers.tsv"
    rows = [line.split("\t") for line in table.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    if sorted(r[0] for r in rows) != sorted(corpora.ids("alphanumeric")):
        raise ManifestError(f"{table}: its speakers are not the alphanumeric teaching set's")
    return [Speaker(f"alphanumeric:{rid}", "alphanumeric", gender, device)
            for rid, gender, device in rows]


def _scored(names, m) -> list:
    """Each speaker's phone number (connected digits)."""
    keep = set(names)
    return [Item(f"alphanumeric:{u.speaker}", "connected", u)
            for u in numbers(m.root, m.download) if u.speaker in keep]


def _training(names, m) -> list[Utterance]:
    """``m.copies`` versions of each speaker's phone number (not those in ``m.exclude``)."""
    keep = set(names)
    own = [u for u in numbers(m.root, m.download) if u.speaker in keep and u.id not in m.exclude]
    return utterance.replayed(own, m.copies, m.seed, m.perturb, m.effects)


def _select(sel: Selection) -> list[Utterance]:
    utts = numbers(sel.root, sel.download)
    return [u for u in utts if not sel.speakers or u.speaker in sel.speakers]


CORPUS = Corpus(
    "alphanumeric", "alphanumeric-audio-dataset: phone numbers read on phones and laptops",
    "MIT (Sakshee Patil 2024)", archives=(ARCHIVE,),
    subsets=(Subset("alphanumeric", "alphanumeric-audio-dataset: 49 speakers", ARCHIVE,
                    ("alphanumeric-audio-dataset",), "alphanumeric.txt"),),
    select=_select, pool=Pool(_speakers, _scored, _training, rank=1),
)
