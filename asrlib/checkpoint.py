"""Checkpoints: a ``.keras`` model file that also carries its feature, model and text config.

``save`` writes the ordinary Keras archive and adds one member, ``asrlib.json``,
holding everything needed to turn audio into text with it. ``load`` reads both
and fails with one clear line when the file is not such a model.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from asrlib.archives import human_size
from asrlib.config import Spec
from asrlib.features import FeatureConfig
from asrlib.files import one_line, temp_sibling
from asrlib.text import Alphabet

MEMBER = "asrlib.json"
# What a model file may hold, checked from the zip's directory before any member is read: a
# .keras file has four members, and the biggest model the series trains is a few MB (a
# sentence-sized one on a GPU a few hundred MB). A member declared bigger, or too many members,
# is refused before it can fill memory or disk.
MAX_MEMBERS = 64
MAX_MODEL_BYTES = 2 * 1024**3  # all members together, uncompressed
MAX_RECORD_BYTES = 16 * 1024**2  # asrlib.json


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the file and the fix."""


@dataclass
class Bundle:
    """A loaded model and the :class:`~asrlib.config.Spec` it was trained with."""

    model: object  # a Keras model, or a TFLite one with the same predict_on_batch
    spec: Spec
    info: dict = field(default_factory=dict)  # training recipe, data, results: free-form

    @property
    def features(self) -> FeatureConfig:
        return self.spec.features

    @property
    def alphabet(self) -> Alphabet:
        return self.spec.alphabet


def save(path, model, spec: Spec, info=None):
    """Save ``model`` to ``path`` (``.keras``) with its spec; written atomically."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: model files must end in .keras")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(path, ".keras")
    _without_optimizer(model).save(tmp)
    meta = {**spec.to_dict(), "info": info or {}}
    with zipfile.ZipFile(tmp, "a") as archive:
        archive.writestr(MEMBER, json.dumps(meta, indent=1))
    os.replace(tmp, path)
    return path


def _without_optimizer(model):
    """``model``, or a copy of its layers and weights without the optimizer's state: a model
    file is for using the model (resuming training is the backup's job), and Adam's two
    moments per weight would triple its size."""
    if getattr(model, "optimizer", None) is None or not model.optimizer.built:
        return model
    return copy_model(model)


def copy_model(model):
    """A new, uncompiled model of the same architecture with a copy of ``model``'s weights."""
    import keras

    copy = keras.Model.from_config(model.get_config())  # the layers, not the compile step
    copy.set_weights(model.get_weights())
    return copy


def record(data: str, command: str, speakers: dict, recipe=None, **extra) -> dict:
    """A model file's ``info``, built the one way every trainer builds it: what it was
    trained on (``data``), the command that remakes it, the speakers of each split, the
    recipe (its name and whole config) and anything else worth keeping (``extra``). Training
    adds the training config, the kept epoch and its validation scores."""
    info = {"data": data, "command": command,
            "speakers": {k: list(v) for k, v in speakers.items()}}
    if recipe is not None:
        info.update(recipe=recipe.name, recipe_config=recipe.to_dict())
    return {**info, **extra}


def set_decoder(path, decoder) -> Path:
    """Make ``decoder`` (a :class:`asrlib.decoding.DecoderSpec`) the saved model's own, the
    one a transcriber uses unless told otherwise; the file is rewritten atomically."""
    from dataclasses import replace

    meta = read_meta(path)
    spec = replace(spec_of(meta, path), decoder=decoder)
    info = {k: v for k, v in (meta.get("info") or {}).items() if k != "decoder"}
    return _rewrite(path, {**spec.to_dict(), "info": info})


def update_info(path, **items) -> Path:
    """Add or replace ``items`` in a saved model's ``info`` (e.g. ``note=…``), atomically.

    The Keras members are copied unchanged; only ``asrlib.json`` is rewritten.
    """
    meta = read_meta(path)
    meta["info"] = dict(meta.get("info") or {}, **items)
    return _rewrite(path, meta)


def _rewrite(path, meta: dict) -> Path:
    """Replace the ``asrlib.json`` member of a model file (the Keras members are copied)."""
    path = Path(path)
    tmp = temp_sibling(path, ".keras")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            if member.filename != MEMBER:
                dst.writestr(member, src.read(member.filename))
        dst.writestr(MEMBER, json.dumps(meta, indent=1))
    os.replace(tmp, path)
    return path


def read_meta(path) -> dict:
    """The ``asrlib.json`` member of a saved model, without loading TensorFlow."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: model file not found")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a .keras model file (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            _check_sizes(path, archive.infolist())
            return json.loads(archive.read(MEMBER))
    except KeyError:
        raise ModelFileError(
            f"{path}: a Keras file without asrlib's configs; save it with asrlib.checkpoint.save"
        ) from None
    except (zipfile.BadZipFile, json.JSONDecodeError, OSError) as err:
        raise ModelFileError(f"{path}: damaged model file ({err})") from None


def _check_sizes(path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse a model archive whose directory declares too many or too big members."""
    total = sum(m.file_size for m in members)
    record = next((m.file_size for m in members if m.filename == MEMBER), 0)
    if len(members) > MAX_MEMBERS:
        raise ModelFileError(f"{path}: {len(members)} members in the archive (a model file has "
                             f"a few, at most {MAX_MEMBERS}); refused without reading them")
    if total > MAX_MODEL_BYTES or record > MAX_RECORD_BYTES:
        raise ModelFileError(
            f"{path}: its members unpack to {human_size(total)} ({MEMBER}: "
            f"{human_size(record)}), over the limit for a model file ({human_size(MAX_MODEL_BYTES)}"
            f", {human_size(MAX_RECORD_BYTES)}); refused without reading them (raise "
            "asrlib.checkpoint.MAX_MODEL_BYTES for a bigger model you trust)")


def load(path, compile: bool = False) -> Bundle:
    """Load a model saved by :func:`save`; raises :class:`ModelFileError` on a bad file
    (its directory and record are checked before TensorFlow is even imported)."""
    meta = read_meta(path)
    spec = spec_of(meta, path)
    _check_no_code(path)
    import keras

    try:
        model = keras.saving.load_model(path, compile=compile)
    except Exception as err:  # Keras raises many types for a damaged archive
        raise ModelFileError(
            f"{path}: Keras could not load the model ({one_line(err, 200)})"
        ) from None
    _check_network(model, spec, path)
    return Bundle(model, spec, meta.get("info", {}))


def _check_no_code(path) -> None:
    """Refuse a network that carries Python code (a ``Lambda`` layer's bytecode) before Keras
    reads it: Keras's safe mode refuses it too, but its message does not say so plainly."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except KeyError:
        return  # Keras names what is missing
    except (zipfile.BadZipFile, json.JSONDecodeError, OSError, ValueError) as err:
        raise ModelFileError(f"{path}: damaged model file ({one_line(err, 120)})") from None
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("class_name") == "Lambda" or "__lambda__" in node:
                raise ModelFileError(
                    f"{path}: the network has a Lambda layer, Python code stored in the file; "
                    "asrlib does not run code from model files (build the model from layers, "
                    "or load it yourself with keras.saving.load_model(..., safe_mode=False) "
                    "if you wrote it)")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _check_network(model, spec: Spec, path) -> None:
    """The network must take the record's features and give its alphabet's classes."""
    width, classes = model.input_shape[-1], model.output_shape[-1]
    if width != spec.model.n_features:
        raise ModelFileError(f"{path}: its record says {spec.model.n_features} features per "
                             f"frame but the network takes {width}; the file is inconsistent")
    if classes != spec.alphabet.size:
        raise ModelFileError(f"{path}: its alphabet has {spec.alphabet.size} symbols but the "
                             f"network has {classes} outputs; the file is inconsistent")


def spec_of(meta: dict, where) -> Spec:
    """The :class:`Spec` in a model file's record (``asrlib.json``, or a TFLite sidecar);
    :class:`ModelFileError` naming ``where`` when it is not a valid one."""
    try:
        return Spec.from_dict(meta)
    except ValueError as err:
        raise ModelFileError(f"{where}: invalid asrlib configs ({err})") from None
