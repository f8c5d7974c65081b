"""Utterance: one clip and its transcript, the unit every corpus, manifest and pipeline share.

An :class:`Utterance` is read from a file (``path``) or built from parts: the clips of a
connected-digit string joined with pauses (:func:`join_with_pauses`), each part optionally
changed in speed and loudness, the whole given effects (:mod:`asrlib.augment`);
:func:`seconds` and :func:`hours` measure them.
:class:`ManifestError` is the error of a corpus folder, transcript or manifest that cannot
be read.
"""

from __future__ import annotations

import functools
import hashlib
import random
from dataclasses import dataclass, field, replace

import numpy as np

from asrlib import SAMPLE_RATE, audio, augment

PAUSE_SECONDS = (0.05, 0.35)  # silence between joined clips, drawn uniformly
EDGE_SECONDS = (0.05, 0.25)  # silence before the first and after the last clip

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


def replayed(recordings: list[Utterance], copies: int, seed: int, perturb: bool,
              effects: tuple[str, ...]) -> list[Utterance]:
    """``copies`` versions of each whole recording, each a one-part string (so it gets the
    same speed, loudness and effect draws as a joined string); the first copy is as is."""
    out = []
    for u in recordings:
        rng = random.Random(f"{seed}-{u.id}")
        for c in range(copies):
            first = c == 0
            speed = () if first or not perturb else (rng.uniform(*augment.SPEED_RANGE),)
            gain = () if first or not perturb else (rng.uniform(*augment.GAIN_DB_RANGE),)
            drawn = () if first or not effects else augment.draw_effects(rng, effects)
            tag = "-".join(k for k, _ in drawn)
            out.append(replace(u, id=f"{u.id}-copy{c:02d}" + (f"-{tag}" if tag else ""),
                               path=None, parts=(u.path,), pauses=(0.0, 0.0), speeds=speed,
                               gains=gain, effects=drawn))
    return out


def seconds(u: Utterance) -> float:
    """An utterance's length in seconds: its known ``duration``, else a file's header (nothing
    is decoded), else the joined string, built to measure it."""
    if u.duration is not None:
        return u.duration
    if u.path is None or u.parts:
        return len(u.load()) / SAMPLE_RATE
    import soundfile as sf

    try:
        return sf.info(u.path).duration
    except Exception as err:  # soundfile raises LibsndfileError, RuntimeError, ...
        raise ManifestError(f"{u.path}: cannot read its length ({err}); check that the "
                            "file is audio and not truncated") from err


def hours(utts: list[Utterance]) -> float:
    """Total audio of ``utts`` in hours (see :func:`seconds`)."""
    return sum(seconds(u) for u in utts) / 3600
