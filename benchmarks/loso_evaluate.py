"""The `evaluate` line of every LOSO fold model of a recipe on its own held-out speaker.

    python benchmarks/loso_evaluate.py RECIPE [RECIPE ...]

For each fold model ``data/loso/RECIPE/SPEAKER.keras`` (made by ``python -m asrlib loso``):
``make-manifest`` writes that fold's 300 test strings as 16-bit WAVs (``--seed 2``, the fold's
own strings), ``evaluate --threads 1`` scores them with the model's saved digit decoder on one
core, and the line, with the recipe and speaker in front, replaces that fold's line in
``data/loso/evaluate.jsonl``. A fold without its model is reported and skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from asrlib.datasets import FSDD_SPEAKERS

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "data" / "loso"
LINES = RESULTS / "evaluate.jsonl"


def asrlib(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "asrlib", *args], cwd=REPO, text=True,
                          capture_output=True)
    if done.returncode:
        raise SystemExit(f"asrlib {' '.join(args)} failed: {done.stderr.strip()[-400:]}")
    return done.stdout


def main(recipes: list[str]) -> int:
    if not recipes:
        raise SystemExit(__doc__)
    lines = [json.loads(s) for s in LINES.read_text().splitlines()] if LINES.exists() else []
    for recipe in recipes:
        for speaker in FSDD_SPEAKERS:
            model = RESULTS / recipe / f"{speaker}.keras"
            if not model.exists():
                print(f"{recipe}/{speaker}: no fold model at {model} (python -m asrlib loso "
                      f"--recipe {recipe} --speakers {speaker}); skipped")
                continue
            manifest = REPO / "runs" / "loso-eval" / f"{speaker}.jsonl"
            if not manifest.exists():
                asrlib("make-manifest", "--corpus", "digits", "--speakers", speaker, "--n", "300",
                       "--seed", "2", "--out", str(manifest))
            out = asrlib("evaluate", "--model", str(model.relative_to(REPO)), "--manifest",
                         str(manifest), "--threads", "1")
            line = {"recipe": recipe, "test_speaker": speaker,
                    **json.loads(out.strip().splitlines()[-1])}
            print(json.dumps(line), flush=True)
            lines = [x for x in lines if (x["recipe"], x["test_speaker"]) != (recipe, speaker)]
            lines.append(line)
    LINES.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
