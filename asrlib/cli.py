"""Command line: ``python -m asrlib {train,transcribe,evaluate,make-manifest} …``.

Every failure the user can cause (a bad file, manifest, model or option) ends
in one ``error: …`` line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

# Keep TensorFlow's C++ start-up chatter out of the user's terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from asrlib import runtime  # after the log level is set

SENTENCE_TEST_SPEAKER = "8226"  # LibriSpeech sample speaker held out for testing
DOWNLOAD_FLAG = {  # --download / --no-download; unset: fetch a missing corpus when it is small
    "action": argparse.BooleanOptionalAction,
    "default": None,
    "help": "fetch missing corpora from their official hosts (default: only small archives, "
    "under 500 MB; larger ones are named with their size first)",
}


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, run the command, and turn user errors into one-line messages."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        if args.command not in ("make-manifest", "prepare"):  # prepare: only when writing
            runtime.import_tensorflow_quietly()
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if os.environ.get("ASRLIB_DEBUG"):
            raise
        print(f"error: {runtime.one_line(err)}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m asrlib", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("train", help="train a model and save it as .keras")
    p.add_argument("--data", choices=["digits", "sentences", "manifest", "shards"],
                   default="digits")
    p.add_argument("--train-manifest", help="with --data manifest: JSON Lines training manifest")
    p.add_argument("--val-manifest", help="with --data manifest: JSON Lines validation manifest")
    p.add_argument("--train-shards", help="with --data shards: a folder made by `prepare`")
    p.add_argument("--val-shards", help="with --data shards: the validation folder")
    p.add_argument("--data-root", help="local corpus folder (default: $ASRLIB_DATA or download)")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.add_argument("--out", required=True, help="where to save the model (.keras)")
    p.add_argument("--n-train", type=int, default=4000, help="connected-digit strings to train on")
    p.add_argument("--n-val", type=int, default=200, help="digits: validation strings")
    p.add_argument("--n-test", type=int, default=300, help="digits: test strings (0: no test)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--patience", type=int, default=6)
    p.add_argument("--clipnorm", type=float, default=5.0,
                   help="clip each gradient to this norm (0: no clipping)")
    p.add_argument("--time-budget", type=float, help="stop after this many seconds of training")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume-dir", help="folder for BackupAndRestore: rerun to resume")
    p.add_argument("--perturb", action="store_true", help="digits: speed/loudness perturbation")
    p.add_argument("--spec-augment", action="store_true", help="SpecAugment masks in training")
    p.add_argument("--effects", nargs="*", default=[], metavar="EFFECT",
                   help="digits: whole-string effects, any of pitch eq reverb noise")
    p.add_argument("--slow-ctc", action="store_true", help="keras.ops.ctc_loss instead of tf.nn")
    p.add_argument("--features", choices=["mfcc", "logmel"], default="mfcc")
    p.add_argument("--no-normalize", action="store_true", help="skip per-utterance CMVN")
    p.add_argument("--fmax", type=float, help="highest mel frequency in Hz (default: 8000)")
    p.add_argument("--conv-layers", type=int, default=1)
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--no-pool", action="store_true")
    p.add_argument("--lstm-layers", type=int, default=1)
    p.add_argument("--units", type=int, default=128)
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--attention", action="store_true", help="self-attention after the LSTM")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--strategy", choices=["default", "mirrored", "multiworker"],
                   default="default", help="tf.distribute strategy (multiworker reads TF_CONFIG)")
    p.add_argument("--per-replica-batch", type=int,
                   help="batch per replica; the global batch is this times the replicas "
                   "(overrides --batch-size)")
    p.add_argument("--scale-lr", action="store_true",
                   help="scale --lr linearly with the global batch (relative to 32)")
    p.add_argument("--drop-remainder", action="store_true",
                   help="full batches only (automatic with more than one replica)")
    p.add_argument("--precision", choices=["float32", "mixed_float16", "mixed_bfloat16"],
                   default="float32", help="mixed precision policy (the loss stays float32)")
    p.add_argument("--jit-compile", action="store_true", help="XLA-compile the training step")
    p.set_defaults(run=cmd_train)

    for name, helptext in (
        ("transcribe", "print one transcript per audio file"),
        ("evaluate", "WER/CER/RTF on a JSON Lines manifest"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--model", required=True, help="a .keras model saved by asrlib")
        p.add_argument(
            "--decoder",
            choices=["greedy", "beam", "keras_beam", "task"],
            help="default: the model's own task decoder if it has one (the digits model does), "
            "else greedy; --beam N alone selects beam",
        )
        p.add_argument("--beam", type=int, default=0, help="beam width (with --decoder task too)")
        p.add_argument("--threads", type=int, default=0, help="CPU threads (0: all)")
        if name == "transcribe":
            p.add_argument("files", nargs="+")
            p.set_defaults(run=cmd_transcribe)
        else:
            p.add_argument("--manifest", required=True)
            p.add_argument("--show", type=int, default=0, help="print N reference/hypothesis pairs")
            p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("loso", help="leave-one-speaker-out over the six FSDD speakers")
    p.add_argument("--recipe", required=True, help="a recipe name from asrlib.experiments.RECIPES")
    p.add_argument("--budget", type=float, default=600, help="training seconds per fold")
    p.add_argument("--speakers", nargs="*", help="test speakers (default: all six)")
    p.add_argument("--n-train", type=int, help="training strings per fold (default: the recipe's)")
    p.add_argument("--out", default="data/loso", help="results folder (cached: reruns skip)")
    p.add_argument("--force", action="store_true", help="retrain folds that have results")
    p.set_defaults(run=cmd_loso)

    p = sub.add_parser("ship", help="train the shipped digits model: a recipe on all six "
                       "FSDD speakers (validated on their recordings 0-4)")
    p.add_argument("--recipe", required=True, help="a recipe name from asrlib.experiments.RECIPES")
    p.add_argument("--budget", type=float, default=900, help="training seconds")
    p.add_argument("--out", default="runs/digits_model.keras",
                   help="where to save it (data/digits_model.keras replaces the shipped one)")
    p.add_argument("--average", type=int, default=3,
                   help="save the mean of the last N epochs' weights (checkpoint averaging; "
                   "default 3, as measured under LOSO); 1 saves the best epoch")
    p.set_defaults(run=cmd_ship)

    p = sub.add_parser("voices", help="speaker-grouped cross-validation over the ~120 pooled "
                       "digit voices (cached per fold), its table, label check and shipping")
    p.add_argument("--recipe", default="voices", help="a recipe from asrlib.crossval.RECIPES")
    p.add_argument("--folds", nargs="*", type=int, help="fold numbers (default: all five)")
    p.add_argument("--speakers", type=int, help="train on only N of each fold's training voices "
                   "(a learning-curve point)")
    p.add_argument("--budget", type=float, default=360, help="training seconds per fold")
    p.add_argument("--out", default="data/voices", help="results folder (cached: reruns skip)")
    p.add_argument("--force", action="store_true", help="retrain folds that have results")
    p.add_argument("--table", action="store_true", help="only print the stored results' table")
    p.add_argument("--check-labels", action="store_true", help="list the phone numbers whose "
                   "audio disagrees with their prompt (from the stored folds) in "
                   "<out>/label_check.tsv")
    p.add_argument("--ship", metavar="MODEL", help="instead: train the recipe on every voice "
                   "into MODEL (data/digits_model.keras replaces the shipped one)")
    p.set_defaults(run=cmd_voices)

    p = sub.add_parser("claims", help="train the seed's claim variants on one fold (notebook 07)")
    p.add_argument("--names", nargs="*", help="claim recipes (default: all, in order)")
    p.add_argument("--out", default="data/claims", help="results folder (cached: reruns skip)")
    p.add_argument("--force", action="store_true", help="retrain claims that have results")
    p.set_defaults(run=cmd_claims)

    p = sub.add_parser("tune-decoder", help="save a tuned digit-word LM decoder in a digits model")
    p.add_argument("--model", required=True, help="a digits .keras model saved by asrlib")
    p.set_defaults(run=cmd_tune_decoder)

    p = sub.add_parser("export", help="write a model as SavedModel, TFLite and int8 TFLite")
    p.add_argument("--model", required=True, help="a .keras model saved by asrlib")
    p.add_argument("--out-dir", required=True, help="folder for the exported files")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("make-manifest", help="write a JSON Lines manifest (and WAVs) for a split")
    p.add_argument("--corpus", choices=["digits", "fsdd", "librispeech", "ljspeech"], required=True)
    p.add_argument("--speakers", nargs="*", help="speakers to include (default: the test speaker)")
    p.add_argument("--subset", default="sample", help="LibriSpeech subset folder")
    p.add_argument("--n", type=int, default=300, help="connected-digit strings to make")
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--takes", type=int, nargs=2, metavar=("FIRST", "LAST"),
                   help="digits: only FSDD recordings FIRST..LAST (0-49) of each digit, e.g. "
                   "0 4: the takes the shipped model never trained on")
    p.add_argument("--data-root")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.add_argument("--out", required=True, help="manifest path (.jsonl)")
    p.set_defaults(run=cmd_make_manifest)

    p = sub.add_parser("demo", help="transcribe the shipped clips (and theo's strings when FSDD "
                       "is here or can be downloaded) and print the WERs")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("prepare", help="compute features once into sharded TFRecord files")
    p.add_argument("--corpus", choices=["digits", "fsdd", "librispeech", "ljspeech", "manifest"],
                   required=True)
    p.add_argument("--n", type=int, default=4000, help="digits: connected-digit strings to make")
    p.add_argument("--speakers", nargs="*",
                   help="speakers to include (default: digits the training speakers, else all)")
    p.add_argument("--seed", type=int, default=0, help="digits: which strings")
    p.add_argument("--subset", default="sample", help="LibriSpeech subset folder")
    p.add_argument("--manifest", help="with --corpus manifest: a JSON Lines manifest")
    p.add_argument("--data-root", help="local corpus folder (default: $ASRLIB_DATA or download)")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.add_argument("--out", required=True, help="folder for the shards (reruns resume)")
    p.add_argument("--shards", type=int, help="number of shards (default: by size)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="feature processes (default: one per CPU)")
    p.add_argument("--features", choices=["mfcc", "logmel"], default="mfcc")
    p.set_defaults(run=cmd_prepare)
    return parser


# --- commands --------------------------------------------------------------------------------


def cmd_train(args) -> int:
    from asrlib import distribute, pipeline, train
    from asrlib.features import FeatureConfig
    from asrlib.model import ModelConfig
    from asrlib.text import Alphabet

    feats = FeatureConfig(kind=args.features, normalize=not args.no_normalize, fmax=args.fmax)
    if args.data == "shards":  # the features were computed by `prepare`: use its config
        from asrlib import shards

        if not (args.train_shards and args.val_shards):
            raise ValueError("--data shards needs --train-shards and --val-shards")
        feats = FeatureConfig.from_dict(shards.shard_info(args.train_shards)["feature_config"])
        if shards.shard_info(args.val_shards)["feature_config"] != feats.to_dict():
            raise ValueError(f"{args.val_shards}: made with other features than "
                             f"{args.train_shards}; prepare both with the same options")
    config = ModelConfig(
        n_features=feats.n_features,
        conv_layers=args.conv_layers,
        filters=args.filters,
        pool=not args.no_pool,
        lstm_layers=args.lstm_layers,
        units=args.units,
        bidirectional=args.bidirectional,
        attention=args.attention,
        dropout=args.dropout,
    )
    strategy = distribute.make_strategy(args.strategy)
    replicas = strategy.num_replicas_in_sync
    batch = args.per_replica_batch * replicas if args.per_replica_batch else args.batch_size
    lr = distribute.scale_learning_rate(args.lr, batch, 32) if args.scale_lr else args.lr
    me = distribute.worker(strategy)
    print(f"strategy {args.strategy}: {replicas} replica(s) on {me.count} worker(s); global "
          f"batch {batch} = {batch // max(1, replicas)} per replica; learning rate {lr:g}",
          flush=True)
    recipe = train.TrainConfig(
        epochs=args.epochs,
        batch_size=batch,
        learning_rate=lr,
        clipnorm=args.clipnorm or None,
        patience=args.patience,
        seed=args.seed,
        time_budget=args.time_budget,
        fast_ctc=not args.slow_ctc,
        spec_augment=args.spec_augment,
        precision=args.precision,
        jit_compile=args.jit_compile,
    )
    alphabet = Alphabet()
    splits = load_splits(args) if args.data != "shards" else {}
    examples = {}
    if args.data == "shards":
        examples["train"] = args.train_shards  # streamed from disk by train.fit
        examples["val"] = shards.load_examples(args.val_shards)
        n_train = sum(len(s["ids"]) for s in shards.shard_info(args.train_shards)["shards"])
        print(f"train: {n_train} utterances in {args.train_shards}; "
              f"val: {len(examples['val'])} in {args.val_shards}", flush=True)
    for name, utts in splits.items():
        t0 = time.perf_counter()
        examples[name], report = pipeline.prepare(utts, feats, alphabet, config)
        print(f"{name}: {report} [features {time.perf_counter() - t0:.1f} s]", flush=True)
    info = {
        "data": args.data,
        "command": "python -m asrlib " + " ".join(sys.argv[1:]),
        "speakers": {k: sorted({u.speaker for u in v}) for k, v in splits.items()},
    }
    t0 = time.perf_counter()
    model, history = train.fit(
        examples["train"],
        examples["val"],
        args.out,
        feats,
        config,
        alphabet,
        recipe,
        backup_dir=args.resume_dir,
        info=info,
        strategy=strategy,
        drop_remainder=True if args.drop_remainder else None,
    )
    seconds = time.perf_counter() - t0
    where = args.out if me.is_chief else f"{args.out} (written by worker 0)"
    print(f"trained {len(history.epoch)} epochs in {seconds:.0f} s; best model: {where}")
    if examples.get("test"):
        result = train.evaluate_examples(model, examples["test"], config, alphabet)
        line = {"split": "test", "cer": result["cer"], "wer": result["wer"]}
        line["utterances"] = len(examples["test"])
        print(json.dumps(line))
    return 0


def load_splits(args) -> dict:
    """Train/validation(/test) utterances for ``--data``."""
    from asrlib import datasets

    kw = {"root": args.data_root, "download": args.download}
    if args.data == "digits":
        return datasets.digits_split(
            n_train=args.n_train, n_val=args.n_val, n_test=args.n_test, seed=args.seed,
            perturb=args.perturb,
            effects=tuple(args.effects), **kw
        )
    if args.data == "sentences":
        return datasets.sentences_split(test_speaker=SENTENCE_TEST_SPEAKER, seed=args.seed, **kw)
    if not (args.train_manifest and args.val_manifest):
        raise ValueError("--data manifest needs --train-manifest and --val-manifest")
    splits = {}
    for name, path in (("train", args.train_manifest), ("val", args.val_manifest)):
        utts, problems = datasets.read_manifest(path)
        for problem in problems:
            print(f"warning: skipped {problem}", file=sys.stderr)
        splits[name] = utts
    return splits


def _transcriber(args):
    from asrlib.transcriber import Transcriber

    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    decoder = args.decoder or ("beam" if args.beam > 0 else None)
    return Transcriber.from_file(args.model, decoder, args.beam or None)


def cmd_transcribe(args) -> int:
    transcriber = _transcriber(args)
    failed = 0
    for path in args.files:
        result = transcriber.transcribe_file(path)
        if result.ok:
            note = f"  ({result.note})" if result.note else ""
            print(f"{path}\t{result.text}{note}", flush=True)
        else:
            failed += 1
            print(f"error: {result.error}", file=sys.stderr, flush=True)
    return 1 if failed else 0


def cmd_evaluate(args) -> int:
    from asrlib import datasets, metrics

    utts, problems = datasets.read_manifest(args.manifest)
    for problem in problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    if not utts:
        raise ValueError(f"{args.manifest}: no usable rows")
    transcriber = _transcriber(args)
    refs, hyps, audio_s, compute_s, failed = [], [], 0.0, 0.0, 0
    for u in utts:
        result = transcriber.transcribe_file(u.path)
        if not result.ok:
            failed += 1
            print(f"warning: skipped {result.error}", file=sys.stderr)
            continue
        refs.append(transcriber.bundle.alphabet.normalize(u.text))
        hyps.append(result.text)
        audio_s += result.audio_seconds
        compute_s += result.compute_seconds
    for ref, hyp in list(zip(refs, hyps))[: args.show]:
        print(f"REF: {ref}\nHYP: {hyp}")
    if not refs:
        raise ValueError(f"{args.manifest}: none of the {len(utts)} audio files could be read")
    line = {
        "wer": round(metrics.wer(refs, hyps), 4),
        "cer": round(metrics.cer(refs, hyps), 4),
        "utterances": len(refs),
        "skipped": failed + len(problems),
        "audio_seconds": round(audio_s, 2),
        "rtf": round(compute_s / audio_s, 4) if audio_s else None,
        "decoder": transcriber.decoder,
        "model": str(args.model),
    }
    print(json.dumps(line))
    return 0


def _recipe(args):
    """The recipe named by ``--recipe``, after checking it and ``--budget`` (one-line errors)."""
    from asrlib import experiments

    if args.recipe not in experiments.RECIPES:
        raise ValueError(
            f"unknown recipe {args.recipe!r}; choose one of {sorted(experiments.RECIPES)}"
        )
    if args.budget <= 0:
        raise ValueError(f"--budget must be a positive number of seconds, got {args.budget:g}")
    return experiments.RECIPES[args.recipe]


def cmd_loso(args) -> int:
    from dataclasses import replace

    from asrlib import datasets, experiments

    recipe = _recipe(args)
    if args.n_train:
        recipe = replace(recipe, n_train=args.n_train)
    for speaker in args.speakers or datasets.FSDD_SPEAKERS:
        experiments.fold_speakers(speaker)  # an unknown name fails before any training
    for speaker in args.speakers or datasets.FSDD_SPEAKERS:
        fold = experiments.run_fold(recipe, speaker, args.out, args.budget, force=args.force)
        print(json.dumps({"speaker": speaker, "greedy": fold.greedy, "task": fold.task,
                          "epochs": fold.epochs, "train_seconds": fold.train_seconds}),
              flush=True)
    results = experiments.load_results(args.out, recipe.name)
    print(json.dumps({"summary": experiments.summarize(results)}))
    return 0


def cmd_ship(args) -> int:
    from asrlib import experiments

    summary = experiments.train_shipped(_recipe(args), args.out, args.budget,
                                        log=lambda line: print(line, flush=True),
                                        average=args.average)
    print(json.dumps({"model": args.out, **summary}))
    return 0


def cmd_voices(args) -> int:
    from asrlib import crossval

    if args.recipe not in crossval.RECIPES:
        raise ValueError(f"unknown recipe {args.recipe!r}; choose one of "
                         f"{sorted(crossval.RECIPES)}")
    if args.budget <= 0:
        raise ValueError(f"--budget must be a positive number of seconds, got {args.budget:g}")
    recipe, say = crossval.RECIPES[args.recipe], (lambda line: print(line, flush=True))
    if args.ship:
        summary = crossval.train_all_voices(recipe, args.ship, args.budget, log=say)
        print(json.dumps({"model": args.ship, **summary}))
        return 0
    folds = args.folds if args.folds else list(range(crossval.K))
    if any(not 0 <= f < crossval.K for f in folds):
        raise ValueError(f"--folds: fold numbers are 0 to {crossval.K - 1}, got {folds}")
    if not (args.table or args.check_labels):
        for f in folds:
            crossval.run_fold(recipe, f, args.out, time_budget=args.budget,
                              n_speakers=args.speakers, force=args.force, log=say)
    stored = crossval.load(args.out, recipe.name, args.speakers)
    if not stored:
        raise ValueError(f"{args.out}/{recipe.name}: no stored folds yet; run without --table")
    if args.check_labels:
        rows = crossval.check_labels(stored)
        path = crossval.save_label_check(rows, Path(args.out) / crossval.LABEL_CHECK)
        say(f"{len(rows)} of the phone numbers scored disagree with their prompt: {path}")
    exclude = crossval.flagged(Path(args.out) / crossval.LABEL_CHECK)
    say(f"{recipe.name}: {len(stored)} fold(s) stored; {len(exclude)} flagged phone numbers "
        "left out of the scores")
    say(crossval.format_table(crossval.summarize(stored, exclude=exclude)))
    return 0


def cmd_claims(args) -> int:
    from asrlib import experiments

    experiments.run_claims(args.names, args.out, force=args.force,
                           log=lambda line: print(line, flush=True))
    return 0


def cmd_tune_decoder(args) -> int:
    from asrlib import experiments

    decoder = experiments.attach_task_decoder(args.model)
    c = decoder.config
    print(f"saved in {args.model}: lexicon of {len(decoder.lm.vocab)} words, "
          f"{decoder.lm.order}-gram LM, alpha {c.alpha}, beta {c.beta}, beam {c.beam_width}")
    return 0


def cmd_export(args) -> int:
    from asrlib import export

    for path in export.export_all(args.model, args.out_dir).values():
        side = export.sidecar_path(path)
        extra = f"  (+ {side.name})" if side.is_file() else ""
        name = f"{path}/" if path.is_dir() else str(path)
        print(f"{name}\t{export.size_bytes(path) / 1024:.1f} KB{extra}", flush=True)
    return 0


def cmd_make_manifest(args) -> int:
    from asrlib import datasets

    kw = {"root": args.data_root, "download": args.download}
    if args.takes and args.corpus != "digits":
        raise ValueError(f"--takes chooses recordings for --corpus digits, not {args.corpus}")
    if args.corpus == "digits":
        speakers = args.speakers or [datasets.DIGITS_TEST_SPEAKER]
        takes = None
        if args.takes:
            first, last = args.takes
            if not 0 <= first <= last <= 49:
                raise ValueError(f"--takes {first} {last}: FSDD recordings are numbered 0-49 "
                                 "(give FIRST <= LAST)")
            takes = range(first, last + 1)
        utts = datasets.connected_digits(args.n, speakers, seed=args.seed, takes=takes, **kw)
    elif args.corpus == "fsdd":
        speakers = args.speakers or [datasets.DIGITS_TEST_SPEAKER]
        utts = datasets.fsdd(speakers=set(speakers), **kw)
    elif args.corpus == "librispeech":
        speakers = args.speakers or [SENTENCE_TEST_SPEAKER]
        utts = datasets.librispeech(args.subset, speakers=set(speakers), **kw)
    else:
        utts = datasets.ljspeech(**kw)
    path = datasets.write_manifest(utts, args.out)
    print(f"wrote {len(utts)} rows to {path}")
    return 0


def cmd_demo(args) -> int:
    from asrlib import demo

    demo.run(download=args.download)
    return 0


def cmd_prepare(args) -> int:
    from asrlib import datasets, shards
    from asrlib.features import FeatureConfig
    from asrlib.model import ModelConfig

    kw = {"root": args.data_root, "download": args.download}
    speakers = set(args.speakers) if args.speakers else None
    if args.corpus == "digits":
        train_speakers = [s for s in datasets.FSDD_SPEAKERS
                          if s not in (datasets.DIGITS_TEST_SPEAKER, datasets.DIGITS_VAL_SPEAKER)]
        utts = datasets.connected_digits(args.n, args.speakers or train_speakers,
                                         seed=args.seed, **kw)
    elif args.corpus == "fsdd":
        utts = datasets.fsdd(speakers=speakers, **kw)
    elif args.corpus == "librispeech":
        utts = datasets.librispeech(args.subset, speakers=speakers, **kw)
    elif args.corpus == "ljspeech":
        utts = datasets.ljspeech(**kw)
    else:
        if not args.manifest:
            raise ValueError("--corpus manifest needs --manifest PATH")
        utts, problems = datasets.read_manifest(args.manifest)
        for problem in problems:
            print(f"warning: skipped {problem}", file=sys.stderr)
    feats = FeatureConfig(kind=args.features)
    report = shards.prepare_shards(
        utts, args.out, feats, model_config=ModelConfig(n_features=feats.n_features),
        num_shards=args.shards, workers=args.workers, progress=sys.stderr.isatty(),
    )
    print(report, flush=True)
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} shard(s) failed; rerun the same command to retry")
    return 0
