"""The syllabus's time table: class time by its formula, run times as measured.

    python benchmarks/class_times.py            # print the table
    python benchmarks/class_times.py --write    # and replace it in book/syllabus.md

Class time = words of markdown ÷ 100 + 1 minute per code cell + 5 minutes per exercise + the
notebook's FAST run time, rounded to a multiple of 5 minutes (``book/syllabus.md`` states the
formula). Run times come from ``data/notebook_times.log`` (``python benchmarks/notebooks.py``).
``tests/test_book.py`` checks that the syllabus shows what this computes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SYLLABUS = ROOT / "book" / "syllabus.md"
TITLES = {  # the syllabus's names for the notebooks
    "00": "Introduction", "01": "Audio and MFCC", "02": "Text, padding and batches",
    "03": "The model, layer by layer", "04": "The CTC loss", "05": "Training",
    "06": "Decoding", "07": "Improvements", "08": "Record your voice", "09": "Scaling up",
    "10": "Live transcription", "11": "Appendix: experiments",
}


def _answer_key():
    spec = importlib.util.spec_from_file_location("answer_key", ROOT / "book" / "answer_key.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def duration(seconds: float) -> str:
    """How the table writes a run time: seconds below 90, else minutes."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def rows() -> list[dict]:
    """Per notebook: words, code cells, exercises, run times and the class time in minutes."""
    from asrlib.runtime import notebook_times

    times, key, out = notebook_times(), _answer_key(), []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        words = sum(len("".join(c["source"]).split()) for c in cells
                    if c["cell_type"] == "markdown")
        code = sum(c["cell_type"] == "code" for c in cells)
        exercises = len(key.exercise_headers(f"nb{path.name[:2]}"))
        fast, full = times.get((path.stem, "fast")), times.get((path.stem, "full"))
        minutes = words / 100 + code + 5 * exercises + (fast or 0) / 60
        out.append({"notebook": path.stem, "words": words, "code_cells": code,
                    "exercises": exercises, "fast": fast, "full": full,
                    "class_minutes": 5 * math.ceil(minutes / 5 - 1e-9)})
    return out


def table(found: list[dict]) -> str:
    lines = ["| notebook | class time | run: FAST | run: full |", "|---|---|---|---|"]
    for r in found:
        number = r["notebook"][:2]
        extra = ", or reading" if number == "11" else ""
        lines.append(f"| [{number} {TITLES[number]}](../notebooks/{r['notebook']}.ipynb) | "
                     f"{r['class_minutes']} min{extra} | "
                     f"{duration(r['fast']) if r['fast'] else '–'} | "
                     f"{duration(r['full']) if r['full'] else '–'} |")
    return "\n".join(lines)


def replace_table(text: str, new: str) -> str:
    """``text`` with its ``| notebook | class time |`` table replaced by ``new``."""
    pattern = re.compile(r"^\| notebook \| class time \|.*?(?=\n\n)", re.S | re.M)
    if not pattern.search(text):
        raise ValueError(f"{SYLLABUS}: no '| notebook | class time |' table")
    return pattern.sub(new, text, count=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update book/syllabus.md")
    args = parser.parse_args(argv)
    found = rows()
    for r in found:
        print(json.dumps(r))
    new = table(found)
    print(new)
    if args.write:
        SYLLABUS.write_text(replace_table(SYLLABUS.read_text(), new))
        print(f"wrote {SYLLABUS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
