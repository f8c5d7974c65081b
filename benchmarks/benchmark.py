"""Measured figures for the README: training throughput, CTC speed, transcription RTF.

    python benchmarks/benchmark.py throughput   # tf.data pipeline vs the seed's generator
    python benchmarks/benchmark.py ctc          # tf.nn.ctc_loss (sparse) vs keras.ops.ctc_loss
    python benchmarks/benchmark.py rtf --model data/digits_no_theo.keras   # one core, on theo
    python benchmarks/benchmark.py claims-cost  # training and inference cost of each claim
    python benchmarks/benchmark.py scaling      # frames/s: float32, mixed precision, XLA
    python benchmarks/benchmark.py export       # .keras vs TFLite float/int8: size, RTF, WER
    python benchmarks/benchmark.py streaming    # live: word latency, RTF, WER per chunk size
    python benchmarks/benchmark.py an4-digits   # digits models on AN4's test split's digit strings

Each prints its figures; nothing here is asserted. Run on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message=".*(shuffle=True|ran out of data).*")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def throughput(args) -> None:
    """Real (unpadded) input frames per second of training, same model, same data."""
    import keras

    from asrlib import datasets, pipeline, train
    from asrlib.model import ModelConfig, build_model

    config = ModelConfig()
    utts = datasets.connected_digits(args.utterances, ["jackson", "lucas", "nicolas", "yweweler"])
    t0 = time.perf_counter()
    examples, _ = pipeline.make_examples(utts, cache=False)
    feature_seconds = time.perf_counter() - t0
    total_frames = sum(len(e.features) for e in examples)
    steps = -(-len(examples) // args.batch_size)

    def fresh_model():
        keras.utils.set_random_seed(0)
        return train.compile_model(build_model(config), config)

    # Both through the same harness: one warm-up epoch (tracing), then timed epochs.
    # tf.data: features computed once above. The seed's way: random batches, audio
    # loaded and MFCC computed inside every step.
    timed = steps * args.epochs
    ds = pipeline.make_dataset(examples, args.batch_size, seed=0).repeat()
    tfdata = pipeline.measure_throughput(ds, timed, model=fresh_model(), warmup=steps)
    gen = pipeline.seed_generator(utts, args.batch_size)
    seed = pipeline.measure_throughput(gen, timed, model=fresh_model(), warmup=steps)
    tfdata_fps, seed_fps = tfdata.frames_per_second, seed.frames_per_second

    print(f"utterances {len(examples)}, {total_frames} frames/epoch, batch {args.batch_size}")
    print(f"one-off feature computation (tf.data path): {feature_seconds:.1f} s")
    print(f"tf.data pipeline : {tfdata_fps:10.0f} real frames/s")
    print(f"seed generator   : {seed_fps:10.0f} real frames/s")
    print(f"speed-up         : {tfdata_fps / seed_fps:10.2f}x")
    print(f"padded frames    : {tfdata.padded_fraction:10.1%} vs {seed.padded_fraction:.1%}")


def ctc(args) -> None:
    """Seconds per training step and per loss call: fast sparse CTC vs Keras dense CTC."""
    import keras
    import numpy as np

    from asrlib import datasets, pipeline, train
    from asrlib.ctc import CTCLoss
    from asrlib.model import ModelConfig, build_model

    config = ModelConfig()
    utts = datasets.connected_digits(args.batch_size, ["lucas"], seed=0, min_digits=7)
    examples, _ = pipeline.make_examples(utts, cache=False)
    x, y = pipeline.pad_batch(examples)
    print(f"batch {x.shape}, labels {y.shape}")
    for fast in (True, False):
        keras.utils.set_random_seed(0)
        recipe = train.TrainConfig(fast_ctc=fast)
        model = train.compile_model(build_model(config), config, recipe)
        for _ in range(3):
            model.train_on_batch(x, y)
        t0 = time.perf_counter()
        for _ in range(args.steps):
            model.train_on_batch(x, y)
        step = (time.perf_counter() - t0) / args.steps
        probs = model.predict_on_batch(x)
        loss = CTCLoss(config, fast=fast)
        np.asarray(loss(y, probs))
        t0 = time.perf_counter()
        for _ in range(args.steps):
            value = np.asarray(loss(y, probs))
        op = (time.perf_counter() - t0) / args.steps
        name = "tf.nn.ctc_loss (sparse)" if fast else "keras.ops.ctc_loss (dense)"
        print(f"{name:28s} step {step:.3f} s, loss alone {op:.4f} s, mean loss {value.mean():.3f}")


def rtf(args) -> None:
    """Real-time factor of transcription on ONE core, per decoder."""
    os.sched_setaffinity(0, {0})
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from asrlib import checkpoint, datasets, metrics
    from asrlib.transcriber import Transcriber

    bundle = checkpoint.load(args.model)
    print(f"{args.model}: {Path(args.model).stat().st_size:,} bytes, "
          f"{bundle.model.count_params():,} parameters")
    utts = datasets.connected_digits(args.utterances, [datasets.DIGITS_TEST_SPEAKER], seed=2)
    clips = [u.load() for u in utts]
    seconds = sum(len(c) for c in clips) / 16_000
    refs = [u.text for u in utts]
    own = bundle.spec.decoder
    decoders = ["greedy", "beam", "keras_beam"] + ([own.kind] if own.has_lm else [])
    for decoder in decoders:  # the model's own LM decoder runs with its saved beam width
        tr = Transcriber(bundle, decoder, None if decoder == own.kind else args.beam)
        tr.transcribe(clips[0])  # warm-up: tracing
        t0 = time.perf_counter()
        hyps = [tr.transcribe(c) for c in clips]
        elapsed = time.perf_counter() - t0
        print(
            f"{decoder:10s} beam {tr.decoder.spec.beam_width if decoder != 'greedy' else '-':>3} "
            f"RTF {elapsed / seconds:.4f} ({elapsed:.1f} s for {seconds:.0f} s of audio) "
            f"WER {metrics.wer(refs, hyps):.4f}"
        )


def claims_cost(args) -> None:
    """Compute cost of each claim recipe (notebook 11), measured alone on an idle machine:
    parameters, training frames/s and seconds per 4,000-string epoch, inference RTF.
    Written to data/claims/cost.json: the claims runs themselves share the CPU with
    whatever else runs, so their own seconds are a rougher guide."""
    import json

    import keras

    from asrlib import datasets, loso, pipeline, recipes, train
    from asrlib.model import build_model, predict_probs

    train_speakers, _, test = loso.fold_speakers(recipes.CLAIM_SPEAKER)
    utts = datasets.connected_digits(args.utterances, train_speakers)
    test_utts = datasets.connected_digits(50, [test], seed=2)
    rows, cache = {}, {}
    for name in args.names or [n for n in recipes.CLAIMS if n not in ("c-rerun", "c-long")]:
        recipe = recipes.CLAIMS[name]
        key = recipe.features
        if key not in cache:
            cache[key] = [pipeline.make_examples(u, recipe.spec())[0]
                          for u in (utts, test_utts)]
        examples, test_examples = cache[key]
        keras.utils.set_random_seed(0)
        model = train.compile_model(build_model(recipe.model), recipe.model, recipe.train)
        ds = pipeline.make_dataset(examples, recipe.train.batch_size, seed=0)
        model.fit(ds, epochs=1, verbose=0)  # warm-up: tracing
        t0 = time.perf_counter()
        model.fit(ds, epochs=1, verbose=0)
        seconds = time.perf_counter() - t0
        frames = sum(len(e.features) for e in examples)
        frames_per_s = frames / seconds
        steps = -(-len(examples) // recipe.train.batch_size)
        epoch_frames = frames / len(examples) * recipe.n_train
        feats = [e.features for e in test_examples]
        predict_probs(model, feats[:4], recipe.model)  # warm-up
        t0 = time.perf_counter()
        predict_probs(model, feats, recipe.model)
        audio = sum(len(f) for f in feats) * recipe.features.hop_ms / 1000
        rows[name] = {"params": int(model.count_params()), "frames_per_s": round(frames_per_s),
                      "ms_per_step": round(1000 * seconds / steps, 1),
                      "epoch_seconds": round(epoch_frames / frames_per_s, 1),
                      "infer_rtf": round((time.perf_counter() - t0) / audio, 5)}
        print(name, rows[name], flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**old, **rows}, indent=1) + "\n")
    print(f"wrote {out}")


def cpu_name() -> str:
    """The processor's model name (Linux), else the architecture."""
    import platform

    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


VARIANTS = {  # name: (precision policy, XLA, fast sparse tf.nn CTC)
    "float32": ("float32", False, True),
    "mixed_bfloat16": ("mixed_bfloat16", False, True),
    "mixed_float16": ("mixed_float16", False, True),
    "xla": ("float32", True, True),
    "float32 keras-ctc": ("float32", False, False),
    "xla keras-ctc": ("float32", True, False),
}


def scaling(args) -> None:
    """Training throughput in real (unpadded) frames/s for the seed model and the best
    model of notebook 07 (the shipped recipe), in float32, mixed_bfloat16, mixed_float16
    and with XLA. One warm-up epoch (tracing, XLA compilation), then one timed epoch.
    Written to data/scaling.json with the machine's description (notebook 09 reads it)."""
    import json
    from dataclasses import replace

    import keras

    from asrlib import datasets, pipeline, recipes, train
    from asrlib.model import build_model

    utts = datasets.connected_digits(args.utterances, ["jackson", "lucas", "nicolas", "yweweler"])
    models = {"seed": recipes.RECIPES["seed"], "best (v4)": recipes.RECIPES["v4"]}
    rows = []
    for label, recipe in models.items():
        examples, _ = pipeline.make_examples(utts, recipe.spec())
        frames = sum(len(e.features) for e in examples)
        for variant in args.variants:
            precision, xla, fast_ctc = VARIANTS[variant]
            cfg = replace(train.TrainConfig(), precision=precision, jit_compile=xla,
                          fast_ctc=fast_ctc)
            keras.utils.set_random_seed(0)
            row = {"model": label, "variant": variant, "precision": precision, "xla": xla,
                   "ctc": "tf.nn (sparse)" if fast_ctc else "keras.ops",
                   "params": None, "frames_per_s": None, "error": None}
            try:
                model = train.compile_model(build_model(recipe.model, precision=precision),
                                            recipe.model, cfg)
                row["params"] = int(model.count_params())
                ds = pipeline.make_dataset(examples, cfg.batch_size, seed=0)
                t0 = time.perf_counter()
                first = model.fit(ds, epochs=1, verbose=0).history["loss"][0]
                warmup = time.perf_counter() - t0
                t0 = time.perf_counter()
                model.fit(ds, epochs=1, verbose=0)
                seconds = time.perf_counter() - t0
                row.update(frames_per_s=round(frames / seconds), warmup_s=round(warmup, 1),
                           epoch_s=round(seconds, 1), first_loss=round(float(first), 2))
            except Exception as err:  # a policy or XLA that this model cannot use: report it
                row["error"] = " ".join(str(err).split())[:300]
            rows.append(row)
            print(row, flush=True)
    out = Path(args.out)
    old = json.loads(out.read_text())["rows"] if out.exists() else []
    done = {(r["model"], r["variant"]) for r in rows}
    rows = [r for r in old if (r["model"], r.get("variant")) not in done] + rows
    out = Path(args.out)
    out.write_text(json.dumps({
        "machine": f"{cpu_name()}, {os.cpu_count()} cores ({args.machine})",
        "utterances": len(utts), "batch": 32, "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")


def export_figures(args) -> None:
    """The digits model as .keras, SavedModel, TFLite float and TFLite int8: file size, RTF
    on ``--threads`` cores and WER/CER on the held-out speaker (data/export.json)."""
    import json

    from asrlib import datasets, export

    utts = datasets.connected_digits(args.utterances, ["theo"], seed=2)
    rows = export.compare(args.model, utts, threads=args.threads, out_dir=args.out_dir,
                          log=lambda line: print(line, flush=True))
    Path(args.out).write_text(json.dumps({"utterances": len(utts), "threads": args.threads,
                                          "rows": rows}, indent=1, default=str) + "\n")
    print(f"wrote {args.out}")


def streaming_figures(args) -> None:
    """The streaming model on never-heard voices (fold 0's test voices of the many-voice
    protocol, connected strings): word latency against the forced alignment of the
    bidirectional held-out model, one-core RTF, partial and final WER, per chunk size; then
    the same with the final transcript from the bidirectional model (two passes), and that
    model's offline WER on the same strings (data/streaming.json)."""
    import json
    import random

    from asrlib import checkpoint, crossval, latency, metrics, voices
    from asrlib.transcriber import Transcriber

    fold = voices.folds(voices.speakers())[0]
    wrong = crossval.flagged()  # phone numbers whose audio disagrees with the prompt
    items = [i for i in voices.material(fold.test, n_fsdd_strings=5)
             if i.kind == "connected" and i.utt.id not in wrong]
    random.Random(0).shuffle(items)
    utts = [i.utt for i in items[: args.utterances]]
    clips = [(u.text, u.load()) for u in utts]
    model, aligner = checkpoint.load(args.model), checkpoint.load(args.aligner)
    rows = latency.measure(model, aligner, clips, tuple(args.chunk_ms), threads=args.threads)
    # the two-pass path: the same partials, the final from the bidirectional model (the aligner)
    two_pass = latency.measure(model, aligner, clips, tuple(args.chunk_ms),
                                 threads=args.threads, final=aligner)
    offline = Transcriber(aligner)
    refs = [aligner.alphabet.normalize(text) for text, _ in clips]
    offline_wer = metrics.wer(refs, [offline.transcribe(samples) for _, samples in clips])
    for row in rows + two_pass:
        print(json.dumps(row), flush=True)
    print(f"offline (bidirectional) WER {offline_wer:.4f}")
    Path(args.out).write_text(json.dumps({"model": args.model, "aligner": args.aligner,
                                          "utterances": len(utts), "threads": args.threads,
                                          "rows": rows, "two_pass": two_pass,
                                          "offline_wer": offline_wer}, indent=1) + "\n")
    print(f"wrote {args.out}")


def an4_digits(args) -> None:
    """Digits models on the digit strings of AN4's *test* split (zip codes, phone numbers;
    "oh" is zero): speakers no digits model trained on, recorded unlike most of the pool.
    WER per model with its own decoder, over all words and by gender (data/an4_digits.json).
    The rows of other models already in ``--out`` (earlier revisions) are kept."""
    import json

    from asrlib import metrics
    from asrlib.corpora import an4
    from asrlib.transcriber import Transcriber

    utts = an4.digit_strings("test")
    rows = []
    for path in args.models:
        reader = Transcriber.from_file(path)
        heard = set(reader.bundle.info.get("speakers", {}).get("train", []))
        if heard & {f"an4:{u.speaker}" for u in utts}:
            raise SystemExit(f"{path} trained on an AN4 test speaker: not a test")
        hyps = [reader.transcribe(u.load()) for u in utts]
        row = {"model": str(path), "label": dict(args.label).get(str(path), ""),
               "wer": metrics.wer([u.text for u in utts], hyps)}
        for g in ("female", "male"):
            keep = [k for k, u in enumerate(utts) if an4.gender(u.speaker) == g]
            row[g] = metrics.wer([utts[k].text for k in keep], [hyps[k] for k in keep])
        row["transcripts"] = [{"id": u.id, "ref": u.text, "hyp": h} for u, h in zip(utts, hyps)]
        rows.append(row)
        print(f"{path}: WER {row['wer']:.1%} (women {row['female']:.1%}, men "
              f"{row['male']:.1%}) on {len(utts)} strings of {len({u.speaker for u in utts})} "
              "AN4 test speakers", flush=True)
    out = Path(args.out)
    kept = json.loads(out.read_text())["rows"] if out.is_file() else []
    names = {row["model"] for row in rows}
    rows = [row for row in kept if row["model"] not in names] + rows
    out.write_text(json.dumps({"strings": len(utts), "rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("throughput")
    p.add_argument("--utterances", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=2)
    p.set_defaults(run=throughput)
    p = sub.add_parser("ctc")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=10)
    p.set_defaults(run=ctc)
    p = sub.add_parser("rtf")
    p.add_argument("--model", default="data/digits_no_theo.keras")  # measured on theo
    p.add_argument("--utterances", type=int, default=50)
    p.add_argument("--beam", type=int, default=16)
    p.set_defaults(run=rtf)
    p = sub.add_parser("claims-cost")
    p.add_argument("--names", nargs="*", help="claim recipes (default: all but reruns)")
    p.add_argument("--utterances", type=int, default=512)
    p.add_argument("--out", default="data/claims/cost.json")
    p.set_defaults(run=claims_cost)
    p = sub.add_parser("scaling")
    p.add_argument("--utterances", type=int, default=256)
    p.add_argument("--machine", default="", help="a note on the machine, printed after the CPU")
    p.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--out", default="data/scaling.json")
    p.set_defaults(run=scaling)
    p = sub.add_parser("export")
    p.add_argument("--model", default="data/digits_no_theo.keras")  # measured on theo
    p.add_argument("--utterances", type=int, default=300)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out-dir", default="runs/export")
    p.add_argument("--out", default="data/export.json")
    p.set_defaults(run=export_figures)
    p = sub.add_parser("an4-digits")
    p.add_argument("--models", nargs="+", default=["data/digits_model.keras",
                                                     "data/digits_heldout.keras"])
    p.add_argument("--label", nargs=2, action="append", default=[], metavar=("MODEL", "TEXT"),
                   help="a name for a model in the table (e.g. its revision)")
    p.add_argument("--out", default="data/an4_digits.json")
    p.set_defaults(run=an4_digits)
    p = sub.add_parser("streaming")
    p.add_argument("--model", default="data/digits_streaming.keras")
    p.add_argument("--aligner", default="data/digits_heldout.keras")  # the BiLSTM, same voices
    p.add_argument("--utterances", type=int, default=1000)  # all of fold 0's: 36
    p.add_argument("--chunk-ms", type=int, nargs="+", default=[100, 200, 300])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default="data/streaming.json")
    p.set_defaults(run=streaming_figures)
    args = parser.parse_args()
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
