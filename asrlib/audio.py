"""Audio loading: any file soundfile reads → mono float32 at 16 kHz, or a clear error."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from asrlib import SAMPLE_RATE

MAX_SECONDS = 120.0  # longer clips are rejected: one utterance, not a podcast
MIN_SECONDS = 0.05  # shorter than ~2 analysis windows cannot be recognised
MAX_RATE = 384_000  # the highest sample rate read (studio audio goes to 384 kHz)
MAX_CHANNELS = 64  # more is not a recording of a voice
BLOCK_SECONDS = 1.0  # files are read and downmixed a second at a time: memory stays mono


class AudioError(ValueError):
    """A file that cannot be used as speech input; the message names the file and the fix."""


def load(
    path: str | os.PathLike,
    sample_rate: int = SAMPLE_RATE,
    max_seconds: float = MAX_SECONDS,
) -> np.ndarray:
    """Read ``path`` as mono float32 at ``sample_rate``: downmix, resample, check.

    Raises :class:`AudioError` (one line naming the file) when the file is
    missing, empty, not audio, holds NaN/inf samples, is too short or too long.
    """
    import soundfile as sf

    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes); re-record or re-copy it")
    try:
        info = sf.info(str(path))
    except Exception as err:  # soundfile raises LibsndfileError, RuntimeError, TypeError...
        raise AudioError(
            f"{path}: not a readable audio file ({_short(err)}); "
            "convert it to WAV, FLAC or OGG, e.g. `ffmpeg -i IN -ar 16000 -ac 1 OUT.wav`"
        ) from None
    if info.frames == 0 or info.samplerate <= 0:
        raise AudioError(f"{path}: holds no audio samples (header only, or truncated)")
    if info.samplerate > MAX_RATE or not 1 <= info.channels <= MAX_CHANNELS:
        raise AudioError(
            f"{path}: {info.channels} channels at {info.samplerate} Hz is not a voice recording "
            f"(at most {MAX_CHANNELS} channels at {MAX_RATE} Hz); convert it, e.g. "
            "`ffmpeg -i IN -ar 16000 -ac 1 OUT.wav`"
        )
    seconds = info.frames / info.samplerate
    if seconds > max_seconds:
        raise AudioError(
            f"{path}: {seconds:.1f} s is longer than the {max_seconds:g} s limit; split it "
            "into utterances (e.g. `sox IN OUT trim 0 30 : newfile : restart`) or raise the "
            "limit (`--max-seconds` on the command line, `max_seconds=` in Python)"
        )
    try:
        data, rate = _read_mono(path, info)
    except Exception as err:
        raise AudioError(f"{path}: audio data is corrupt or truncated ({_short(err)})") from None
    if data.shape[0] == 0:
        raise AudioError(f"{path}: holds no audio samples (header only, or truncated)")
    return prepare(data, rate, sample_rate, name=str(path))


def _read_mono(path: Path, info) -> tuple[np.ndarray, int]:
    """The file's samples averaged over its channels, read a block at a time: a file with many
    channels never needs more memory than its mono signal. Reads no further than the frames
    the header declared (:func:`load` checked their duration)."""
    import soundfile as sf

    block = max(1, round(BLOCK_SECONDS * info.samplerate))
    parts, left = [], info.frames
    with sf.SoundFile(str(path)) as f:
        while left > 0:
            chunk = f.read(min(block, left), dtype="float32", always_2d=True)
            if not len(chunk):
                break
            parts.append(chunk.mean(axis=1) if chunk.shape[1] > 1 else chunk[:, 0])
            left -= len(chunk)
    data = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return data.astype(np.float32, copy=False), info.samplerate


def prepare(
    data: np.ndarray, rate: int, sample_rate: int = SAMPLE_RATE, name: str = "<array>"
) -> np.ndarray:
    """Turn raw samples ``(time,)`` or ``(time, channels)`` into checked mono float32."""
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 2:
        data = data.mean(axis=1)  # downmix: average the channels
    if data.ndim != 1:
        raise AudioError(f"{name}: expected (time,) or (time, channels) samples, got {data.shape}")
    if not np.all(np.isfinite(data)):
        bad = int(np.sum(~np.isfinite(data)))
        raise AudioError(f"{name}: {bad} samples are NaN or infinite; the file is corrupt")
    if data.size / rate < MIN_SECONDS:
        raise AudioError(
            f"{name}: {1000 * data.size / rate:.0f} ms is too short; need at least "
            f"{1000 * MIN_SECONDS:.0f} ms of audio"
        )
    if rate != sample_rate:
        data = resample(data, rate, sample_rate)
    return np.ascontiguousarray(data, dtype=np.float32)


def resample(data: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Band-limited resampling of mono samples from ``rate`` to ``target`` Hz."""
    import librosa

    if rate == target:
        return data
    return librosa.resample(data, orig_sr=rate, target_sr=target, res_type="soxr_hq").astype(
        np.float32
    )


def is_silent(samples: np.ndarray, threshold_db: float = -60.0) -> bool:
    """True when the peak level is below ``threshold_db`` dBFS: nothing to transcribe."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return peak <= 10 ** (threshold_db / 20)


def save(path: str | os.PathLike, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write mono float samples as a 16-bit PCM WAV file and return its path."""
    import soundfile as sf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.clip(samples, -1.0, 1.0), sample_rate, subtype="PCM_16")
    return path


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[-1] if text else type(err).__name__
