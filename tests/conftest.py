"""Shared test setup: the local speech mirror, a private cache, seeds, quiet TensorFlow."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("ASRLIB_DATA", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session", autouse=True)
def _data_env(tmp_path_factory):
    """Point asrlib at the mirror (never the internet) and at a private cache."""
    old = {k: os.environ.get(k) for k in ("ASRLIB_DATA", "ASRLIB_CACHE")}
    os.environ["ASRLIB_DATA"] = str(MIRROR)
    os.environ["ASRLIB_CACHE"] = str(tmp_path_factory.mktemp("asrlib-cache"))
    yield
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def mirror() -> Path:
    """The ``../shared/data`` mirror; tests that need it are skipped when it is absent."""
    if not (MIRROR / "free-spoken-digit-dataset").is_dir():
        pytest.skip(f"speech mirror not found at {MIRROR}")
    return MIRROR


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def tone(seconds: float = 1.0, rate: int = 16_000, freq: float = 440.0) -> np.ndarray:
    """A quiet sine: valid, non-silent audio for tests that need any sound."""
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture(scope="session")
def untrained_model(tmp_path_factory) -> Path:
    """A seed-architecture model with random weights, saved the asrlib way."""
    import keras

    from asrlib import checkpoint
    from asrlib.config import Spec
    from asrlib.model import build_model

    keras.utils.set_random_seed(0)
    path = tmp_path_factory.mktemp("models") / "untrained.keras"
    checkpoint.save(path, build_model(), Spec(), {"t": 1})
    return path


SHIPPED_DIGITS = REPO / "data" / "digits_model.keras"  # every pooled voice
HELD_OUT_VOICES = REPO / "data" / "digits_heldout.keras"  # the same recipe without 25 voices
HELD_OUT_DIGITS = REPO / "data" / "digits_no_theo.keras"  # FSDD only, theo never heard


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder and records each request's path (``hits``) and the bytes sent."""

    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path == "/truncated.tar.gz":  # promises 1000 bytes, sends 10, hangs up
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.close_connection = True
            return
        super().do_GET()

    def copyfile(self, source, outputfile):
        start = source.tell()
        super().copyfile(source, outputfile)
        self.server.sent[self.path] = self.server.sent.get(self.path, 0) + source.tell() - start

    def log_message(self, *args):  # keep pytest output clean
        pass


@contextlib.contextmanager
def serve_folder(www: Path):
    """An HTTP server for ``www`` on 127.0.0.1 (loopback only), stopped on exit; its ``url``,
    ``hits`` (paths requested) and ``sent`` ({path: bytes sent})."""
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(www))
    )
    httpd.hits, httpd.sent, httpd.www = [], {}, www
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def assert_recipe_current(stored_config: dict, recipe, where) -> None:
    """A stored recipe config equals today's recipe; a field added to Recipe (or to one of its
    configs) after the run must still hold its default in today's recipe."""
    import json

    from asrlib import recipes

    current = json.loads(json.dumps(recipe.to_dict()))
    defaults = json.loads(json.dumps(recipes.Recipe("x", "").to_dict()))

    def stored_with_defaults(stored, default):
        if isinstance(default, dict) and isinstance(stored, dict):
            return {k: stored_with_defaults(stored.get(k, v), v) for k, v in default.items()}
        return stored

    for key, value in current.items():
        if key == "description":  # prose about the recipe, reworded as the project moves on
            continue
        stored = stored_with_defaults(stored_config.get(key, defaults[key]), defaults[key])
        assert stored == value, f"{where}: {key} changed"


def register(monkeypatch, *archives) -> None:
    """Declare a toy corpus holding ``archives`` for one test (the registry is restored)."""
    from asrlib import corpora

    registry = corpora.registry()
    name = f"toy-{archives[0].name}"
    monkeypatch.setitem(registry, name, corpora.Corpus(name, "a test corpus", "none",
                                                       archives=tuple(archives)))


# Whole files whose tests train a model, spawn worker processes, open a browser, build the book
# or run notebooks: ``make test-fast`` (pytest -m "not slow") leaves them out; ``make test``
# and CI run them. A single slow test in another file carries @pytest.mark.slow itself.
SLOW_FILES = {
    "test_book.py",  # builds the Jupyter Book
    "test_browser.py",  # JupyterLab and Voilà in headless Chromium
    "test_crossval.py",  # trains a many-voice fold
    "test_distribute.py",  # trains under tf.distribute, several worker processes
    "test_export.py",  # converts to SavedModel and TFLite
    "test_fresh_machine.py",  # installs into a new venv, runs notebooks
    "test_loso.py",  # trains leave-one-speaker-out folds
    "test_notebooks.py",  # executes notebooks
    "test_shards.py",  # feature worker processes
    "test_train.py",  # trains, resumes
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
