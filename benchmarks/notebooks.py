"""Wall time of each notebook in FAST and in full mode (the README's notebook table).

    python benchmarks/notebooks.py                    # every notebook, both modes
    python benchmarks/notebooks.py --mode fast notebooks/01_audio_and_mfcc.ipynb

Each notebook is executed top to bottom in a fresh kernel into a temporary copy
(the committed outputs are untouched) and its wall time printed. Run it on an
otherwise idle machine; ``ASRLIB_DATA`` must point at the corpora.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(notebook: Path, fast: bool, timeout: int) -> float:
    """Execute ``notebook`` in a fresh kernel; wall seconds (raises if a cell fails)."""
    env = dict(os.environ, ASRLIB_FAST="1" if fast else "0")
    jupyter = Path(sys.executable).with_name("jupyter")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [str(jupyter), "nbconvert", "--to", "notebook", "--execute", str(notebook),
             "--output-dir", tmp, f"--ExecutePreprocessor.timeout={timeout}"],
            env=env, check=True, capture_output=True, cwd=notebook.parent,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--mode", choices=("fast", "full", "both"), default="both")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    modes = {"fast": [True], "full": [False], "both": [True, False]}[args.mode]
    print(f"{'notebook':<32} {'mode':<5} wall time")
    for nb in notebooks:
        for fast in modes:
            try:
                seconds = run(nb.resolve(), fast, args.timeout)
                result = f"{seconds:7.1f} s"
            except subprocess.CalledProcessError as err:
                result = "FAILED: " + (err.stderr.decode(errors="replace").strip().splitlines()
                                       or ["?"])[-1]
            print(f"{nb.stem:<32} {'fast' if fast else 'full':<5} {result}", flush=True)


if __name__ == "__main__":
    main()
