"""Augmentation: new-sounding voices from the same recordings, and SpecAugment masks.

* :func:`change_speed` plays audio faster or slower (tempo and pitch together,
  like tape), the "speed perturbation" that makes a few speakers sound like many.
* :func:`spec_augment` masks random bands of features and random stretches of
  time in a ``tf.data`` pipeline, so the model cannot lean on any one of them.
"""

from __future__ import annotations

import numpy as np

from asrlib import SAMPLE_RATE

SPEED_RANGE = (0.9, 1.1)  # Kaldi's speed perturbation uses 0.9, 1.0 and 1.1
GAIN_DB_RANGE = (-6.0, 6.0)  # loudness varies between microphones and speakers


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
