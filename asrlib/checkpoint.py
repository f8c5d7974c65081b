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

from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig
from asrlib.runtime import temp_sibling
from asrlib.text import Alphabet

MEMBER = "asrlib.json"


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the file and the fix."""


@dataclass
class Bundle:
    """A loaded model and the configs it was trained with."""

    model: object
    features: FeatureConfig
    config: ModelConfig
    alphabet: Alphabet
    info: dict = field(default_factory=dict)  # training recipe, data, results: free-form


def save(path, model, features: FeatureConfig, config: ModelConfig, alphabet: Alphabet, info=None):
    """Save ``model`` to ``path`` (``.keras``) with its configs; written atomically."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: model files must end in .keras")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(path, ".keras")
    model.save(tmp)
    meta = {
        "features": features.to_dict(),
        "model": config.to_dict(),
        "alphabet": alphabet.to_dict(),
        "info": info or {},
    }
    with zipfile.ZipFile(tmp, "a") as archive:
        archive.writestr(MEMBER, json.dumps(meta, indent=1))
    os.replace(tmp, path)
    return path


def update_info(path, **items) -> Path:
    """Add or replace ``items`` in a saved model's ``info`` (e.g. ``decoder=…``), atomically.

    The Keras members are copied unchanged; only ``asrlib.json`` is rewritten.
    """
    path = Path(path)
    meta = read_meta(path)
    meta["info"] = dict(meta.get("info") or {}, **items)
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
            return json.loads(archive.read(MEMBER))
    except KeyError:
        raise ModelFileError(
            f"{path}: a Keras file without asrlib's configs; save it with asrlib.checkpoint.save"
        ) from None
    except (zipfile.BadZipFile, json.JSONDecodeError, OSError) as err:
        raise ModelFileError(f"{path}: damaged model file ({err})") from None


def load(path, compile: bool = False) -> Bundle:
    """Load a model saved by :func:`save`; raises :class:`ModelFileError` on a bad file."""
    import keras

    meta = read_meta(path)
    try:
        features = FeatureConfig.from_dict(meta["features"])
        config = ModelConfig.from_dict(meta["model"])
        alphabet = Alphabet.from_dict(meta["alphabet"])
    except (KeyError, TypeError, ValueError) as err:
        raise ModelFileError(f"{path}: invalid asrlib configs ({err})") from None
    try:
        model = keras.saving.load_model(path, compile=compile)
    except Exception as err:  # Keras raises many types for a damaged archive
        raise ModelFileError(
            f"{path}: Keras could not load the model ({_first_line(err)})"
        ) from None
    return Bundle(model, features, config, alphabet, meta.get("info", {}))


def _first_line(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
