"""Records: a shard's TFRecord file, one ``tf.train.Example`` per utterance, in one place.

:func:`write_shard` writes examples (atomically); :func:`read_examples` reads them back as
:class:`asrlib.pipeline.Example`; :func:`parser` is the same format for a ``tf.data``
pipeline (``(features, targets)`` as :mod:`asrlib.pipeline` packs them). :func:`write_json`
writes a shard's done-file and the shards' manifest atomically. TensorFlow is imported on
first use (:func:`tensorflow`), never at import time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from asrlib.files import import_tensorflow_quietly, temp_sibling
from asrlib.pipeline import Example


def tensorflow():
    """TensorFlow, imported on first use without its C++ start-up lines: a rerun that
    skips every shard never pays its import (~10 s on a busy 2-core machine), and a
    first run pays it while the workers compute."""
    import_tensorflow_quietly()
    import tensorflow as tf

    return tf


def _serialize(tf, e: Example) -> bytes:
    def b(value: bytes):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))

    def i(values):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))

    feat = np.ascontiguousarray(e.features, dtype="<f4")
    return tf.train.Example(
        features=tf.train.Features(
            feature={
                "id": b(e.id.encode()),
                "text": b(e.text.encode()),
                "speaker": b(e.speaker.encode()),
                "features": b(feat.tobytes()),
                "n_frames": i([feat.shape[0]]),
                "n_features": i([feat.shape[1]]),
                "labels": i(np.asarray(e.labels).tolist()),
            }
        )
    ).SerializeToString(deterministic=True)  # map keys sorted: the same bytes every run


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = temp_sibling(path)
    write(tmp)
    os.replace(tmp, path)  # atomic: the real name only ever holds a complete file


def write_shard(path: Path, examples: list[Example]) -> int:
    """Write ``examples`` as the TFRecord file ``path``; return its size in bytes."""
    tf = tensorflow()

    def write(tmp: Path) -> None:
        with tf.io.TFRecordWriter(str(tmp)) as writer:
            for e in examples:
                writer.write(_serialize(tf, e))

    _write_atomic(path, write)
    return path.stat().st_size


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as indented JSON at ``path``, atomically."""
    _write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=1) + "\n"))


def read_examples(files: list[Path]) -> list[Example]:
    """Every record of ``files`` as an :class:`Example`, in file and record order."""
    tf = tensorflow()
    examples = []
    for record in tf.data.TFRecordDataset([str(f) for f in files]).as_numpy_iterator():
        f = tf.train.Example.FromString(record).features.feature
        shape = (f["n_frames"].int64_list.value[0], f["n_features"].int64_list.value[0])
        feats = np.frombuffer(f["features"].bytes_list.value[0], dtype="<f4").reshape(shape)
        examples.append(
            Example(
                f["id"].bytes_list.value[0].decode(),
                f["text"].bytes_list.value[0].decode(),
                feats.astype(np.float32),
                np.array(f["labels"].int64_list.value, dtype=np.int32),
                f["speaker"].bytes_list.value[0].decode(),
            )
        )
    return examples


def parser(width: int) -> Callable:
    """``record → (features (time, width), targets)`` for ``tf.data`` (targets: the frame
    count, then the labels)."""
    tf = tensorflow()
    spec = {
        "features": tf.io.FixedLenFeature([], tf.string),
        "n_frames": tf.io.FixedLenFeature([], tf.int64),
        "labels": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True),
    }

    def element(record):
        p = tf.io.parse_single_example(record, spec)
        x = tf.reshape(tf.io.decode_raw(p["features"], tf.float32), [-1, width])
        y = tf.concat([[tf.cast(p["n_frames"], tf.int32)], tf.cast(p["labels"], tf.int32)], 0)
        return x, y

    return element
