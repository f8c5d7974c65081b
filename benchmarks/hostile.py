"""Files built to harm, measured: for each class, what the library does with it, how long that
takes, the peak memory of the process (max RSS) and what it writes to disk.

Each case builds its input here (nothing hostile is stored in the repository) and runs in a
fresh Python process, watched from outside: a run that passes ``--mem-cap`` of memory or
``--time-cap`` seconds is stopped and reported as such (so measuring the old behaviour does
not take the machine down). ``--before REV`` also runs every case against the library as it
was at git revision REV (checked out into a temporary worktree), side by side::

    python benchmarks/hostile.py                       # this checkout
    python benchmarks/hostile.py --before 9288f6f      # and the library before the limits
    python benchmarks/hostile.py --only model-bomb lambda

Prints a table and writes ``data/hostile.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from test_hostile import flac_claiming, sparse_wav  # noqa: E402 (the tests build the same files)

MODEL = ROOT / "data" / "digits_model.keras"
CLIP = next(iter(sorted((ROOT / "data" / "clips").rglob("*.flac"))))
GiB = 1024**3

# --- the inputs --------------------------------------------------------------------------------


def _zeros(f, size: int) -> None:
    block = bytes(1 << 24)
    for start in range(0, size, len(block)):
        f.write(block[: min(len(block), size - start)])


def _rewrite_record(src: Path, out: Path, change) -> Path:
    with zipfile.ZipFile(src) as z:
        meta = json.loads(z.read("asrlib.json"))
    change(meta)
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as d:
        for item in s.namelist():
            if item != "asrlib.json":
                d.writestr(item, s.read(item))
        d.writestr("asrlib.json", json.dumps(meta))
    return out


def _inflated(out: Path, compression: int) -> Path:
    """The shipped model whose weights member is the real weights followed by 4 GiB of zeros."""
    with zipfile.ZipFile(MODEL) as s, zipfile.ZipFile(out, "w", compression) as d:
        for item in s.namelist():
            if item != "model.weights.h5":
                d.writestr(item, s.read(item))
        with d.open("model.weights.h5", "w", force_zip64=True) as f:
            f.write(s.read("model.weights.h5"))
            _zeros(f, 4 * GiB)
    return out


def model_bomb(w: Path) -> Path:
    """Compressed: 4 GiB of zeros take 4 MB."""
    return _inflated(w / "bomb.keras", zipfile.ZIP_DEFLATED)


def model_stored(w: Path) -> Path:
    """Stored uncompressed (4 GB on disk): no compression ratio gives it away."""
    return _inflated(w / "stored.keras", zipfile.ZIP_STORED)


def more_letters(w: Path) -> Path:
    def change(meta):
        meta["alphabet"]["symbols"].append("é")
        meta["model"]["n_classes"] += 1
    return _rewrite_record(MODEL, w / "letters.keras", change)


def more_features(w: Path) -> Path:
    def change(meta):
        meta["features"].update(kind="logmel", n_mels=40)
        meta["model"]["n_features"] = 40
    return _rewrite_record(MODEL, w / "features.keras", change)


def huge_rate(w: Path) -> Path:
    def change(meta):
        # a window of 1e-5 ms keeps the old window-versus-FFT check quiet
        meta["features"].update(sample_rate=2**32, win_ms=1e-5, hop_ms=1e-5)
    return _rewrite_record(MODEL, w / "rate.keras", change)


def endless_beam(w: Path) -> Path:
    def change(meta):
        meta["decoder"] = {"kind": "beam", "beam_width": 10**9, "prune": 0.0}
    return _rewrite_record(MODEL, w / "beam.keras", change)


def lambda_layer(w: Path) -> Path:
    code = f"""
import keras, sys
sys.path.insert(0, {str(ROOT)!r})
from asrlib import checkpoint
from asrlib.config import Spec
def payload(x):
    open({str(w / 'lambda-ran')!r}, 'w').write('the file ran its code')
    return x
i = keras.Input((None, 13))
o = keras.layers.Dense(28, activation='softmax')(keras.layers.Lambda(payload)(i))
checkpoint.save({str(w / 'lambda.keras')!r}, keras.Model(i, o), Spec())
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=w, capture_output=True)
    (w / "lambda-ran").unlink()
    return w / "lambda.keras"


def corpus_bomb(w: Path) -> Path:
    """A hostile mirror's FSDD archive (FSDD has no pinned checksum): one 4 GiB member."""
    from asrlib import corpora

    res = corpora.archive("fsdd")
    mirror = w / "mirror"
    mirror.mkdir()
    with tarfile.open(mirror / res.file, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo(f"{res.strip}/recordings/0_george_0.wav")
        info.size = 4 * GiB
        read, write = os.pipe()
        if os.fork() == 0:  # a child writes the zeros into the pipe tar reads from
            os.close(read)
            with os.fdopen(write, "wb") as f:
                _zeros(f, info.size)
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as f:
            tar.addfile(info, f)
        os.wait()
    return mirror


def unsafe_archives(w: Path) -> Path:
    out = w / "unsafe"
    out.mkdir()
    with zipfile.ZipFile(out / "escape.zip", "w") as z:
        z.writestr("corpus/../../escaped.txt", "outside")
    with tarfile.open(out / "link.tar", "w") as t:
        info = tarfile.TarInfo("corpus/link")
        info.type, info.linkname = tarfile.SYMTYPE, "../../../etc"
        t.addfile(info)
    return out


def day_wav(w: Path) -> Path:
    return sparse_wav(w / "day.wav", 26 * 3600)


def night_flac(w: Path) -> Path:
    return flac_claiming(w / "night.flac", 10 * 3600)


def lying_sphere(w: Path) -> Path:
    tone = (np.sin(np.arange(16_000) * 0.05) * 8000).astype("<i2")
    head = (b"NIST_1A\n   1024\nsample_count -i 57600000\nsample_rate -i 16000\n"
            b"channel_count -i 1\nsample_n_bytes -i 2\nsample_byte_format -s2 01\n"
            b"sample_coding -s3 pcm\nend_head\n")
    path = w / "lies.sph"
    path.write_bytes(head.ljust(1024) + tone.tobytes())
    return path


def wide_wav(w: Path) -> Path:
    """80 s, 64 channels at 384 kHz: within the duration limit, 7.9 GB as float32."""
    return sparse_wav(w / "wide.wav", 80, rate=384_000, channels=64)


def big_manifest(w: Path) -> Path:
    path = w / "big.jsonl"
    with open(path, "wb") as f:
        f.truncate(600 * 1024**2)
    return path


def nothing(w: Path) -> Path:
    return w


# --- the cases: (what, input builder, code run in a fresh process with ``P`` = the input) ------

CASES = {
    "model-bomb": ("model file whose weights member inflates to 4 GiB", model_bomb, """
from asrlib import checkpoint
b = checkpoint.load(P)
say("accepted: loaded", b.model.count_params(), "parameters")"""),
    "model-stored": ("the same, stored uncompressed (4 GB file)", model_stored, """
from asrlib import checkpoint
b = checkpoint.load(P)
say("accepted: loaded", b.model.count_params(), "parameters")"""),
    "alphabet": ("record: 29 symbols, network: 28 outputs", more_letters, """
from asrlib.transcriber import Transcriber
r = Transcriber.from_file(P).transcribe_file(CLIP)
say("accepted: transcribed", repr(r.text), "for 'one'")"""),
    "features": ("record: 40 features, network: 13", more_features, """
from asrlib.transcriber import Transcriber
r = Transcriber.from_file(P).transcribe_file(CLIP)
say("accepted: transcribed", repr(r.text))"""),
    "sample-rate": ("record: features at 2**32 Hz", huge_rate, """
from asrlib.transcriber import Transcriber
r = Transcriber.from_file(P).transcribe_file(CLIP)
say("accepted:", repr(r.text), r.error)"""),
    "beam": ("record: a beam 10**9 wide", endless_beam, """
from asrlib.transcriber import Transcriber
r = Transcriber.from_file(P).transcribe_file(CLIP)
say("accepted: transcribed", repr(r.text))"""),
    "lambda": ("model file with a Lambda layer (Python code)", lambda_layer, """
from asrlib import checkpoint
try:
    checkpoint.load(P)
    say("accepted")
finally:
    ran = (P.parent / "lambda-ran").exists()
    print("OUTCOME-EXTRA", "the code ran" if ran else "the code did not run", flush=True)"""),
    "corpus-bomb": ("mirror's FSDD tarball, one member of 4 GiB", corpus_bomb, """
import os
os.environ["ASRLIB_MIRROR"] = P.as_uri()
from asrlib import corpora
corpora.ensure("fsdd", download=True, progress=False)
say("accepted: extracted")"""),
    "escape": ("zip member ../../, tar symlink to ../../../etc", unsafe_archives, """
from asrlib.archives import extract
out = []
for name in ("escape.zip", "link.tar"):
    try:
        extract(P / name, SCRATCH / "data" / "x" / "y")
        out.append(name + " extracted")
    except Exception as e:
        out.append(name + " refused")
outside = [p.name for p in SCRATCH.rglob("escaped.txt")] + [
    str(p) for p in SCRATCH.rglob("link") if p.is_symlink()]
say("; ".join(out), "; outside the target:", outside or "nothing")"""),
    "wav-26h": ("WAV whose header says 26 hours", day_wav, """
from asrlib import audio
say("accepted:", audio.load(P).shape)"""),
    "flac-10h": ("FLAC whose STREAMINFO says 10 hours", night_flac, """
from asrlib import audio
say("accepted:", audio.load(P).shape)"""),
    "sphere": ("SPHERE header claiming an hour, 1 s of audio", lying_sphere, """
from asrlib import audio
say("read:", len(audio.load(P)) / 16000, "s")"""),
    "wide-wav": ("WAV: 80 s, 64 channels at 384 kHz", wide_wav, """
from asrlib import audio
say("read:", len(audio.load(P)) / 16000, "s")"""),
    "manifest": ("600 MB manifest with no line breaks", big_manifest, """
from asrlib import manifest
u, p = manifest.read(P)
say("read:", len(u), "rows,", len(p), "problems")"""),
    "recorder-hour": ("one hour of PCM sent to the recorder", nothing, """
import numpy as np
from asrlib.recorder import Recorder
rec = Recorder()
rec.audio = np.zeros(3600 * 16000, "<f4").tobytes()
say("accepted:", len(rec.samples) / 16000, "s decoded")"""),
    "endless-stream": ("live recording that never stops (1 h of 200 ms chunks)", nothing, """
import numpy as np
from asrlib.recorder import Recorder
rec = Recorder(stream_ms=200)
got, errors = [], []
rec.on_chunk(lambda s, end: got.append(len(s)), lambda m: errors.append(m))
chunk = memoryview(np.zeros(3200, "<f4").tobytes())
for _ in range(18000):
    rec._handle_custom_msg({"type": "chunk", "rate": 16000, "end": False}, [chunk])
say(f"passed on {sum(got) / 16000:.0f} s of 3600;", len(errors), "message(s)",
    errors[0][:60] if errors else "")"""),
    "uploads": ("200 uploads of 30 s each", nothing, """
import numpy as np, psutil
from asrlib.recorder import Recorder
rec = Recorder()
n = []
rec.on_audio(lambda s: n.append(len(s)))
clip = np.random.default_rng(0).uniform(-.5, .5, 30 * 16000).astype("<f4")
rss = []
for k in range(200):
    rec.audio = (clip * (1 + k % 7) / 8).tobytes()
    if k in (19, 199):
        rss.append(psutil.Process().memory_info().rss)
say(f"{len(n)} decoded; resident memory after 20: {rss[0] / 2**20:.0f} MB, "
    f"after 200: {rss[1] / 2**20:.0f} MB")"""),
}

PRELUDE = """
import sys, os
from pathlib import Path
sys.path.insert(0, @LIB@)
P, CLIP, SCRATCH = Path(@INP@), Path(@CLIP@), Path(@SCRATCH@)
def say(*parts):
    print("OUTCOME", *parts, flush=True)
try:
@BODY@
except BaseException as err:
    line = (str(err).strip().splitlines() or [type(err).__name__])[0]
    print("OUTCOME refused" if type(err).__module__.startswith("asrlib") else "OUTCOME crashed",
          f"({type(err).__name__}):", line[:400], flush=True)
"""


def _written(folder: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file()
               and not p.is_symlink())


def run_case(lib: Path, inp: Path, body: str, mem_cap: float, time_cap: float) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="hostile-run-"))
    code = PRELUDE
    for key, value in (("@LIB@", repr(str(lib))), ("@INP@", repr(str(inp))),
                       ("@CLIP@", repr(str(CLIP))), ("@SCRATCH@", repr(str(scratch))),
                       ("@BODY@", "\n".join("    " + ln for ln in body.strip().splitlines()))):
        code = code.replace(key, value)
    env = {**os.environ, "ASRLIB_CACHE": str(scratch / "cache"), "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": str(lib)}
    env.pop("ASRLIB_DATA", None)
    env.pop("ASRLIB_MIRROR", None)
    t0 = time.perf_counter()
    log = open(scratch.parent / f"{scratch.name}.log", "w+")  # read back below
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=scratch, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    watched, peak, stopped = psutil.Process(proc.pid), 0, None
    while True:
        pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:  # exited: the kernel's own peak (max RSS) of the process
            peak = max(peak, usage.ru_maxrss * 1024)
            break
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.Error:
            pass
        elapsed = time.perf_counter() - t0
        if peak > mem_cap:
            stopped = f"stopped by the benchmark at {peak / GiB:.1f} GB after {elapsed:.0f} s"
        elif elapsed > time_cap:
            stopped = f"stopped by the benchmark after {elapsed:.0f} s, still running"
        if stopped:
            proc.kill()
            os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    log.seek(0)
    out = log.read()
    log.close()
    os.unlink(log.name)
    proc.returncode = 0  # reaped above
    seconds = time.perf_counter() - t0
    lines = [ln for ln in out.splitlines() if ln.startswith("OUTCOME")]
    outcome = stopped or " ".join(ln.split(" ", 1)[1] for ln in lines) or out.strip()[-300:]
    written = _written(scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    return {"outcome": outcome, "seconds": round(seconds, 2), "peak_rss_mb": round(peak / 2**20),
            "written_mb": round(written / 2**20, 1), "mem_cap_gb": round(mem_cap / GiB, 1),
            "time_cap_s": time_cap}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="git revision to measure too (the library before)")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="run these cases")
    parser.add_argument("--mem-cap", type=float, default=8.0, help="GB; a run is stopped above")
    parser.add_argument("--time-cap", type=float, default=180.0, help="seconds; stopped after")
    parser.add_argument("--out", default=str(ROOT / "data" / "hostile.json"))
    args = parser.parse_args(argv)
    names = args.only or list(CASES)
    work = Path(tempfile.mkdtemp(prefix="hostile-inputs-"))
    libs = {"after": ROOT}
    if args.before:
        before = work / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(before),
                        args.before], check=True, capture_output=True)
        libs = {"before": before, "after": ROOT}
    rows = []
    try:
        for name in names:
            what, build, body = CASES[name]
            folder = work / name
            folder.mkdir()
            inp = build(folder)
            row = {"case": name, "input": what,
                   "input_on_disk_mb": round(_written(folder) / 2**20, 1)}
            for label, lib in libs.items():
                row[label] = run_case(lib, inp, body, args.mem_cap * GiB, args.time_cap)
                print(f"{name:15} {label:6} {row[label]['seconds']:7.1f} s "
                      f"{row[label]['peak_rss_mb']:6d} MB rss {row[label]['written_mb']:7.1f} MB "
                      f"written  {row[label]['outcome'][:150]}", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
            rows.append(row)
    finally:
        if args.before:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(work / "before")], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    old = json.loads(out.read_text()) if out.exists() else {}
    merged = {r["case"]: r for r in old.get("cases", [])}
    merged.update({r["case"]: r for r in rows})
    order = [n for n in CASES if n in merged]
    out.write_text(json.dumps({"before_revision": args.before or old.get("before_revision"),
                               "cases": [merged[n] for n in order]}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
