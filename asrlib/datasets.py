"""Datasets: utterances from FSDD, connected digits, LibriSpeech, LJSpeech, Common Voice, manifests.

Every loader reads a local folder laid out like the upstream archive. The folder
is found by :func:`asrlib.download.ensure`: the ``root`` argument, else the
``ASRLIB_DATA`` environment variable, else the download cache (downloading from
the official host, with a checksum, when allowed). Tests and CI set
``ASRLIB_DATA=../shared/data``, so nothing is downloaded there.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from asrlib import SAMPLE_RATE, audio, augment
from asrlib.text import DIGIT_WORDS

FSDD_SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")
# The speaker-independent split used throughout the series, chosen before any
# training: one speaker is only ever tested on, another only validates.
DIGITS_TEST_SPEAKER = "theo"
DIGITS_VAL_SPEAKER = "george"
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
        if self.speeds:
            clips = [augment.change_speed(c, s) for c, s in zip(clips, self.speeds)]
        if self.gains:
            clips = [augment.gain(c, g) for c, g in zip(clips, self.gains)]
        return clips


def data_root(name: str, root: str | os.PathLike | None = None, download: bool = False) -> Path:
    """The local root holding corpus ``name`` (see :func:`asrlib.download.ensure`)."""
    from asrlib import download as dl

    return Path(dl.ensure(name, root=root, download=download))


def _librispeech_root(subset: str, root, download: bool) -> Path:
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


def fsdd(root=None, download: bool = False, speakers=None) -> list[Utterance]:
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
    download: bool = False,
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
        uid = f"digits-{speaker}-{seed}-{i:05d}" + ("-p" if perturb else "") + (
            "-" + "-".join(k for k, _ in drawn) if drawn else ""
        ) + (f"-takes{min(takes)}to{max(takes)}" if takes is not None else "")
        parts = tuple(p.path for p in picks)
        utts.append(
            Utterance(uid, text, speaker, None, None, parts, pauses, speeds, gains, drawn)
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
    download: bool = False,
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


def librispeech(subset: str = "dev-clean", root=None, download: bool = False, speakers=None):
    """LibriSpeech ``<subset>/<speaker>/<chapter>/*.flac`` with ``*.trans.txt`` transcripts."""
    folder = _librispeech_root(subset, root, download) / "LibriSpeech" / subset
    utts = []
    for trans in sorted(folder.glob("*/*/*.trans.txt")):
        speaker = trans.parent.parent.name
        if speakers is not None and speaker not in speakers:
            continue
        for line in trans.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            uid, _, text = line.partition(" ")
            path = trans.parent / f"{uid}.flac"
            utts.append(Utterance(uid, text, speaker, str(path)))
    if not utts:
        raise ManifestError(f"{folder}: no LibriSpeech transcripts (*/*/*.trans.txt) found")
    return utts


def ljspeech(root=None, download: bool = False, limit: int | None = None) -> list[Utterance]:
    """LJSpeech-1.1 ``metadata.csv`` (id|text|normalised text) with ``wavs/<id>.wav``."""
    folder = data_root("ljspeech", root, download) / "LJSpeech-1.1"
    utts = []
    with open(folder / "metadata.csv", encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE):
            if len(row) < 2:
                continue
            text = row[2] if len(row) > 2 and row[2] else row[1]
            path = folder / "wavs" / f"{row[0]}.wav"
            if path.exists():
                utts.append(Utterance(row[0], text, "LJ", str(path)))
            if limit is not None and len(utts) >= limit:
                break
    return utts


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


def sentences_split(
    test_speaker: str = "8226",
    subset: str = "sample",
    val_fraction: float = 0.06,
    seed: int = 0,
    root=None,
    download: bool = False,
) -> dict[str, list[Utterance]]:
    """LibriSpeech minus one held-out test speaker, plus LJSpeech, for training sentences.

    The test speaker is never trained on. With only five voices in the sample,
    validation is a seeded random ``val_fraction`` of the training speakers'
    utterances: it tracks progress, it does not measure speaker independence.
    """
    libri = librispeech(subset, root=root, download=download)
    if test_speaker not in {u.speaker for u in libri}:
        raise ManifestError(f"LibriSpeech {subset}: no speaker {test_speaker!r}")
    pool = [u for u in libri if u.speaker != test_speaker] + ljspeech(root, download)
    random.Random(seed).shuffle(pool)
    n_val = max(1, int(len(pool) * val_fraction))
    return {
        "train": pool[n_val:],
        "val": pool[:n_val],
        "test": [u for u in libri if u.speaker == test_speaker],
    }


# --- JSON Lines manifests (NeMo convention) -----------------------------------------------


def read_manifest(path: str | os.PathLike) -> tuple[list[Utterance], list[str]]:
    """Rows ``{"audio_filepath", "duration", "text"}`` → (utterances, problems).

    Relative audio paths resolve against the manifest's folder. A bad row never
    costs the good ones: it is reported in ``problems`` (one line each,
    naming the manifest and line number) and skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: manifest not found")
    utts, problems = [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not a UTF-8 text file; a manifest is JSON Lines") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(f"{where}: not valid JSON ({err.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: expected a JSON object, got {type(row).__name__}")
            continue
        missing = [k for k in ("audio_filepath", "text") if k not in row]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if not isinstance(row["text"], str):
            problems.append(f"{where}: 'text' must be a string")
            continue
        audio_path = Path(str(row["audio_filepath"]))
        if not audio_path.is_absolute():
            audio_path = path.parent / audio_path
        duration = row.get("duration")
        duration = float(duration) if isinstance(duration, (int, float)) else None
        uid = row.get("id") or f"{path.name}:{number}"  # unique, and says where to look
        speaker = str(row.get("speaker", "unknown"))
        utts.append(Utterance(str(uid), row["text"], speaker, str(audio_path), duration))
    return utts, problems


def write_manifest(utts: list[Utterance], path: str | os.PathLike, audio_dir=None) -> Path:
    """Write utterances as a JSON Lines manifest; synthesised ones are saved as WAV first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    audio_dir = Path(audio_dir) if audio_dir else path.parent / "wavs"
    with open(path, "w", encoding="utf-8") as f:
        for u in utts:
            if u.parts or u.path is None:
                samples = u.load()
                wav = audio.save(audio_dir / f"{u.id}.wav", samples)
                duration = len(samples) / SAMPLE_RATE
            else:
                wav, duration = Path(u.path), u.duration
                if duration is None:
                    import soundfile as sf

                    duration = round(sf.info(str(wav)).duration, 3)
            rel = os.path.relpath(wav, path.parent)
            row = {
                "audio_filepath": rel,
                "duration": duration,
                "text": u.text,
                "speaker": u.speaker,
            }
            f.write(json.dumps(row) + "\n")
    return path
