"""Runtime: the one setup every notebook (and the command line) starts from.

``setup()`` reads the FAST switch, seeds every random generator, imports
TensorFlow without its C++ start-up lines, and sets quiet, small plots, so a
notebook's stored outputs are the same on every run (nbval compares them).
"""

from __future__ import annotations

import os
import platform
import random
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asrlib.files import import_tensorflow_quietly

FAST_ENV = "ASRLIB_FAST"  # ASRLIB_FAST=1: small but real runs (CI); unset or 0: full runs
REPO = Path(__file__).resolve().parents[1]  # the checkout (asrlib is installed editable)
SHIPPED = {  # models the project trains itself and commits under data/
    "digits": REPO / "data" / "digits_model.keras",  # the best recipe on every pooled voice
    # the same recipe without 25 voices (voices.HELD_OUT among them): for scoring a new voice
    "digits-heldout": REPO / "data" / "digits_heldout.keras",
    # an FSDD-only model without theo: the early notebooks measure it on a voice it never heard
    "digits-no-theo": REPO / "data" / "digits_no_theo.keras",
    "sentence": REPO / "data" / "sentence_baseline.keras",
    # the AN4 recogniser: letters, digits, number words and commands (spell it, say a zip code)
    "an4": REPO / "data" / "an4_model.keras",
    # the causal (streaming) model: the heldout model's voices, recipe and budget, no look-ahead
    "streaming": REPO / "data" / "digits_streaming.keras",
}


@dataclass(frozen=True)
class Setup:
    """What a notebook needs to know after ``setup()``."""

    fast: bool  # small but real runs (CI) instead of full ones
    seed: int

    def pick(self, fast_value, full_value):
        """``fast_value`` in FAST mode, else ``full_value`` (sizes, epochs, budgets)."""
        return fast_value if self.fast else full_value


def fast_mode() -> bool:
    """True when ``$ASRLIB_FAST`` is set to anything but ``0``/``false``/empty."""
    return os.environ.get(FAST_ENV, "").strip().lower() not in ("", "0", "false", "no")


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy, TensorFlow and Keras, and ask TensorFlow for deterministic ops."""
    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    # TensorFlow's Python warnings (e.g. "5 out of the last 9 calls ... triggered tf.function
    # retracing", normal when utterances differ in length) would land in a cell's stderr.
    tf.get_logger().setLevel("ERROR")
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def setup(seed: int = 0, fast: bool | None = None, corpora: tuple[str, ...] = ()) -> Setup:
    """Seed everything, import TensorFlow quietly, set small plots; returns the FAST switch.

    ``corpora`` names the teaching sets the notebook reads (:func:`asrlib.corpora.require`):
    any that is missing is downloaded now, after one line saying what and how big; offline, one
    line says what to download and where to put it."""
    if corpora:
        from asrlib import corpora as teaching_sets

        teaching_sets.require(*corpora, report=print)
    seed_everything(seed)
    for category, module in ((UserWarning, "keras"), (FutureWarning, "librosa")):
        warnings.filterwarnings("ignore", category=category, module=module)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    from asrlib import plots

    plots.style()
    return Setup(fast=fast_mode() if fast is None else fast, seed=seed)


def versions() -> dict[str, str]:
    """Versions of Python and of the packages the series depends on."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("tensorflow", "keras", "librosa", "numpy", "matplotlib", "jupyterlab", "nbval"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def shipped_model(name: str = "digits") -> Path:
    """Path of a model the project ships in ``data/``: ``digits`` (the one to use, trained on
    every voice), ``digits-heldout`` (the same recipe without 25 voices, for measuring a new
    voice), ``digits-no-theo`` (FSDD only, without theo), ``streaming`` (the causal model
    of notebook 10, without the same 25 voices), ``an4`` (spelled letters, numbers and
    commands, trained on AN4's training speakers) or ``sentence``."""
    if name not in SHIPPED:
        raise ValueError(f"unknown shipped model {name!r}; choose one of {sorted(SHIPPED)}")
    path = SHIPPED[name]
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: restore it with `git checkout -- data/{path.name}`")
    return path


def student_model(name: str = "digits") -> Path:
    """Where notebook 05 saves a model the student trained, and notebook 06 decodes it:
    ``runs/student/<name>.keras`` in the checkout (``digits``: the connected-digit model;
    ``an4``: the small AN4 model; ``runs/`` is never committed). The path is returned whether
    or not the file exists yet."""
    if name not in ("digits", "an4"):
        raise ValueError(f"unknown student model {name!r}; choose 'digits' or 'an4'")
    return REPO / "runs" / "student" / f"{name}.keras"
