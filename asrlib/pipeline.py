"""Pipeline: utterances → checked (features, labels) examples → padded batches.

Two ways to feed the model, kept side by side for teaching:

* :func:`seed_generator`, the seed's style: random utterances, audio read and
  MFCC recomputed for every batch, padded in Python.
* :func:`make_dataset`, a ``tf.data`` pipeline over features computed once by
  :func:`prepare` (and cached on disk), bucketed by length, padded, prefetched.

Both yield ``(features (batch, time, n_features), targets (batch, 1 + max_label))``
where ``targets`` packs each utterance's input frame count and its labels (see
:mod:`asrlib.ctc`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import time
from dataclasses import astuple, dataclass, field
from pathlib import Path

import numpy as np

from asrlib import audio
from asrlib.config import Spec
from asrlib.ctc import min_frames, pack_targets
from asrlib.features import FeatureConfig, compute
from asrlib.files import temp_sibling
from asrlib.model import ModelConfig, output_lengths
from asrlib.utterance import Utterance


@dataclass
class Example:
    """One usable training pair: features ``(time, n_features)`` and label ids ``(label_len,)``."""

    id: str
    text: str
    features: np.ndarray
    labels: np.ndarray
    speaker: str = "unknown"


@dataclass
class PrepareReport:
    """What :func:`prepare` kept and what it dropped, with one reason per dropped utterance."""

    kept: int = 0
    dropped: list[tuple[str, str]] = field(default_factory=list)
    audio_seconds: float = 0.0

    def __str__(self) -> str:
        lines = [
            (
                f"kept {self.kept} utterances ({self.audio_seconds / 60:.1f} min), "
                f"dropped {len(self.dropped)}"
            )
        ]
        lines += [f"  dropped {uid}: {why}" for uid, why in self.dropped[:20]]
        if len(self.dropped) > 20:
            lines.append(f"  ... and {len(self.dropped) - 20} more")
        return "\n".join(lines)


def check_pair(n_frames: int, labels: np.ndarray, config: ModelConfig) -> str | None:
    """Why this (frames, labels) pair cannot train with CTC, or None when it can."""
    if len(labels) == 0:
        return "empty transcript after normalisation"
    available = int(output_lengths(n_frames, config))
    needed = min_frames(labels)
    if needed > available:
        return (
            f"label needs {needed} CTC frames but the model outputs {available} "
            f"for {n_frames} input frames (transcript too long for the audio)"
        )
    return None


def make_examples(
    utts: list[Utterance],
    spec: Spec = Spec(),
    cache: bool | str | os.PathLike = True,
    samples: dict | None = None,
) -> tuple[list[Example], PrepareReport]:
    """Compute ``spec``'s features once per utterance, drop (and report) anything CTC cannot
    use with ``spec``'s model and alphabet.

    With ``cache`` (True = ``<asrlib cache>/features``, or a folder) the
    features are stored in one ``.npz`` keyed by the utterances and the feature
    config, and loaded from there next time. ``samples`` maps utterance ids to audio
    already in memory (a microphone recording has no file): those are used instead of
    loading, and nothing is cached.
    """
    cache_file = None if samples else _cache_file(utts, spec.features, cache)
    if cache_file is not None and cache_file.exists():
        stored = np.load(cache_file, allow_pickle=False)
        feats = dict(zip(stored["ids"].tolist(), np.split(stored["data"], stored["splits"])))
        errors = dict(zip(stored["err_ids"].tolist(), stored["err_msgs"].tolist()))
    else:
        feats, errors = {}, {}
        for u in utts:
            try:
                clip = samples[u.id] if samples and u.id in samples else u.load()
                feats[u.id] = compute(clip, spec.features)
            except (audio.AudioError, OSError, ValueError) as err:
                errors[u.id] = str(err)
        if cache_file is not None:
            _save_cache(cache_file, feats, errors)
    report = PrepareReport()
    examples = []
    for u in utts:
        if u.id in errors:
            report.dropped.append((u.id, errors[u.id]))
            continue
        labels = spec.alphabet.encode(u.text)
        feat = feats[u.id]
        why = check_pair(len(feat), labels, spec.model)
        if why:
            report.dropped.append((u.id, why))
            continue
        examples.append(Example(u.id, spec.alphabet.normalize(u.text), feat, labels, u.speaker))
        report.kept += 1
        report.audio_seconds += len(feat) * spec.features.hop_ms / 1000
    return examples, report


def _cache_file(utts, features: FeatureConfig, cache) -> Path | None:
    if not cache:
        return None
    from asrlib.download import cache_dir

    folder = Path(cache) if not isinstance(cache, bool) else cache_dir() / "features"
    key = json.dumps(
        [
            features.to_dict(),
            [astuple(u) for u in utts],  # every field: id, path, parts, perturbation, effects
        ],
        default=str,
    )
    return folder / f"{hashlib.sha256(key.encode()).hexdigest()[:20]}.npz"


def _save_cache(path: Path, feats: dict, errors: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = list(feats)
    arrays = [feats[i] for i in ids]
    width = arrays[0].shape[1] if arrays else 0
    tmp = temp_sibling(path, ".npz")  # np.savez would add .npz to any other name
    np.savez(
        tmp,
        ids=np.array(ids, dtype=str),
        data=np.concatenate(arrays) if arrays else np.zeros((0, width), np.float32),
        splits=np.cumsum([len(a) for a in arrays])[:-1],
        err_ids=np.array(list(errors), dtype=str),
        err_msgs=np.array(list(errors.values()), dtype=str),
    )
    os.replace(tmp, path)  # atomic: an interrupted run never leaves half a cache


def pad_batch(examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    """Zero-pad features to the longest in the batch and pack the targets."""
    longest = max(len(e.features) for e in examples)
    width = examples[0].features.shape[1]
    x = np.zeros((len(examples), longest, width), dtype=np.float32)
    for row, e in enumerate(examples):
        x[row, : len(e.features)] = e.features
    y = pack_targets([len(e.features) for e in examples], [e.labels for e in examples])
    return x, y


def make_dataset(
    examples: list[Example],
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int = 0,
    bucket: bool = True,
    n_buckets: int = 8,
    spec_augment: bool = False,
    drop_remainder: bool = False,
):
    """A ``tf.data.Dataset`` of padded ``(features, targets)`` batches, bucketed by length.

    ``batch_size`` is the GLOBAL batch: under a ``tf.distribute`` strategy every
    worker builds the same batches and keeps its own rows of each one (``DATA``
    sharding), so replicas must get full batches: ``drop_remainder`` drops the short
    last batch of each length bucket (a different few utterances each epoch).
    """
    import tensorflow as tf

    if not examples:
        raise ValueError("make_dataset: no examples (all were dropped? see the prepare report)")
    lengths = np.array([len(e.features) for e in examples])
    label_lengths = np.array([len(e.labels) for e in examples])
    # All features in one flat (frames, n_features) tensor; element i is a slice of it.
    flat_x = tf.constant(np.concatenate([e.features for e in examples]))
    flat_y = tf.constant(np.concatenate([e.labels for e in examples]).astype(np.int32))
    x_start = tf.constant(np.concatenate([[0], np.cumsum(lengths)[:-1]]), tf.int64)
    y_start = tf.constant(np.concatenate([[0], np.cumsum(label_lengths)[:-1]]), tf.int64)
    x_len = tf.constant(lengths, tf.int64)
    y_len = tf.constant(label_lengths, tf.int64)

    def element(i):
        x = flat_x[x_start[i] : x_start[i] + x_len[i]]
        labels = flat_y[y_start[i] : y_start[i] + y_len[i]]
        return x, tf.concat([[tf.cast(x_len[i], tf.int32)], labels], axis=0)

    ds = tf.data.Dataset.range(len(examples))
    if shuffle:
        ds = ds.shuffle(len(examples), seed=seed, reshuffle_each_iteration=True)
    ds = ds.map(element, num_parallel_calls=tf.data.AUTOTUNE)
    ds = batch_by_length(ds, lengths, batch_size, examples[0].features.shape[1], bucket,
                         n_buckets, spec_augment, drop_remainder, "make_dataset")
    return with_data_sharding(ds).prefetch(tf.data.AUTOTUNE)


def batch_by_length(ds, lengths, batch_size: int, width: int, bucket: bool = True,
                    n_buckets: int = 8, spec_augment: bool = False,
                    drop_remainder: bool = False, caller: str = "make_dataset"):
    """``(features, targets)`` elements → padded batches, bucketed by length when ``bucket``.

    ``lengths`` (every element's frame count) sets the bucket boundaries at its
    quantiles, so each batch pads little. Shared by :func:`make_dataset` and
    :func:`asrlib.shards.shard_dataset`, which must batch the same way.
    """
    import tensorflow as tf

    if drop_remainder and len(lengths) < batch_size:
        raise ValueError(
            f"{caller}: {len(lengths)} utterances cannot fill one batch of {batch_size} "
            "(full batches are needed with several replicas); use more data or a smaller batch"
        )
    if drop_remainder:  # each bucket drops its short last batch: keep buckets well filled
        n_buckets = max(1, min(n_buckets, len(lengths) // (4 * batch_size)))
    if spec_augment:
        from asrlib.augment import spec_augment as mask

        ds = ds.map(lambda x, y: (mask(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    if bucket and n_buckets > 1 and len(lengths) > batch_size:
        quantiles = np.quantile(lengths, np.linspace(0, 1, n_buckets + 1)[1:-1])
        boundaries = sorted({int(q) + 1 for q in quantiles})
        return ds.bucket_by_sequence_length(
            lambda x, y: tf.shape(x)[0],
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
            padded_shapes=([None, width], [None]),
            drop_remainder=drop_remainder,
        )
    return ds.padded_batch(batch_size, padded_shapes=([None, width], [None]),
                           drop_remainder=drop_remainder)


def with_data_sharding(ds):
    """Tell ``tf.distribute`` to split every batch between workers (``DATA`` policy)
    rather than to give each worker whole files: every worker then takes the same number
    of steps, and the global batches are the ones a single process would see."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options)


def seed_generator(
    utts: list[Utterance],
    batch_size: int = 32,
    spec: Spec = Spec(),
    seed: int = 0,
):
    """The seed's generator: forever draw a random batch, load audio, compute MFCC, pad.

    Kept for teaching and for the speed comparison. It skips what CTC cannot use
    without saying so, as the seed did: run :func:`prepare` on the same
    utterances first to see what would be dropped and why.
    """
    rng = random.Random(seed)
    while True:
        batch = []
        while len(batch) < batch_size:
            u = rng.choice(utts)
            try:
                feat = compute(u.load(), spec.features)
            except audio.AudioError:
                continue
            labels = spec.alphabet.encode(u.text)
            if check_pair(len(feat), labels, spec.model) is None:
                batch.append(Example(u.id, u.text, feat, labels))
        yield pad_batch(batch)


@dataclass(frozen=True)
class Throughput:
    """What :func:`measure_throughput` timed: batches, real and padding frames, seconds."""

    batches: int
    frames: int  # real input frames: the sum of targets[:, 0]
    padding: int  # zero frames added to reach each batch's longest utterance
    seconds: float

    @property
    def frames_per_second(self) -> float:
        """Real (unpadded) input frames per second: padding is work, not progress."""
        return self.frames / self.seconds

    @property
    def padded_fraction(self) -> float:
        """Fraction of all frames in the batches that are padding."""
        return self.padding / max(1, self.frames + self.padding)


def _frame_counts(x, y) -> tuple[int, int]:
    """(real, padding) frames of one ``(features, targets)`` batch."""
    real = int(np.asarray(y)[:, 0].sum())
    return real, int(np.prod(np.shape(x)[:2])) - real


def padding_fraction(batches) -> float:
    """Fraction of the frames in ``batches`` (e.g. one epoch of a dataset) that are padding."""
    counts = np.array([_frame_counts(x, y) for x, y in batches]).reshape(-1, 2).sum(axis=0)
    return float(counts[1] / max(1, counts.sum()))


def _ragged_dataset(batches):
    """A generator of ``(x, y)`` NumPy batches as a ``tf.data.Dataset`` whose every axis may
    vary: handed to ``fit`` as a plain generator, Keras fixes the shapes from the first
    batches, and a later batch of another width fails."""
    import tensorflow as tf

    first = next(batches, None)
    if first is None:  # nothing to train on: the caller reports the missing batches
        return None
    spec = tuple(tf.TensorSpec((None,) * a.ndim, tf.as_dtype(a.dtype)) for a in first)
    return tf.data.Dataset.from_generator(lambda: itertools.chain([first], batches),
                                          output_signature=spec)


def measure_throughput(batches, steps: int, model=None, warmup: int = 1) -> Throughput:
    """Time ``steps`` batches from ``batches`` (a ``tf.data.Dataset`` or a generator).

    Without ``model`` this times the input pipeline alone: each batch is made and
    turned into NumPy. With a compiled Keras ``model`` it times training the way
    a real run does, ``model.fit`` on the batches (Keras prefetches, so making
    the next batch overlaps the current step). ``warmup`` batches go first,
    untimed (tracing, caches). Only batches that were consumed are counted.
    """
    if steps < 1:
        raise ValueError(f"measure_throughput: steps must be at least 1, got {steps}")
    source = iter(batches)
    counted = np.zeros(3, dtype=np.int64)  # batches, real frames, padding frames

    def take(n):
        for x, y in itertools.islice(source, n):
            x, y = np.asarray(x), np.asarray(y)
            counted[:] += (1, *_frame_counts(x, y))
            yield x, y

    def run(n):
        if model is None:
            for _ in take(n):
                pass
        else:
            data = _ragged_dataset(take(n))
            if data is not None:
                model.fit(data, steps_per_epoch=n, epochs=1, verbose=0)

    if warmup:
        run(warmup)
    counted[:] = 0
    start = time.perf_counter()
    run(steps)
    seconds = time.perf_counter() - start
    if counted[0] < steps:
        raise ValueError(f"measure_throughput: only {counted[0]} batches for {steps} steps")
    return Throughput(int(counted[0]), int(counted[1]), int(counted[2]), seconds)
