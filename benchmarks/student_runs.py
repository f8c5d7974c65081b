"""The student's own digits model: what notebooks 05 and 06 reach with it, and what they cost.

    python benchmarks/student_runs.py              # FAST, then full → data/student_runs.json
    python benchmarks/student_runs.py --mode fast  # one mode (the other's entry is kept)

For each mode it executes notebook 05 (which trains the model and saves it as
``runs/student/digits.keras``, with its log) and then notebook 06 (which decodes that model on
the test speaker and writes ``runs/student/digits.decoding.json``), each top to bottom in a fresh
kernel into a temporary copy, so the committed outputs are untouched. It records each notebook's
wall time, the load average before and after it (other work on the machine slows it down), the
epochs trained, the best epoch and its validation CER, and WER/CER on the test speaker for
greedy decoding and for the decoder notebook 06 tunes. ``ASRLIB_DATA`` must point at the corpora.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
OUT = REPO / "data" / "student_runs.json"
MODEL = REPO / "runs" / "student" / "digits.keras"  # asrlib.runtime.student_model()


def execute(notebook: Path, fast: bool, timeout: int) -> dict:
    """Run ``notebook`` in a fresh kernel; its wall seconds, the load around it, and the cells
    that raised (a failing check does not stop the run: the record names it)."""
    env = dict(os.environ, ASRLIB_FAST="1" if fast else "0")
    jupyter = Path(sys.executable).with_name("jupyter")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
             str(notebook), "--output-dir", tmp, f"--ExecutePreprocessor.timeout={timeout}"],
            env=env, check=True, capture_output=True, cwd=notebook.parent,
        )
        seconds = time.perf_counter() - start
        cells = json.loads((Path(tmp) / notebook.name).read_text())["cells"]
    errors = [f"cell {i}: {out['ename']}: {out['evalue'][:200]}" for i, cell in enumerate(cells)
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    record = {"seconds": round(seconds, 1),
              "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    if errors:
        record["errors"] = errors
        print(f"{notebook.name}: {len(errors)} cell(s) raised: {errors[0]}", file=sys.stderr)
    return record


def measure(fast: bool, timeout: int) -> dict:
    """Notebook 05 then 06 in one mode; → the record stored under that mode."""
    for stale in (MODEL, MODEL.with_suffix(".log.csv"), MODEL.with_suffix(".decoding.json")):
        stale.unlink(missing_ok=True)  # 06 must decode the model 05 trains now
    train = execute(NOTEBOOKS / "05_training.ipynb", fast, timeout)
    decode = execute(NOTEBOOKS / "06_decoding.ipynb", fast, timeout)
    with open(MODEL.with_suffix(".log.csv"), newline="") as f:
        log = list(csv.DictReader(f))
    scores = json.loads(MODEL.with_suffix(".decoding.json").read_text())
    best = min(log, key=lambda row: float(row["val_cer"]))
    return {
        "notebook_05": train,
        "notebook_06": decode,
        "epochs": len(log),
        "best_epoch": int(best["epoch"]) + 1,
        "val_cer": round(float(best["val_cer"]), 4),
        "test_strings": scores["strings"],
        "greedy": {k: round(v, 4) for k, v in scores["scores"]["greedy"].items()},
        "task": {"name": scores["task"],
                 **{k: round(v, 4) for k, v in scores["scores"][scores["task"]].items()}},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("fast", "full", "both"), default="both")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args()
    stored = json.loads(OUT.read_text()) if OUT.is_file() else {}
    record = {
        "command": "python benchmarks/student_runs.py",
        "machine": f"{os.cpu_count()} CPU cores",
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "modes": stored.get("modes", {}),
    }
    for mode in {"fast": ["fast"], "full": ["full"], "both": ["fast", "full"]}[args.mode]:
        record["modes"][mode] = result = measure(mode == "fast", args.timeout)
        print(f"{mode:<5} 05 {result['notebook_05']['seconds']:7.1f} s, 06 "
              f"{result['notebook_06']['seconds']:7.1f} s; {result['epochs']} epochs, val CER "
              f"{result['val_cer']:.1%}; test greedy WER {result['greedy']['wer']:.1%} CER "
              f"{result['greedy']['cer']:.1%}, {result['task']['name']} WER "
              f"{result['task']['wer']:.1%} CER {result['task']['cer']:.1%}", flush=True)
        OUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"written: {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
