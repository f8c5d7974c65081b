"""Datasets: utterances from FSDD, connected digits, LibriSpeech, LJSpeech, Common Voice.

Every loader reads a local folder laid out like the upstream archive. The folder
is found by :func:`asrlib.download.ensure`: the ``root`` argument, else the
``ASRLIB_DATA`` environment variable, else the download cache (downloading from
the official host, with a checksum, when allowed: ``download=None``, the default,
fetches a small archive and asks before a large one). The teaching sets (the
LibriSpeech sample, the LJSpeech sample, the alphanumeric and Speech Commands
speakers) are read by their committed ids (:mod:`asrlib.corpora`), so a full
download and a local copy of just the set give the same utterances. JSON Lines
manifests are read and written by :mod:`asrlib.manifest`. Tests and CI
set ``ASRLIB_DATA=../shared/data``, so nothing is downloaded there.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from asrlib import SAMPLE_RATE, audio, augment, corpora
from asrlib.text import DIGIT_WORDS

FSDD_SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")
# The speaker-independent split used throughout the series, chosen before any
# training: one speaker is only ever tested on, another only validates.
DIGITS_TEST_SPEAKER = "theo"
DIGITS_VAL_SPEAKER = "george"
SENTENCE_TEST_SPEAKER = "8226"  # LibriSpeech sample speaker held out for testing
SENTENCE_VAL_SPEAKER = "LJ"  # LJSpeech's reader: the sentence models' validation voice
PAUSE_SECONDS = (0.05, 0.35)  # silence between joined digits, drawn uniformly
EDGE_SECONDS = (0.05, 0.25)  # silence before the first and after the last digit


# FSDD clips are reused by many connected-digit strings: keep them decoded
# (3,000 clips at 16 kHz are ~70 MB).
_load_part = functools.lru_cache(maxsize=4096)(audio.load)


class ManifestError(ValueError):
    """A manifest, transcript file or corpus folder that cannot be read."""


@dataclass(frozen=True)
class Utterance:
    """One audio clip and its transcript; ``load()`` gives mono float32 at 16 kHz."""

    id: str
    text: str
    speaker: str = "unknown"
    path: str | None = None
    duration: float | None = None
    parts: tuple[str, ...] = ()  # connected digits: the FSDD files joined, in order
    pauses: tuple[float, ...] = field(default=())  # seconds: before each part, and a last one
    speeds: tuple[float, ...] = ()  # speed perturbation factor of each part (empty: none)
    gains: tuple[float, ...] = ()  # loudness change of each part in dB (empty: none)
    effects: tuple[tuple[str, float], ...] = ()  # whole-string effects (augment.draw_effects)
    trim_db: float = 0.0  # > 0: trim each part's silent ends (quieter than peak - trim_db dB)

    def load(self) -> np.ndarray:
        """The audio: read from ``path``, or synthesised from ``parts`` and ``pauses``."""
        if self.parts:
            samples = join_with_pauses(self._part_clips(), self.pauses)
            if self.effects:
                seed = int.from_bytes(hashlib.sha256(self.id.encode()).digest()[:4], "little")
                samples = augment.apply_effects(samples, self.effects, seed)
            return samples
        if self.path is None:
            raise ManifestError(f"utterance {self.id}: has neither an audio path nor parts")
        return audio.load(self.path)

    def part_spans(self) -> list[tuple[int, int]]:
        """``(start, end)`` sample of each part inside ``load()``: where each digit lies."""
        if not self.parts:
            raise ValueError(f"utterance {self.id}: has no parts (not a connected-digit string)")
        spans, start = [], 0
        for pause, clip in zip(self.pauses, self._part_clips()):
            start += int(pause * SAMPLE_RATE)
            spans.append((start, start + len(clip)))
            start += len(clip)
        return spans

    def _part_clips(self) -> list[np.ndarray]:
        clips = [_load_part(p) for p in self.parts]
        if self.trim_db > 0:  # e.g. one-second Speech Commands clips, mostly silence
            import librosa

            clips = [librosa.effects.trim(c, top_db=self.trim_db)[0] for c in clips]
        if self.speeds:
            clips = [augment.change_speed(c, s) for c, s in zip(clips, self.speeds)]
        if self.gains:
            clips = [augment.gain(c, g) for c, g in zip(clips, self.gains)]
        return clips


def data_root(
    name: str, root: str | os.PathLike | None = None, download: bool | None = None
) -> Path:
    """The local root holding corpus ``name`` (see :func:`asrlib.download.ensure`)."""
    from asrlib import download as dl

    return Path(dl.ensure(name, root=root, download=download))


def _librispeech_root(subset: str, root, download: bool | None) -> Path:
    """Root holding ``LibriSpeech/<subset>``: a downloadable subset, or a local-only one."""
    from asrlib import download as dl

    name = f"librispeech-{subset}"
    if name in dl.RESOURCES:
        return data_root(name, root, download)
    candidates = [Path(p) for p in (root, os.environ.get("ASRLIB_DATA")) if p]
    for candidate in candidates:
        if (candidate / "LibriSpeech" / subset).is_dir():
            return candidate
    known = sorted(k.split("-", 1)[1] for k in dl.RESOURCES if k.startswith("librispeech-"))
    raise ManifestError(
        f"LibriSpeech subset {subset!r} not found under {[str(c) for c in candidates]}; "
        f"downloadable subsets: {', '.join(known)}"
    )


# --- Free Spoken Digit Dataset and connected digits ----------------------------------------


def fsdd(root=None, download: bool | None = None, speakers=None) -> list[Utterance]:
    """Isolated FSDD digits ``{digit}_{speaker}_{index}.wav`` as utterances ("three")."""
    folder = data_root("fsdd", root, download) / "free-spoken-digit-dataset" / "recordings"
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
    for u in fsdd(root, download, speakers=set(speakers)):
        if takes is None or int(u.id.rsplit("_", 1)[1]) in takes:
            by_speaker[u.speaker].append(u)
    empty = [s for s, found in by_speaker.items() if not found]
    if empty:
        raise ManifestError(f"no FSDD recordings of {empty} among takes {takes}")
    suffix = f"-takes{min(takes)}to{max(takes)}" if takes is not None else ""
    return join_clips(n, by_speaker, seed, min_digits, max_digits, perturb, effects,
                      prefix="digits", suffix=suffix)


def join_clips(
    n: int,
    by_speaker: dict[str, list[Utterance]],
    seed: int = 0,
    min_digits: int = 1,
    max_digits: int = 7,
    perturb: bool = False,
    effects: tuple[str, ...] = (),
    prefix: str = "digits",
    suffix: str = "",
    trim_db: float = 0.0,
) -> list[Utterance]:
    """``n`` strings, speaker after speaker, each of 1–7 clips of one speaker joined with pauses
    (see :func:`connected_digits`); ids ``<prefix>-<speaker>-<seed>-<i>…<suffix>``. With
    ``trim_db`` > 0 each clip's silent ends are trimmed first (see :class:`Utterance`)."""
    speakers = list(by_speaker)
    rng = random.Random(seed)
    prng = random.Random(f"perturb-{seed}")  # its own stream: the same strings either way
    erng = random.Random(f"effects-{seed}")  # and another for the whole-string effects
    utts = []
    for i in range(n):
        speaker = speakers[i % len(speakers)]
        picks = rng.choices(by_speaker[speaker], k=rng.randint(min_digits, max_digits))
        pauses = (
            rng.uniform(*EDGE_SECONDS),
            *(rng.uniform(*PAUSE_SECONDS) for _ in picks[1:]),
            rng.uniform(*EDGE_SECONDS),
        )
        speeds = tuple(prng.uniform(*augment.SPEED_RANGE) for _ in picks) if perturb else ()
        gains = tuple(prng.uniform(*augment.GAIN_DB_RANGE) for _ in picks) if perturb else ()
        text = " ".join(p.text for p in picks)
        drawn = augment.draw_effects(erng, effects) if effects else ()
        uid = f"{prefix}-{speaker}-{seed}-{i:05d}" + ("-p" if perturb else "") + (
            "-" + "-".join(k for k, _ in drawn) if drawn else ""
        ) + suffix
        parts = tuple(p.path for p in picks)
        utts.append(
            Utterance(uid, text, speaker, None, None, parts, pauses, speeds, gains, drawn,
                      trim_db)
        )
    return utts


def join_with_pauses(clips: list[np.ndarray], pauses) -> np.ndarray:
    """Concatenate clips with ``pauses[k]`` seconds of silence before clip k and one after."""
    pieces = []
    for pause, clip in zip(pauses, clips):
        pieces += [np.zeros(int(pause * SAMPLE_RATE), np.float32), clip]
    pieces.append(np.zeros(int(pauses[len(clips)] * SAMPLE_RATE), np.float32))
    return np.concatenate(pieces)


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


# --- Sentence corpora ---------------------------------------------------------------------


def librispeech(
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
        folder = _librispeech_root(subset, root, download) / "LibriSpeech" / subset
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


def ljspeech_rows(root=None, download: bool | None = None) -> list[tuple[str, str, str]]:
    """The LJSpeech teaching set's ``metadata.csv`` rows: (id, text as written, normalised)."""
    return _ljspeech(root, download)[1]


def _ljspeech(root, download) -> tuple[Path, list[tuple[str, str, str]]]:
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


def ljspeech(root=None, download: bool | None = None, limit: int | None = None) -> list[Utterance]:
    """The LJSpeech teaching set (141 utterances of LJSpeech-1.1), normalised transcripts."""
    folder, rows = _ljspeech(root, download)
    rows = rows[:limit]
    return [Utterance(uid, spoken, "LJ", str(folder / "wavs" / f"{uid}.wav"))
            for uid, _, spoken in rows]


def speech_commands(root=None, download: bool | None = None) -> list[Utterance]:
    """The Speech Commands teaching set: one-second digit words ``<word>/<speaker>_nohash_<n>.wav``
    of 69 speakers; the speaker is the file's hash prefix."""
    folder = corpora.locate("speech-commands-digits", root, download)
    wanted = corpora.ids("speech-commands-digits")
    missing = [rel for rel in wanted if not (folder / rel).is_file()]
    if missing:
        raise ManifestError(
            f"{folder}: {len(missing)} of the Speech Commands set's {len(wanted)} clips are "
            f"missing (e.g. {', '.join(missing[:3])}); delete the folder and download again."
        )
    return [
        Utterance(f"sc-{Path(rel).parent.name}-{Path(rel).stem}", Path(rel).parent.name,
                  Path(rel).name.split("_nohash_")[0], str(folder / rel))
        for rel in wanted
    ]


def alphanumeric_numbers(root=None, download: bool | None = None) -> list[Utterance]:
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


def common_voice(folder: str | os.PathLike, split: str = "train") -> list[Utterance]:
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
