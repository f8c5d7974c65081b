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

# FAST mode, the default: small but real runs, the numbers the stored outputs (and the book)
# show; ASRLIB_FAST=0 before starting Jupyter: full runs (more data, longer training)
FAST_ENV = "ASRLIB_FAST"
REPO = Path(__file__).resolve().parents[1]  # the checkout (asrlib is installed editable)
TIMES = REPO / "data" / "notebook_times.log"  # measured run times (benchmarks/notebooks.py)
SHIPPED = {  # models the project trains itself and commits under data/
    "digits": REPO / "data" / "digits_model.keras",  # the best recipe on every pooled voice
    # the same recipe without 40 voices (voices.HELD_OUT among them): for scoring a new voice
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
    """FAST mode unless ``$ASRLIB_FAST`` is ``0``/``false``/``no``/``off`` (unset: FAST)."""
    return os.environ.get(FAST_ENV, "").strip().lower() not in ("0", "false", "no", "off")


def notebook_times(path: Path = TIMES) -> dict[tuple[str, str], float]:
    """Measured wall seconds of each notebook per mode, ``{(name, "fast"|"full"): s}``, from
    ``data/notebook_times.log`` (``python benchmarks/notebooks.py``); empty without it."""
    times = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[1] in ("fast", "full") and parts[3] == "s":
                try:
                    times[(parts[0], parts[1])] = float(parts[2])
                except ValueError:
                    continue
    return times


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def mode_line(notebook: str, fast: bool, times: dict | None = None) -> str:
    """One line for a notebook's setup cell: which mode runs, and how long the other one takes
    (measured on a 2-core laptop CPU, ``data/notebook_times.log``)."""
    times = notebook_times() if times is None else times
    other = times.get((notebook, "full" if fast else "fast"))
    if fast:
        took = f": about {_duration(other)} for this notebook on a 2-core laptop" if other else ""
        return ("FAST mode (the default): small but real runs, the numbers this book shows. "
                f"Full mode (ASRLIB_FAST=0 before starting Jupyter) uses more data and training"
                f"{took}.")
    took = f"about {_duration(other)}" if other else "less"
    return ("Full mode (ASRLIB_FAST=0): more data and training, so your numbers differ from the "
            f"book's. FAST mode (the default, ASRLIB_FAST unset) takes {took} for this notebook.")


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


def setup(seed: int = 0, fast: bool | None = None, corpora: tuple[str, ...] = (),
          notebook: str | None = None) -> Setup:
    """Seed everything, import TensorFlow quietly, set small plots; returns the FAST switch.

    ``corpora`` names the teaching sets the notebook reads (:func:`asrlib.corpora.require`):
    any that is missing is downloaded now, after one line saying what and how big; offline, one
    line says what to download and where to put it. ``notebook`` (its file name without
    ``.ipynb``) prints which mode runs and how long the other takes (:func:`mode_line`)."""
    if corpora:
        from asrlib import corpora as teaching_sets

        teaching_sets.require(*corpora, report=print)
    seed_everything(seed)
    for category, module in ((UserWarning, "keras"), (FutureWarning, "librosa")):
        warnings.filterwarnings("ignore", category=category, module=module)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    from asrlib import plots

    plots.style()
    fast = fast_mode() if fast is None else fast
    if notebook:
        print(mode_line(notebook, fast))
    return Setup(fast=fast, seed=seed)


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
    every voice), ``digits-heldout`` (the same recipe without 40 voices, for measuring a new
    voice), ``digits-no-theo`` (FSDD only, without theo), ``streaming`` (the causal model
    of notebook 10, without fold 0's voices of the pool before AN4 joined), ``an4`` (spelled
    letters, numbers and commands, trained on AN4's training speakers) or ``sentence``."""
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
