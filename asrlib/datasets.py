"""Datasets: the series' speaker-independent splits, and its names for the corpus loaders.

Each corpus is declared, with its loader, in :mod:`asrlib.corpora` (one module per corpus);
this module holds what the series builds from them: the connected-digit split (train on four
FSDD voices, validate on one, test on another) and the sentence split (LibriSpeech sample
minus a test speaker, plus LJSpeech), and the short names the notebooks call the loaders by
(``datasets.fsdd``, ``datasets.librispeech``, ...). Every loader reads a local folder laid
out like the upstream archive, found or fetched by :mod:`asrlib.download`. Tests and CI set
``ASRLIB_DATA=../shared/data``, so nothing is downloaded there.
"""

from __future__ import annotations

from asrlib.corpora import alphanumeric
from asrlib.corpora import an4 as _an4
from asrlib.corpora import common_voice as _common_voice
from asrlib.corpora import fsdd as _fsdd
from asrlib.corpora import librispeech as _librispeech
from asrlib.corpora import ljspeech as _ljspeech
from asrlib.corpora import speech_commands as _speech_commands
from asrlib.text import DIGIT_WORDS  # noqa: F401  (the digit task's words, as notebooks read them)
from asrlib.utterance import ManifestError, Utterance

# The loaders under the names the notebooks use.
fsdd = _fsdd.load
connected_digits = _fsdd.connected_digits
librispeech = _librispeech.load
ljspeech = _ljspeech.load
ljspeech_rows = _ljspeech.rows
speech_commands = _speech_commands.load
alphanumeric_numbers = alphanumeric.numbers
common_voice = _common_voice.load
an4 = _an4.load  # an4("train") / an4("test"): AN4's published split

FSDD_SPEAKERS = _fsdd.SPEAKERS
# The speaker-independent splits used throughout the series, chosen before any training.
DIGITS_TEST_SPEAKER = _fsdd.TEST_SPEAKER
DIGITS_VAL_SPEAKER = _fsdd.VAL_SPEAKER
SENTENCE_TEST_SPEAKER = _librispeech.TEST_SPEAKER
SENTENCE_VAL_SPEAKER = "LJ"  # LJSpeech's reader: the sentence models' validation voice


def digits_split(
    n_train: int = 4000,
    n_val: int = 200,
    n_test: int = 300,
    test_speaker: str = DIGITS_TEST_SPEAKER,
    val_speaker: str = DIGITS_VAL_SPEAKER,
    seed: int = 0,
    root=None,
    download: bool | None = None,
    perturb: bool = False,
    effects: tuple[str, ...] = (),
) -> dict[str, list[Utterance]]:
    """Connected digits split by speaker: train on four, validate on one, test on another.

    ``perturb`` and ``effects`` (see :func:`connected_digits`) change the training strings
    only; validation and test strings are the recordings as they are.
    """
    if test_speaker == val_speaker:
        raise ValueError("the test and validation speakers must differ")
    train_speakers = [s for s in FSDD_SPEAKERS if s not in (test_speaker, val_speaker)]
    kw = {"root": root, "download": download}
    return {
        "train": connected_digits(
            n_train, train_speakers, seed=seed, perturb=perturb, effects=effects, **kw
        ),
        "val": connected_digits(n_val, [val_speaker], seed=seed + 1, **kw),
        "test": connected_digits(n_test, [test_speaker], seed=seed + 2, **kw),
    }


def sentences_split(test_speaker: str = SENTENCE_TEST_SPEAKER, subset: str = "sample",
                    val_speaker: str = SENTENCE_VAL_SPEAKER, root=None,
                    download: bool | None = None) -> dict[str, list[Utterance]]:
    """LibriSpeech minus a held-out test speaker, plus LJSpeech: sentences to train on.

    Two voices are never trained on: ``test_speaker`` (a LibriSpeech speaker: the test set)
    and ``val_speaker`` (validation: which epoch to keep, how much to trust a language model).
    """
    libri = librispeech(subset, root=root, download=download)
    if test_speaker not in {u.speaker for u in libri}:
        raise ManifestError(f"LibriSpeech {subset}: no speaker {test_speaker!r}")
    pool = [u for u in libri if u.speaker != test_speaker] + ljspeech(root, download)
    if val_speaker not in {u.speaker for u in pool}:
        raise ManifestError(f"validation speaker {val_speaker!r} is not one of the training "
                            f"voices {sorted({u.speaker for u in pool})}")
    return {"train": [u for u in pool if u.speaker != val_speaker],
            "val": [u for u in pool if u.speaker == val_speaker],
            "test": [u for u in libri if u.speaker == test_speaker]}
