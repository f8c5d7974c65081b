"""Features: 13 MFCC per 10 ms hop with a 25 ms window (librosa), and the same from scratch.

The pipeline uses :func:`mfcc` (librosa). :func:`mfcc_numpy` rebuilds every step
by hand (framing, window, FFT power, mel filterbank, log, DCT) for the
notebooks; it matches librosa to within ``MFCC_TOLERANCE`` (max abs difference,
in the MFCC's dB-like units) and the tests check it.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields

import numpy as np

from asrlib import SAMPLE_RATE

MFCC_TOLERANCE = 1e-3  # float32 vs librosa's float32 path: measured max abs diff ~1e-4

KINDS = ("mfcc", "logmel")  # what FeatureConfig.kind can be


@dataclass(frozen=True)
class FeatureConfig:
    """How audio becomes a ``(time, features)`` matrix; saved with every model."""

    kind: str = "mfcc"  # "mfcc" (13 coefficients) or "logmel" (n_mels log-mel bands)
    sample_rate: int = SAMPLE_RATE
    n_mfcc: int = 13
    win_ms: float = 25.0  # analysis window: 400 samples at 16 kHz
    hop_ms: float = 10.0  # one frame every 10 ms: 100 frames per second
    n_fft: int = 512  # FFT size: the 400-sample window zero-padded to a power of two
    n_mels: int = 40
    fmin: float = 0.0
    fmax: float | None = None  # None: sample_rate / 2
    normalize: bool = True  # per-utterance mean/variance normalisation of each feature
    # silence added at both ends before the features: a tightly cut clip (no silence at all)
    # then looks like the padded strings a model trains on, and normalises alike
    pad_ms: float = 0.0
    # streaming (notebook 10): features from past samples only. Frames are cut from the audio
    # with zeros before it (no centring on samples still to come), decibels are floored at a
    # fixed level (not 80 dB below the utterance's loudest frame, which comes later) and
    # normalisation runs: each frame is normalised by the mean and variance of the frames so
    # far, started from a prior worth ``norm_frames`` frames (``norm_mean``, ``norm_std``).
    causal: bool = False
    norm_mean: tuple[float, ...] = ()
    norm_std: tuple[float, ...] = ()
    norm_frames: int = 100

    def __post_init__(self):
        # ranges first: a model file's record is read through here, and a sample rate of
        # 1e308 or an FFT of 2**40 points must be a one-line refusal, not an allocation
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    low <= value <= high) or (name in _INTEGERS and value != int(value)):
                raise ValueError(f"FeatureConfig.{name} must be a number from {low} to {high}, "
                                 f"got {value!r}")
        if self.fmax is not None and (isinstance(self.fmax, bool) or not isinstance(
                self.fmax, (int, float)) or not self.fmin < self.fmax <= self.sample_rate / 2):
            raise ValueError(f"FeatureConfig.fmax must be above fmin ({self.fmin}) and at most "
                             f"half the sample rate ({self.sample_rate / 2:g}), got {self.fmax!r}")
        object.__setattr__(self, "norm_mean", tuple(float(v) for v in self.norm_mean))
        object.__setattr__(self, "norm_std", tuple(float(v) for v in self.norm_std))
        for name in ("norm_mean", "norm_std"):
            if getattr(self, name) and len(getattr(self, name)) != self.n_features:
                raise ValueError(f"FeatureConfig.{name} needs {self.n_features} values, got "
                                 f"{len(getattr(self, name))}")
        if self.norm_frames < 1:
            raise ValueError(f"FeatureConfig.norm_frames must be positive, got {self.norm_frames}")
        if self.kind not in KINDS:
            raise ValueError(f"FeatureConfig.kind must be one of {KINDS}, got {self.kind!r}")
        if self.win_length > self.n_fft:
            raise ValueError(f"window {self.win_length} samples exceeds n_fft {self.n_fft}")
        if self.kind == "mfcc" and not 0 < self.n_mfcc <= self.n_mels:
            raise ValueError(f"n_mfcc must be in 1..n_mels ({self.n_mels}), got {self.n_mfcc}")

    @property
    def win_length(self) -> int:
        return round(self.sample_rate * self.win_ms / 1000)

    @property
    def hop_length(self) -> int:
        return round(self.sample_rate * self.hop_ms / 1000)

    @property
    def n_features(self) -> int:
        """Width of the feature matrix: 13 for the seed's MFCC."""
        return self.n_mfcc if self.kind == "mfcc" else self.n_mels

    def n_frames(self, n_samples: int) -> int:
        """Frames for ``n_samples`` of audio (centred frames, as librosa)."""
        return 1 + (n_samples + 2 * self.pad_samples) // self.hop_length

    @property
    def pad_samples(self) -> int:
        return round(self.sample_rate * self.pad_ms / 1000)

    def to_dict(self) -> dict:
        """JSON-ready fields. The streaming fields are left out while they hold their defaults,
        so a whole-utterance config reads as it did before they existed (the same model
        records, feature-cache keys and shard manifests)."""
        data = asdict(self)
        for name in _STREAMING:
            if data[name] == _DEFAULTS[name]:
                del data[name]
            elif isinstance(data[name], tuple):
                data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        return cls(**data)


_STREAMING = ("causal", "norm_mean", "norm_std", "norm_frames")
_RANGES = (("sample_rate", 1000, 192_000), ("n_mfcc", 1, 512), ("win_ms", 1, 1000),
           ("hop_ms", 1, 1000), ("n_fft", 16, 65_536), ("n_mels", 1, 512), ("fmin", 0, 96_000),
           ("pad_ms", 0, 10_000), ("norm_frames", 1, 10**6))
_INTEGERS = {"sample_rate", "n_mfcc", "n_fft", "n_mels", "norm_frames"}
_DEFAULTS = {f.name: f.default for f in fields(FeatureConfig)}


def compute(samples: np.ndarray, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """The features ``config`` describes, of mono 16 kHz audio → float32 ``(time, n_features)``:
    MFCC or log-mel bands through librosa (normalised per utterance), or the causal features
    of streaming (:func:`causal_features`)."""
    import librosa

    c = config
    kwargs = {
        "sr": c.sample_rate,
        "n_fft": c.n_fft,
        "win_length": c.win_length,
        "hop_length": c.hop_length,
        "n_mels": c.n_mels,
        "fmin": c.fmin,
        "fmax": c.fmax,
    }
    y = np.asarray(samples, dtype=np.float32)
    if c.causal:
        return causal_features(y, c)
    if c.pad_samples:
        y = np.pad(y, c.pad_samples)
    if c.kind == "mfcc":
        feats = librosa.feature.mfcc(y=y, n_mfcc=c.n_mfcc, **kwargs)
    else:
        feats = librosa.power_to_db(librosa.feature.melspectrogram(y=y, **kwargs))
    feats = feats.T.astype(np.float32)  # librosa is (features, time); we use (time, features)
    return normalize(feats) if c.normalize else feats


def causal_features(samples: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """The streaming features of a whole utterance (``config.causal``): frame ``t`` uses
    samples up to ``t * hop + n_fft / 2`` only, decibels floored at a fixed level, running
    normalisation. :class:`asrlib.streaming.StreamingFeatures` computes the same frames
    chunk by chunk, so a model trains on exactly what it hears live."""
    raw = raw_causal_features(samples, config)
    return running_normalize(raw, config)[0] if config.normalize else raw


def raw_causal_features(samples: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """:func:`causal_features` before normalisation: the leading and closing silence, the
    frames, and each frame's :func:`raw_causal_frames`."""
    c = config
    y = np.pad(np.asarray(samples, dtype=np.float32), c.pad_samples)
    return raw_causal_frames(frame_signal(y, c.n_fft, c.hop_length), c)


def raw_causal_frames(frames: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """``(time, n_fft)`` audio frames → un-normalised causal features ``(time, n_features)``:
    each frame alone (power spectrum, mel bands, decibels above a fixed floor, DCT)."""
    c = config
    power = power_spectrum(frames, _window(c.win_length, c.n_fft))
    mel = power @ _mel_matrix(c.sample_rate, c.n_fft, c.n_mels, c.fmin, c.fmax).T
    log_mel = 10.0 * np.log10(np.maximum(1e-10, mel))  # no clipping to the loudest frame
    feats = log_mel if c.kind == "logmel" else log_mel @ _dct(c.n_mfcc, c.n_mels).T
    return feats.astype(np.float32)


def running_normalize(feats: np.ndarray, config: FeatureConfig, sums=None, eps: float = 1e-5):
    """Normalise each frame by the mean and variance of the frames up to it (inclusive),
    starting from the prior in ``config`` (``norm_frames`` frames of ``norm_mean`` and
    ``norm_std``; zero and one without one). ``sums`` carries ``(count, Σx, Σx²)`` from the
    frames before; → (normalised ``(time, features)``, the sums after the last frame)."""
    c = config
    if sums is None:
        mean0 = np.asarray(c.norm_mean or np.zeros(c.n_features), np.float64)
        std0 = np.asarray(c.norm_std or np.ones(c.n_features), np.float64)
        sums = (float(c.norm_frames), c.norm_frames * mean0,
                c.norm_frames * (std0 ** 2 + mean0 ** 2))
    count, s1, s2 = sums
    x = np.asarray(feats, np.float64)
    n = count + np.arange(1, len(x) + 1)[:, None]
    c1 = s1 + np.cumsum(x, axis=0)
    c2 = s2 + np.cumsum(x * x, axis=0)
    mean = c1 / n
    std = np.sqrt(np.maximum(c2 / n - mean * mean, 0.0))
    out = ((x - mean) / (std + eps)).astype(np.float32)
    if len(x):
        sums = (count + len(x), c1[-1], c2[-1])
    return out, sums


def running_prior(clips, config: FeatureConfig) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Mean and standard deviation of each raw causal feature over ``clips`` (mono 16 kHz
    arrays): the prior of :func:`running_normalize`."""
    stacked = np.concatenate([raw_causal_features(y, config) for y in clips])
    return (tuple(round(float(v), 4) for v in stacked.mean(axis=0)),
            tuple(round(float(v), 4) for v in stacked.std(axis=0)))


def normalize(feats: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Per-utterance mean/variance normalisation of each feature column ``(time, features)``."""
    mean = feats.mean(axis=0, keepdims=True)
    std = feats.std(axis=0, keepdims=True)
    return ((feats - mean) / (std + eps)).astype(np.float32)


# --- the same, from scratch -------------------------------------------------------------


def frame_signal(samples: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Centre-pad by ``n_fft//2`` zeros and cut overlapping frames ``(time, n_fft)``."""
    padded = np.pad(samples, n_fft // 2, mode="constant")
    n_frames = 1 + (len(padded) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]
    return padded[idx]


def hann_window(win_length: int, n_fft: int) -> np.ndarray:
    """Periodic Hann window of ``win_length`` samples, zero-padded to ``n_fft`` (centred)."""
    n = np.arange(win_length)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / win_length)
    left = (n_fft - win_length) // 2
    return np.pad(window, (left, n_fft - win_length - left))


def power_spectrum(frames: np.ndarray, window: np.ndarray) -> np.ndarray:
    """|FFT|² of each windowed frame → ``(time, n_fft//2 + 1)``."""
    return np.abs(np.fft.rfft(frames * window, axis=1)) ** 2


def hz_to_mel(hz):
    """Slaney mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    mel = hz / f_sp
    log_part = min_log_hz / f_sp + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, log_part, mel)


def mel_to_hz(mel):
    """Inverse of :func:`hz_to_mel`."""
    mel = np.asarray(mel, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return np.where(
        mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)), f_sp * mel
    )


def mel_filterbank(sr: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax=None) -> np.ndarray:
    """Triangular, area-normalised mel filters ``(n_mels, n_fft//2 + 1)``."""
    fmax = sr / 2 if fmax is None else fmax
    fft_freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    mel_points = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(mel_points)
    ramps = mel_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_points[2:] - mel_points[:-2]))[:, None]  # equal area per filter
    return weights


def power_to_db(power: np.ndarray, amin: float = 1e-10, top_db: float = 80.0) -> np.ndarray:
    """10·log10(power), floored at ``amin`` and clipped to ``top_db`` below the peak."""
    db = 10.0 * np.log10(np.maximum(amin, power))
    return np.maximum(db, db.max() - top_db)


def dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    """Orthonormal DCT-II basis ``(n_out, n_in)``: row k is cos(π k (2n+1) / 2N)."""
    n = np.arange(n_in)
    basis = np.cos(np.pi * np.arange(n_out)[:, None] * (2 * n[None, :] + 1) / (2 * n_in))
    basis *= np.sqrt(2.0 / n_in)
    basis[0] /= np.sqrt(2.0)
    return basis


def mfcc_numpy(samples: np.ndarray, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """MFCC (or log-mel) built by hand, step by step → ``(time, n_features)``, like :func:`mfcc`."""
    c = config
    y = np.pad(np.asarray(samples, dtype=np.float32), c.pad_samples)  # silence at both ends
    frames = frame_signal(y, c.n_fft, c.hop_length)  # (time, n_fft)
    power = power_spectrum(frames, hann_window(c.win_length, c.n_fft))  # (time, bins)
    mel = power @ mel_filterbank(c.sample_rate, c.n_fft, c.n_mels, c.fmin, c.fmax).T
    log_mel = power_to_db(mel)  # (time, n_mels)
    feats = log_mel if c.kind == "logmel" else log_mel @ dct_matrix(c.n_mfcc, c.n_mels).T
    feats = feats.astype(np.float32)
    return normalize(feats) if c.normalize else feats


@functools.lru_cache(maxsize=8)
def _window(win_length: int, n_fft: int) -> np.ndarray:
    return hann_window(win_length, n_fft)


@functools.lru_cache(maxsize=8)
def _mel_matrix(sr: int, n_fft: int, n_mels: int, fmin: float, fmax) -> np.ndarray:
    return mel_filterbank(sr, n_fft, n_mels, fmin, fmax)


@functools.lru_cache(maxsize=8)
def _dct(n_out: int, n_in: int) -> np.ndarray:
    return dct_matrix(n_out, n_in)
