"""Export: a trained ``.keras`` model as a TensorFlow SavedModel and as TFLite.

Why: a ``.keras`` file needs Keras and all of TensorFlow to run. A SavedModel runs
under TensorFlow Serving or TF.js converters without asrlib's Python code; a
``.tflite`` file runs with the small TFLite interpreter (phones, a Raspberry Pi),
and dynamic-range quantisation (int8 weights, float activations) makes it about
3.5 times smaller with no calibration data.

Conversion notes (TF 2.21, Keras 3): the LSTM becomes a TFLite ``WHILE`` loop of
builtin ops only if its state shape ``(batch, units)`` is static, so the TFLite
graph is traced with batch 1 (the time axis stays free); :class:`TFLiteModel`
runs a larger batch row by row. The converter works from a SavedModel, which
freezes the weights into constants (a concrete function keeps them as resource
variables the interpreter cannot read). No ``SELECT_TF_OPS`` (Flex) are needed.

A ``.tflite`` file cannot carry asrlib's configs, so each gets a sidecar
``NAME.tflite.json`` holding the source model's ``asrlib.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from asrlib import checkpoint
from asrlib.files import temp_sibling
from asrlib.model import ModelConfig
from asrlib.tflite import load_bundle, quiet, sidecar_path

QUANTIZE = ("none", "dynamic")  # float32 weights, or dynamic-range int8 weights


def _savedmodel_with_meta(bundle, model_path, out_dir, batch: int | None) -> Path:
    out_dir = Path(out_dir)
    _write_savedmodel(bundle.model, bundle.spec.model, out_dir, batch)
    (out_dir / checkpoint.MEMBER).write_text(json.dumps(checkpoint.read_meta(model_path), indent=1))
    return out_dir


def export_tflite(model_path, out_path, quantize: str = "none") -> Path:
    """Convert ``model_path`` (``.keras``) to ``out_path`` (``.tflite``) plus its sidecar.

    ``quantize="dynamic"`` stores weights as int8 (``Optimize.DEFAULT`` without a
    representative dataset); activations stay float, so no calibration data is needed.
    """
    if quantize not in QUANTIZE:
        raise ValueError(f"quantize must be one of {QUANTIZE}, got {quantize!r}")
    if Path(out_path).suffix != ".tflite":  # before the slow part
        raise ValueError(f"{out_path}: TFLite files must end in .tflite")
    bundle = checkpoint.load(model_path)
    with tempfile.TemporaryDirectory() as tmp:
        _write_savedmodel(bundle.model, bundle.spec.model, Path(tmp) / "sm", batch=1)
        data = _convert(Path(tmp) / "sm", quantize)
    return _write_tflite(data, model_path, out_path, quantize)


def export_all(model_path, out_dir) -> dict[str, Path]:
    """SavedModel, float TFLite and int8 TFLite of ``model_path`` in ``out_dir``.

    Names follow the model: ``NAME_savedmodel/``, ``NAME.tflite``, ``NAME.int8.tflite``.
    The batch-1 graph is traced once and converted twice.
    """
    model_path, out_dir = Path(model_path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = model_path.stem
    bundle = checkpoint.load(model_path)
    paths = {"savedmodel": _savedmodel_with_meta(bundle, model_path,
                                                 out_dir / f"{stem}_savedmodel", None)}
    with tempfile.TemporaryDirectory() as tmp:
        _write_savedmodel(bundle.model, bundle.spec.model, Path(tmp) / "sm", batch=1)
        for key, quantize, name in (("tflite", "none", f"{stem}.tflite"),
                                    ("tflite_int8", "dynamic", f"{stem}.int8.tflite")):
            data = _convert(Path(tmp) / "sm", quantize)
            paths[key] = _write_tflite(data, model_path, out_dir / name, quantize)
    return paths


def _write_savedmodel(model, config: ModelConfig, out_dir: Path, batch: int | None) -> None:
    import tensorflow as tf

    if out_dir.exists():
        shutil.rmtree(out_dir)  # model.export refuses to merge into an old export
    spec = tf.TensorSpec((batch, None, config.n_features), tf.float32, name="features")
    with quiet():
        model.export(str(out_dir), format="tf_saved_model", input_signature=[spec], verbose=False)


def _convert(savedmodel_dir: Path, quantize: str) -> bytes:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(savedmodel_dir))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]  # no Flex
    if quantize == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    with quiet():
        return converter.convert()


def _write_tflite(data: bytes, model_path, out_path, quantize: str) -> Path:
    """Write the flatbuffer and its sidecar, each atomically (a reader never sees half)."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    meta = checkpoint.read_meta(model_path)
    meta["info"] = dict(meta.get("info") or {}, exported_from=str(model_path), quantize=quantize)
    for path, content in ((out_path, data), (sidecar_path(out_path), json.dumps(meta, indent=1))):
        tmp = temp_sibling(path)
        tmp.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.replace(tmp, path)
    return out_path


# --- size, speed and accuracy of each format -------------------------------------------------


def size_bytes(path) -> int:
    """A file's size, or the summed size of every file in a folder (a SavedModel)."""
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def compare(model_path, utts, threads: int = 1, decoders=(None, "greedy"), out_dir=None,
            exported: dict | None = None, log=None) -> list[dict]:
    """Size, speed and accuracy of a ``.keras`` model and its exports on ``utts``.

    ``utts`` is a manifest path or a list of :class:`asrlib.datasets.Utterance`.
    Returns one row per format and decoder (``None``: the model's own) with
    ``size_bytes``, ``wer``, ``cer``, ``rtf`` (features + network + decoder
    seconds per audio second; audio already in memory) and ``model_rtf`` (the
    network alone: what the format changes), plus a size-only SavedModel row.
    Keras keeps to ``threads`` only if TensorFlow has not started its runtime yet,
    so each row reports ``threads`` as actually set (0: TensorFlow's default, all).
    ``exported``: :func:`export_all`'s result, to skip exporting again.
    """
    from asrlib import audio, features, manifest, metrics
    from asrlib.transcriber import Transcriber

    say = log or (lambda line: None)
    if isinstance(utts, (str, os.PathLike)):
        utts, _ = manifest.read(utts)
    keras_threads = _limit_tf_threads(threads)
    with contextlib.ExitStack() as stack:
        out_dir = Path(out_dir or stack.enter_context(tempfile.TemporaryDirectory()))
        paths = exported or export_all(model_path, out_dir)
        say(f"exported to {paths['tflite'].parent}")
        clips = [u.load() for u in utts]
        rows = [{"format": "savedmodel", "size_bytes": size_bytes(paths["savedmodel"])}]
        formats = (("keras", Path(model_path), keras_threads),
                   ("tflite", paths["tflite"], threads),
                   ("tflite_int8", paths["tflite_int8"], threads))
        for name, path, n_threads in formats:
            bundle = checkpoint.load(path) if name == "keras" else load_bundle(path, threads)
            seconds = sum(len(c) for c in clips) / bundle.features.sample_rate
            refs = [bundle.alphabet.normalize(u.text) for u in utts]
            for decoder in decoders:
                tr = Transcriber(bundle, decoder)
                tr.probs(clips[0])  # warm-up: tracing and memory planning are not inference
                hyps, network_s, total_s = [], 0.0, 0.0
                for clip in clips:
                    start = time.perf_counter()
                    if audio.is_silent(clip):
                        hyps.append("")
                    else:
                        feats = features.compute(clip, bundle.features)[None]
                        before = time.perf_counter()
                        probs = np.asarray(bundle.model.predict_on_batch(feats))[0]
                        network_s += time.perf_counter() - before
                        hyps.append(tr.decode(probs))
                    total_s += time.perf_counter() - start
                row = {"format": name, "decoder": tr.kind, "size_bytes": size_bytes(path),
                       "wer": metrics.wer(refs, hyps), "cer": metrics.cer(refs, hyps),
                       "rtf": total_s / seconds, "model_rtf": network_s / seconds,
                       "threads": n_threads, "utterances": len(clips),
                       "audio_seconds": round(seconds, 2)}
                rows.append(row)
                say(json.dumps(row))
    return rows


def _limit_tf_threads(threads: int) -> int:
    """Ask TensorFlow for ``threads`` CPU threads; it only listens before it starts."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # already initialised: report what it really uses
        pass
    return tf.config.threading.get_intra_op_parallelism_threads()
