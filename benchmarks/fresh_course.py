"""The course on a fresh machine: what each lesson downloads, and how long `make notebooks` takes.

A clean copy of the checkout (what ``git ls-files`` lists), no ``ASRLIB_DATA``, an empty
cache, and ``ASRLIB_MIRROR`` pointing at a loopback HTTP server that serves the corpora as
their official archives (rebuilt from the local copy by ``tests/test_fresh_machine.py``, same
names and layouts; a repacked archive's bytes differ a little from the upstream one, so both
sizes are printed). Each lesson notebook (00-08 and 10) is then executed in FAST mode, in
order, with ``make notebooks NB=...``, exactly as a student's first run would; the server
records which archives each one fetched. Prints a table and writes it to
``data/fresh_course.json``::

    ASRLIB_DATA=../shared/data .venv/bin/python benchmarks/fresh_course.py

The installed virtual environment is reused (installing is not measured). About 15 minutes on
two cores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from conftest import serve_folder  # noqa: E402
from test_fresh_machine import build_archives, clean_copy, fresh_env  # noqa: E402

from asrlib import corpora  # noqa: E402
from asrlib.archives import human_size  # noqa: E402

LESSONS = ["00_introduction", "01_audio_and_mfcc", "02_text_and_batches",
           "03_model_layer_by_layer", "04_ctc_loss", "05_training", "06_decoding",
           "07_improvements", "08_record_your_voice", "10_live_transcription"]


def main() -> dict:
    base = Path(tempfile.mkdtemp(prefix="fresh-course-"))
    clone, www = base / "asr-notebooks", base / "www"
    www.mkdir()
    clean_copy(clone)
    built = build_archives(www)
    upstream = {r.file: r.size for r in corpora.archives().values()}
    env = fresh_env(base, clone)
    rows, failed = [], []
    with serve_folder(www) as server:
        env["ASRLIB_MIRROR"] = server.url
        for nb in LESSONS:
            before = set(server.hits)
            t0 = time.perf_counter()
            run = subprocess.run(["make", "-s", "notebooks", f"NB=notebooks/{nb}.ipynb",
                                  f"VENV={Path(sys.prefix)}"], cwd=clone, env=env,
                                 capture_output=True, text=True, timeout=1800)
            seconds = time.perf_counter() - t0
            fetched = sorted(h[1:] for h in set(server.hits) - before if h != "/SHA256SUMS")
            rows.append({"notebook": nb, "seconds": round(seconds, 1), "archives": fetched,
                         "upstream_bytes": sum(upstream.get(f) or 0 for f in fetched),
                         "served_bytes": sum(server.sent.get("/" + f, 0) for f in fetched),
                         "ok": run.returncode == 0})
            if run.returncode:
                failed.append(nb)
                print(f"{nb}: make failed\n{run.stdout[-1500:]}{run.stderr[-2500:]}")
            print(f"{nb:<26}{seconds:>7.0f} s  {', '.join(fetched) or '-'}", flush=True)
    total = {"seconds": round(sum(r["seconds"] for r in rows), 1),
             "upstream_bytes": sum(r["upstream_bytes"] for r in rows),
             "served_bytes": sum(r["served_bytes"] for r in rows)}
    result = {"what": "a fresh clone, an empty cache, archives from a loopback mirror; "
                      "make notebooks (FAST) on each lesson in order",
              "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "rows": rows,
              "total": total, "failed": failed, "built_archive_bytes": built}
    print(f"\n{'notebook':<26}{'time':>8}  first-run download (upstream size)")
    for r in rows:
        sizes = ", ".join(f"{a} ({human_size(upstream[a])})" for a in r["archives"]) or "nothing"
        print(f"{r['notebook']:<26}{r['seconds']:>6.0f} s  {sizes}")
    print(f"{'all lessons':<26}{total['seconds']:>6.0f} s  {human_size(total['upstream_bytes'])} "
          f"upstream ({human_size(total['served_bytes'])} served by the mirror)")
    (REPO / "data" / "fresh_course.json").write_text(json.dumps(result, indent=1) + "\n")
    shutil.rmtree(base, ignore_errors=True)
    return result


if __name__ == "__main__":
    sys.exit(1 if main()["failed"] else 0)
