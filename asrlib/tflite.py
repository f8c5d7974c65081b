"""TFLite runtime: run a ``.tflite`` file made by ``python -m asrlib export`` like a Keras model.

A ``.tflite`` file cannot carry asrlib's configs, so each has a sidecar ``NAME.tflite.json``
holding the source model's ``asrlib.json`` (read by the same parser as a ``.keras`` file's,
:func:`asrlib.checkpoint.spec_of`). :func:`load_bundle` returns a
:class:`asrlib.checkpoint.Bundle` whose model is a :class:`TFLiteModel`: it has Keras's
``predict_on_batch``, so the Transcriber and :func:`asrlib.model.predict_probs` use it
unchanged. The graph is traced with batch 1 (the LSTM's state shape must be static for
TFLite's builtin ``WHILE`` loop), so a batch runs row by row.
"""

from __future__ import annotations

import contextlib
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from asrlib import checkpoint
from asrlib.files import mute_stderr, one_line

TFLITE_MAGIC = b"TFL3"  # the flatbuffer file identifier, at bytes 4–8


def sidecar_path(tflite_path) -> Path:
    """Where a ``.tflite`` file's asrlib configs live: ``NAME.tflite.json`` beside it."""
    tflite_path = Path(tflite_path)
    return tflite_path.with_name(tflite_path.name + ".json")


class TFLiteModel:
    """A ``.tflite`` acoustic model with Keras's ``predict_on_batch``, so the
    Transcriber and :func:`asrlib.model.predict_probs` use it unchanged.

    The graph has batch 1, so a batch runs row by row (each row with the batch's
    padded length, exactly what Keras computes). ``num_threads=None``: TFLite's choice.
    """

    def __init__(self, path, num_threads: int | None = None):
        interpreter_class = _interpreter_class()
        self.path, self.num_threads = Path(path), num_threads
        try:
            with quiet():
                # From bytes, not model_path: only that path verifies the flatbuffer
                # (a truncated file would crash the interpreter instead of raising).
                self.interpreter = interpreter_class(
                    model_content=self.path.read_bytes(), num_threads=num_threads
                )
                self.interpreter.allocate_tensors()  # XNNPACK announces itself here
        except (ValueError, RuntimeError) as err:
            raise checkpoint.ModelFileError(
                f"{self.path}: TFLite could not load the model ({one_line(err, 200)})"
            ) from None
        self._input = self.interpreter.get_input_details()[0]["index"]
        self._output = self.interpreter.get_output_details()[0]["index"]
        self._shape: tuple[int, ...] | None = None

    def predict_on_batch(self, x) -> np.ndarray:
        """``(batch, time, n_features)`` float32 → ``(batch, time', n_classes)`` probabilities."""
        x = np.asarray(x, np.float32)
        if x.ndim != 3:
            raise ValueError(f"expected (batch, time, features), got shape {x.shape}")
        return np.concatenate([self._run(x[i : i + 1]) for i in range(len(x))])

    def _run(self, row: np.ndarray) -> np.ndarray:
        it = self.interpreter
        if row.shape != self._shape:  # re-plan memory only when the length changes
            it.resize_tensor_input(self._input, row.shape, strict=False)
            it.allocate_tensors()
            self._shape = row.shape
        it.set_tensor(self._input, row)
        it.invoke()
        return it.get_tensor(self._output).copy()


def load_bundle(path, num_threads: int | None = None) -> checkpoint.Bundle:
    """A :class:`checkpoint.Bundle` for a ``.tflite`` file and its sidecar JSON.

    ``num_threads=None`` follows TensorFlow's intra-op thread setting when one was
    made (the CLI's ``--threads``), else lets TFLite choose.
    """
    path = Path(path)
    if not path.is_file():
        raise checkpoint.ModelFileError(f"{path}: model file not found")
    with open(path, "rb") as f:
        head = f.read(8)
    if head[4:8] != TFLITE_MAGIC:
        raise checkpoint.ModelFileError(f"{path}: not a TFLite model file (no TFL3 identifier)")
    side = sidecar_path(path)
    if not side.is_file():
        raise checkpoint.ModelFileError(
            f"{path}: its configs file {side.name} is missing; re-export it with "
            "`python -m asrlib export --model MODEL.keras --out-dir DIR`"
        )
    try:
        meta = json.loads(side.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise checkpoint.ModelFileError(f"{side}: invalid asrlib configs ({err})") from None
    if not isinstance(meta, dict):
        raise checkpoint.ModelFileError(f"{side}: invalid asrlib configs (not a JSON object)")
    spec = checkpoint.spec_of(meta, side)
    if num_threads is None and "tensorflow" in sys.modules:
        import tensorflow as tf

        num_threads = tf.config.threading.get_intra_op_parallelism_threads() or None
    model = TFLiteModel(path, num_threads)
    return checkpoint.Bundle(model, spec, meta.get("info", {}))


def _interpreter_class():
    """LiteRT's interpreter when installed, else ``tf.lite.Interpreter``: still in TF 2.21,
    but its constructor warns that it moved to ``ai_edge_litert`` (``quiet`` hides that)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter
    return Interpreter


@contextlib.contextmanager
def quiet():
    """Mute C++ log lines (converter passes, "Created TensorFlow Lite XNNPACK delegate") and
    Python warnings; errors still arrive as exceptions."""
    with mute_stderr(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
