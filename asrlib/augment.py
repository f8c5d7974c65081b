"""Augmentation: new-sounding voices from the same recordings, and SpecAugment masks.

* :func:`change_speed` plays audio faster or slower (tempo and pitch together,
  like tape), the "speed perturbation" that makes a few speakers sound like many.
* :func:`add_noise`, :func:`reverberate`, :func:`random_eq` and :func:`pitch_shift`
  change the recording conditions and the voice: noise at a chosen SNR (generated,
  or speech babble from other recordings), a synthetic room, a random microphone
  or telephone-like frequency response, a higher or lower voice at the same tempo.
  Nothing is downloaded: noises and rooms are generated from a seed.
* :func:`spec_augment` masks random bands of features and random stretches of
  time in a ``tf.data`` pipeline, so the model cannot lean on any one of them.
"""

from __future__ import annotations

import numpy as np

from asrlib import SAMPLE_RATE

SPEED_RANGE = (0.9, 1.1)  # Kaldi's speed perturbation uses 0.9, 1.0 and 1.1
GAIN_DB_RANGE = (-6.0, 6.0)  # loudness varies between microphones and speakers
SNR_DB_RANGE = (5.0, 30.0)  # additive noise, signal-to-noise ratio in dB
RT60_RANGE = (0.1, 0.6)  # reverberation time of the synthetic rooms, seconds
PITCH_RANGE = (-2.0, 2.0)  # semitones: a different voice, same speaking rate
NOISE_KINDS = ("white", "pink", "brown")
# Whole-utterance effects a training string may get, applied in this order: the voice,
# then the microphone, then the room, then the background (see draw_effects).
EFFECTS = ("pitch", "eq", "reverb", "noise")


def change_speed(samples: np.ndarray, factor: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Play ``samples`` ``factor`` times faster (shorter, higher); 1.0 returns them unchanged."""
    import librosa

    if factor <= 0:
        raise ValueError(f"speed factor must be positive, got {factor}")
    if abs(factor - 1.0) < 1e-6:
        return samples
    # Pretend the clip was recorded at factor·rate and resample to rate.
    out = librosa.resample(samples, orig_sr=rate * factor, target_sr=rate, res_type="soxr_hq")
    return out.astype(np.float32)


def gain(samples: np.ndarray, db: float) -> np.ndarray:
    """Scale loudness by ``db`` decibels, clipped to [-1, 1]."""
    return np.clip(samples * 10 ** (db / 20), -1.0, 1.0).astype(np.float32)


def spec_augment(
    features,
    freq_masks: int = 2,
    freq_width: int = 2,
    time_masks: int = 2,
    time_width: int = 8,
):
    """Zero ``freq_masks`` random feature bands and ``time_masks`` time stretches.

    ``features`` is one utterance ``(time, n_features)`` as a TensorFlow tensor;
    masks are at most ``freq_width`` features and ``time_width`` frames wide.
    Zero is the mean of normalised features, so a mask removes information
    without adding a spike.
    """
    import tensorflow as tf

    time_len, n_feat = tf.shape(features)[0], tf.shape(features)[1]
    keep = tf.ones_like(features)
    for _ in range(freq_masks):
        width = tf.random.uniform([], 0, freq_width + 1, tf.int32)
        start = tf.random.uniform([], 0, tf.maximum(n_feat - width, 1), tf.int32)
        band = tf.range(n_feat)
        keep *= tf.cast((band < start) | (band >= start + width), features.dtype)[None, :]
    for _ in range(time_masks):
        width = tf.random.uniform([], 0, tf.minimum(time_width, time_len // 5) + 1, tf.int32)
        start = tf.random.uniform([], 0, tf.maximum(time_len - width, 1), tf.int32)
        frames = tf.range(time_len)
        keep *= tf.cast((frames < start) | (frames >= start + width), features.dtype)[:, None]
    return features * keep


def noise(n: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of unit-RMS coloured noise: white, pink (1/f) or brown (1/f²)."""
    if kind not in NOISE_KINDS:
        raise ValueError(f"noise kind must be one of {NOISE_KINDS}, got {kind!r}")
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n)
    f[0] = f[1] if n > 1 else 1.0
    spectrum /= {"white": np.ones_like(f), "pink": np.sqrt(f), "brown": f}[kind]
    out = np.fft.irfft(spectrum, n)
    return (out / (np.sqrt(np.mean(out**2)) + 1e-12)).astype(np.float32)


def add_noise(samples: np.ndarray, snr_db: float, rng: np.random.Generator,
              kind: str = "pink", source: np.ndarray | None = None) -> np.ndarray:
    """Mix noise at ``snr_db`` (relative to the speech's RMS); ``source`` (e.g. other
    speech, for babble) is used instead of generated noise when given."""
    if source is not None and len(source):
        reps = int(np.ceil(len(samples) / len(source)))
        start = rng.integers(0, len(source))
        mix = np.roll(np.tile(source, reps + 1), -start)[: len(samples)]
        mix = mix / (np.sqrt(np.mean(mix**2)) + 1e-12)
    else:
        mix = noise(len(samples), kind, rng)
    rms = np.sqrt(np.mean(samples**2)) + 1e-12
    out = samples + mix * rms * 10 ** (-snr_db / 20)
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def room_response(rt60: float, rng: np.random.Generator, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A synthetic room impulse response: a direct path, then exponentially decaying noise
    that falls by 60 dB in ``rt60`` seconds."""
    n = max(int(rt60 * rate), 2)
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * np.exp(-6.908 * t / rt60)  # ln(1000) = 6.908: -60 dB
    tail[: int(0.002 * rate)] = 0.0  # the first reflection arrives after ~2 ms
    rir = 0.4 * tail / (np.sqrt(np.sum(tail**2)) + 1e-12)
    rir[0] = 1.0
    return rir.astype(np.float32)


def reverberate(samples: np.ndarray, rt60: float, rng: np.random.Generator,
                rate: int = SAMPLE_RATE) -> np.ndarray:
    """Play ``samples`` in a synthetic room (same length and peak level as the input)."""
    from scipy.signal import fftconvolve

    wet = fftconvolve(samples, room_response(rt60, rng, rate))[: len(samples)]
    peak = np.max(np.abs(wet)) + 1e-12
    return (wet * np.max(np.abs(samples)) / peak).astype(np.float32)


def random_eq(samples: np.ndarray, rng: np.random.Generator, rate: int = SAMPLE_RATE):
    """A random microphone/channel: high-pass at 50–400 Hz, low-pass at 3–7.5 kHz, and a
    ±6 dB tilt, so the model does not rely on one recording chain's frequency response."""
    from scipy.signal import butter, sosfilt

    low = rng.uniform(50, 400)
    high = rng.uniform(3000, min(7500, rate / 2 - 100))
    sos = butter(2, [low, high], btype="bandpass", fs=rate, output="sos")
    out = sosfilt(sos, samples)
    tilt = rng.uniform(-6, 6)  # dB more (or less) at the top than at the bottom
    spectrum = np.fft.rfft(out)
    spectrum *= 10 ** (tilt * np.linspace(-0.5, 0.5, len(spectrum)) / 20)
    out = np.fft.irfft(spectrum, len(out))
    peak = np.max(np.abs(out)) + 1e-12
    return (out * np.max(np.abs(samples)) / peak).astype(np.float32)


def pitch_shift(samples: np.ndarray, semitones: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A higher or lower voice at the same tempo (a phase vocoder, via librosa)."""
    import librosa

    if abs(semitones) < 1e-6:
        return samples
    out = librosa.effects.pitch_shift(samples, sr=rate, n_steps=semitones, res_type="soxr_hq")
    return out.astype(np.float32)


def draw_effects(rng, kinds, probability: float = 0.5) -> tuple[tuple[str, float], ...]:
    """Random effect settings for one utterance: each kind in ``kinds`` is used with
    ``probability``, with its parameter drawn from its range (pitch: semitones; eq: a
    seed for :func:`random_eq`; reverb: RT60 seconds; noise: SNR in dB). ``rng`` is a
    ``random.Random``; the result is plain data, so an utterance stays hashable."""
    unknown = set(kinds) - set(EFFECTS)
    if unknown:
        raise ValueError(f"unknown effect(s) {sorted(unknown)}; choose from {list(EFFECTS)}")
    ranges = {"pitch": PITCH_RANGE, "eq": (0, 2**31), "reverb": RT60_RANGE,
              "noise": SNR_DB_RANGE}
    drawn = []
    for kind in EFFECTS:  # fixed order, whatever order ``kinds`` came in
        if kind in kinds and rng.random() < probability:
            value = rng.uniform(*ranges[kind])
            drawn.append((kind, float(int(value)) if kind == "eq" else round(value, 3)))
    return tuple(drawn)


def apply_effects(samples: np.ndarray, effects, seed: int, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Apply :func:`draw_effects` settings to ``samples``; ``seed`` fixes the random parts
    (noise, room, filter), so the same utterance always sounds the same."""
    rng = np.random.default_rng(seed)
    for kind, value in effects:
        if kind == "pitch":
            samples = pitch_shift(samples, value, rate)
        elif kind == "eq":
            samples = random_eq(samples, np.random.default_rng(int(value)), rate)
        elif kind == "reverb":
            samples = reverberate(samples, value, rng, rate)
        elif kind == "noise":
            samples = add_noise(samples, value, rng, kind=NOISE_KINDS[rng.integers(3)])
        else:
            raise ValueError(f"unknown effect {kind!r}; choose from {list(EFFECTS)}")
    return samples
