"""Files, errors and the process's output streams: the small helpers the stage modules share.

- :func:`temp_sibling`: a unique temporary name beside a file, for atomic writes.
- :func:`one_line`: any exception as the single line a user reads (``error: …``).
- :func:`mute_stderr` and :func:`import_tensorflow_quietly`: keep the C++ start-up lines of
  TensorFlow and TFLite out of a terminal or a notebook cell.

It imports nothing of asrlib, so every module may import it.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
from pathlib import Path


def temp_sibling(path, suffix: str = "") -> Path:
    """A temporary name beside ``path``, unique to this process and call, for an atomic write
    (write it, then ``os.replace`` it onto ``path``). Unique because several processes may
    write the same file at once (the workers of a multi-worker run share one feature cache):
    with one fixed temporary name, one process's ``os.replace`` moves the file away under
    another's feet. ``suffix`` keeps the ending a writer insists on (``.npz``, ``.keras``)."""
    path = Path(path)
    unique = f"{os.getpid()}.{random.SystemRandom().getrandbits(32):08x}"
    return path.with_name(f".{path.name}.{unique}.tmp{suffix}")


# What a command-line user types where a library message names a Python argument.
COMMAND_LINE = {
    "download=True": "download=True; on the command line --download",
    "decode with greedy or beam": "decode with greedy or beam (--decoder greedy)",
    "use a global batch that is": "use a global batch (--batch-size) that is",
    "train for a number of epochs instead": "train for a number of epochs (--epochs) instead",
}


def one_line(err: BaseException, limit: int = 400, command_line: bool = False) -> str:
    """An exception as one line of at most ``limit`` characters.

    asrlib's own messages are one line already and come back whole. A library's message
    that spans several lines (Keras, TFLite) is cut to its first non-empty line: that is
    its summary; the rest is detail a user cannot act on. An exception without a message
    gives its type's name. ``command_line``: the library's messages name Python arguments;
    for a command-line user, the flag is named beside them (:data:`COMMAND_LINE`)."""
    lines = [" ".join(line.split()) for line in str(err).splitlines()]
    text = next((line for line in lines if line), "") or type(err).__name__
    if command_line:
        for python, both in COMMAND_LINE.items():
            text = text.replace(python, both)
    return text if len(text) <= limit else text[:limit] + "…"


@contextlib.contextmanager
def mute_stderr():
    """Send file descriptor 2 to /dev/null for a while: C++ libraries (TensorFlow, TFLite)
    write there directly, past Python's ``sys.stderr``. Exceptions still propagate."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 muted: its C++ start-up lines ignore
    ``TF_CPP_MIN_LOG_LEVEL`` and would bury the line a user needs to read (and break
    nbval, which compares stderr)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    with mute_stderr():
        import tensorflow  # noqa: F401
