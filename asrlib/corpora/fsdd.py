"""Free Spoken Digit Dataset v1.0.10: 3,000 isolated digits of six men, 8 kHz WAV.

Files ``recordings/{digit}_{speaker}_{index}.wav`` (50 takes of each digit per speaker). Two
corpora are declared here: ``fsdd``, the isolated digits, and ``digits``, connected-digit
strings joined from them with pauses (:func:`connected_digits`), the series' first task.
Both join the pool of digit voices (:mod:`asrlib.voices`) as six men recorded in one setting.
"""

from __future__ import annotations

import re

from asrlib import corpora, utterance
from asrlib.archives import Resource
from asrlib.corpora import Corpus, Item, Pool, Selection, Speaker, Subset
from asrlib.text import DIGIT_WORDS
from asrlib.utterance import ManifestError, Utterance

SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")
# The speaker-independent split used throughout the series, chosen before any
# training: one speaker is only ever tested on, another only validates.
TEST_SPEAKER = "theo"
VAL_SPEAKER = "george"
DEVICE = "FSDD recording (8 kHz)"

# No public record of the v1.0.10 tarball's sha256 was found, so it is not verified.
# tensorflow/datasets tensorflow_datasets/audio/spoken_digit/checksums.tsv pins only
# v1.0.9.tar.gz (8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0), but
# v1.0.9 lacks speaker "lucas" (added in the v1.0.10 commit), so it would not match the
# 6-speaker layout that the rest of asrlib and its test mirror use.
ARCHIVE = Resource(
    "fsdd",
    "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/v1.0.10.tar.gz",
    None,
    "free-spoken-digit-dataset",
    strip="free-spoken-digit-dataset-1.0.10",
    filename="free-spoken-digit-dataset-1.0.10.tar.gz",
    size=20_000_000,  # about; GitHub does not publish it
)


def load(root=None, download: bool | None = None, speakers=None) -> list[Utterance]:
    """Isolated FSDD digits ``{digit}_{speaker}_{index}.wav`` as utterances ("three")."""
    folder = corpora.locate("fsdd", root, download) / "recordings"
    pattern = re.compile(r"^(\d)_([A-Za-z]+)_(\d+)\.wav$")
    utts = []
    for path in sorted(folder.glob("*.wav")):
        m = pattern.match(path.name)
        if not m or (speakers is not None and m.group(2) not in speakers):
            continue
        digit, speaker, _ = m.groups()
        utts.append(Utterance(path.stem, DIGIT_WORDS[int(digit)], speaker, str(path)))
    if not utts:
        raise ManifestError(f"{folder}: no FSDD recordings found for speakers {speakers}")
    return utts


def connected_digits(
    n: int,
    speakers,
    seed: int = 0,
    min_digits: int = 1,
    max_digits: int = 7,
    root=None,
    download: bool | None = None,
    perturb: bool = False,
    effects: tuple[str, ...] = (),
    takes=None,
) -> list[Utterance]:
    """``n`` strings of 1–7 digits, each joined from one speaker's recordings with pauses.

    ``takes`` (a range or set of FSDD recording numbers, 0–49) restricts the recordings
    used, e.g. to build fine-tuning and test strings of one voice that share no recording.

    Deterministic for a given ``seed``. Transcripts read like ``"three one four"``.
    With ``perturb``, each digit also gets a random speed (``augment.SPEED_RANGE``)
    and loudness (``augment.GAIN_DB_RANGE``): more voices from the same speakers.
    ``effects`` (names from ``augment.EFFECTS``) gives each string, with probability
    one half each, a shifted pitch, a random microphone EQ, a room, background noise.
    """
    speakers = list(speakers)
    by_speaker: dict[str, list[Utterance]] = {s: [] for s in speakers}
    for u in load(root, download, speakers=set(speakers)):
        if takes is None or int(u.id.rsplit("_", 1)[1]) in takes:
            by_speaker[u.speaker].append(u)
    empty = [s for s, found in by_speaker.items() if not found]
    if empty:
        raise ManifestError(f"no FSDD recordings of {empty} among takes {takes}")
    suffix = f"-takes{min(takes)}to{max(takes)}" if takes is not None else ""
    return utterance.join_clips(n, by_speaker, seed, min_digits, max_digits, perturb, effects,
                      prefix="digits", suffix=suffix)


def _select_isolated(sel: Selection) -> list[Utterance]:
    speakers = sel.speakers or ((TEST_SPEAKER,) if sel.purpose == "test" else None)
    return load(sel.root, sel.download, set(speakers) if speakers else None)


def _select_strings(sel: Selection) -> list[Utterance]:
    default = [TEST_SPEAKER] if sel.purpose == "test" else [
        s for s in SPEAKERS if s not in (TEST_SPEAKER, VAL_SPEAKER)]
    return connected_digits(sel.n, list(sel.speakers or default), seed=sel.seed,
                            takes=sel.takes, root=sel.root, download=sel.download)


def _speakers(root=None, download=None) -> list:
    return [Speaker(f"fsdd:{s}", "fsdd", "male", DEVICE) for s in SPEAKERS]


def _scored(names, m) -> list:
    """Per speaker ``m.n_strings`` connected strings and takes 0-4 of each digit (isolated)."""
    items = []
    for name in names:
        items += [Item(f"fsdd:{name}", "connected", u) for u in connected_digits(
            m.n_strings, [name], seed=m.seed, root=m.root, download=m.download)]
        items += [Item(f"fsdd:{name}", "isolated", u)
                  for u in load(m.root, m.download, speakers={name})
                  if int(u.id.rsplit("_", 1)[1]) < 5]
    return items


def _training(names, m) -> list[Utterance]:
    """``m.n_train_strings`` strings of the speakers' recordings (``m.takes`` of them)."""
    if not (names and m.n_train_strings):
        return []
    return connected_digits(m.n_train_strings, list(names), seed=m.seed, perturb=m.perturb,
                            effects=m.effects, root=m.root, download=m.download,
                            takes=m.takes)


_SUBSET = Subset("fsdd", "Free Spoken Digit Dataset v1.0.10 (6 voices, 3,000 digits)", ARCHIVE,
                 ("free-spoken-digit-dataset",))
CORPORA = (
    Corpus("fsdd", _SUBSET.title, "CC BY-SA 4.0 (Zohar Jackson and contributors)",
           archives=(ARCHIVE,), subsets=(_SUBSET,), select=_select_isolated,
           pool=Pool(_speakers, _scored, _training, rank=0)),
    Corpus("digits", "connected digits: FSDD recordings joined with pauses",
           "CC BY-SA 4.0 (Zohar Jackson and contributors)", archives=(ARCHIVE,),
           select=_select_strings),
)
