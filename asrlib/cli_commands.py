"""What each ``python -m asrlib`` subcommand does; the flags are in :mod:`asrlib.cli`.

Each ``cmd_*`` takes the parsed arguments and returns the exit status. Checks that name a
flag (``--budget``, ``--folds``, ``--average``…) are made here, before calling the
library, whose own errors name no flag. Heavy modules are imported inside the functions.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
from pathlib import Path

from asrlib import distribute
from asrlib.config import TrainConfig
from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig

# --- train -----------------------------------------------------------------------------------


def cmd_train(args) -> int:
    from asrlib import train

    spec = _spec(args)
    strategy = distribute.make_strategy(args.strategy)
    recipe = _train_config(args, strategy.num_replicas_in_sync)
    me = distribute.worker(strategy)
    replicas, batch = strategy.num_replicas_in_sync, recipe.batch_size
    print(f"strategy {args.strategy}: {replicas} replica(s) on {me.count} worker(s); global "
          f"batch {batch} = {batch // max(1, replicas)} per replica; learning rate "
          f"{recipe.learning_rate:g}", flush=True)
    examples, info = _examples(args, spec)
    t0 = time.perf_counter()
    model, history = train.fit(
        examples["train"], examples["val"], args.out, spec, recipe,
        backup_dir=args.resume_dir, info=info, strategy=strategy,
        drop_remainder=True if args.drop_remainder else None,
    )
    seconds = time.perf_counter() - t0
    where = args.out if me.is_chief else f"{args.out} (written by worker 0)"
    print(f"trained {len(history.epoch)} epochs in {seconds:.0f} s; best model: {where}")
    if examples.get("test"):
        result = train.evaluate_examples(model, examples["test"], spec)
        line = {"split": "test", "cer": result["cer"], "wer": result["wer"]}
        line["utterances"] = len(examples["test"])
        print(json.dumps(line))
    return 0


def _spec(args):
    """The features (with ``--data shards``: those the shards were made with) and the model."""
    from asrlib.config import Spec

    feats = FeatureConfig(kind=args.features, normalize=not args.no_normalize, fmax=args.fmax)
    if args.data == "shards":  # the features were computed by `prepare`: use its config
        from asrlib import shards

        if not (args.train_shards and args.val_shards):
            raise ValueError("--data shards needs --train-shards and --val-shards")
        feats = FeatureConfig.from_dict(shards.shard_info(args.train_shards)["feature_config"])
        if shards.shard_info(args.val_shards)["feature_config"] != feats.to_dict():
            raise ValueError(f"{args.val_shards}: made with other features than "
                             f"{args.train_shards}; prepare both with the same options")
    model = ModelConfig(
        n_features=feats.n_features, conv_layers=args.conv_layers, filters=args.filters,
        pool=not args.no_pool, lstm_layers=args.lstm_layers, units=args.units,
        bidirectional=args.bidirectional, attention=args.attention, dropout=args.dropout,
    )
    return Spec(feats, model)


def _train_config(args, replicas: int) -> TrainConfig:
    """The flags' TrainConfig; the global batch and learning rate scaled for ``replicas``."""
    batch = args.per_replica_batch * replicas if args.per_replica_batch else args.batch_size
    lr = distribute.scale_learning_rate(args.lr, batch, 32) if args.scale_lr else args.lr
    return TrainConfig(
        epochs=args.epochs, batch_size=batch, learning_rate=lr, clipnorm=args.clipnorm or None,
        patience=args.patience, seed=args.seed, time_budget=args.time_budget,
        fast_ctc=not args.slow_ctc, spec_augment=args.spec_augment, precision=args.precision,
        jit_compile=args.jit_compile,
    )


def _examples(args, spec) -> tuple[dict, dict]:
    """Examples per split (``train``: a shard folder with ``--data shards``) and the run's info."""
    from asrlib import pipeline

    examples, splits = {}, {}
    if args.data == "shards":
        from asrlib import shards

        examples["train"] = args.train_shards  # streamed from disk by train.fit
        examples["val"] = shards.load_examples(args.val_shards)
        n_train = sum(len(s["ids"]) for s in shards.shard_info(args.train_shards)["shards"])
        print(f"train: {n_train} utterances in {args.train_shards}; "
              f"val: {len(examples['val'])} in {args.val_shards}", flush=True)
    else:
        splits = load_splits(args)
    for name, utts in splits.items():
        t0 = time.perf_counter()
        examples[name], report = pipeline.make_examples(utts, spec)
        print(f"{name}: {report} [features {time.perf_counter() - t0:.1f} s]", flush=True)
    from asrlib import checkpoint

    info = checkpoint.record(args.data, "python -m asrlib " + " ".join(sys.argv[1:]),
                             {k: sorted({u.speaker for u in v}) for k, v in splits.items()})
    return examples, info


def load_splits(args) -> dict:
    """Train/validation(/test) utterances for ``--data``."""
    from asrlib import datasets

    kw = {"root": args.data_root, "download": args.download}
    if args.data == "digits":
        return datasets.digits_split(
            n_train=args.n_train, n_val=args.n_val, n_test=args.n_test, seed=args.seed,
            perturb=args.perturb, effects=tuple(args.effects), **kw
        )
    if args.data == "sentences":
        return datasets.sentences_split(test_speaker=datasets.SENTENCE_TEST_SPEAKER, **kw)
    if not (args.train_manifest and args.val_manifest):
        raise ValueError("--data manifest needs --train-manifest and --val-manifest")
    return {"train": _read_manifest(args.train_manifest)[0],
            "val": _read_manifest(args.val_manifest)[0]}


def _read_manifest(path):
    """``manifest.read``, with a warning line on stderr for each row it skipped."""
    from asrlib import manifest

    utts, problems = manifest.read(path)
    for problem in problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    return utts, problems


# --- transcribe, evaluate ----------------------------------------------------------------------


def _transcriber(args):
    from asrlib.transcriber import Transcriber

    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    decoder = args.decoder or ("beam" if args.beam > 0 else None)
    if not args.max_seconds > 0:
        raise ValueError(f"--max-seconds must be a positive number, got {args.max_seconds:g}")
    return Transcriber.from_file(args.model, decoder, args.beam or None, args.max_seconds)


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
    from asrlib import metrics

    utts, problems = _read_manifest(args.manifest)
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
        "decoder": transcriber.kind,
        "model": str(args.model),
    }
    print(json.dumps(line))
    return 0


# --- experiments: the flag checks are here, so that library errors name no flag ---------------


def _recipe(args, recipes: dict, no_limit: bool = False):
    """The recipe named by ``--recipe``, after checking it and ``--budget`` (one-line errors);
    ``no_limit``: ``--budget 0`` means no time limit."""
    if args.recipe not in recipes:
        raise ValueError(f"unknown recipe {args.recipe!r}; choose one of {sorted(recipes)}")
    if no_limit and not (0 <= args.budget < math.inf):
        raise ValueError(f"--budget must be seconds, or 0 for no limit, got {args.budget:g}")
    if not no_limit and not (0 < args.budget < math.inf):
        raise ValueError(f"--budget must be a positive number of seconds, got {args.budget:g}")
    return recipes[args.recipe]


def _say(line: str) -> None:
    print(line, flush=True)


def cmd_loso(args) -> int:
    from asrlib import datasets, loso, recipes, results

    recipe = _recipe(args, recipes.RECIPES)
    if args.n_train:
        recipe = dataclasses.replace(recipe, n_train=args.n_train)
    for speaker in args.speakers or datasets.FSDD_SPEAKERS:
        loso.fold_speakers(speaker)  # an unknown name fails before any training
    for speaker in args.speakers or datasets.FSDD_SPEAKERS:
        fold = loso.run_fold(recipe, speaker, args.out, args.budget, force=args.force)
        _say(json.dumps({"speaker": speaker, "greedy": fold.greedy, "task": fold.task,
                         "epochs": fold.epochs, "train_seconds": fold.train_seconds}))
    stored = results.load_results(args.out, recipe.name)
    print(json.dumps({"summary": results.summarize(stored)}))
    return 0


def cmd_ship(args) -> int:
    from asrlib import loso, recipes

    recipe = _recipe(args, recipes.RECIPES)
    if args.average < 1:
        raise ValueError(f"--average must be at least 1 (1 = the best epoch), got {args.average}")
    summary = loso.train_shipped(recipe, args.out, args.budget, log=_say, average=args.average)
    print(json.dumps({"model": args.out, **summary}))
    return 0


def cmd_voices(args) -> int:
    from asrlib import crossval, recipes

    recipe = _recipe(args, recipes.VOICE_RECIPES, no_limit=True)
    if args.patience is not None and args.patience < 1:
        raise ValueError(f"--patience must be at least 1 epoch, got {args.patience}")
    if args.resume_dir and not args.ship:
        raise ValueError("--resume-dir goes with --ship (each fold is cached whole instead)")
    if args.ship:
        summary = crossval.train_all_voices(recipe, args.ship, args.budget or None, log=_say,
                                            patience=args.patience, backup_dir=args.resume_dir)
        print(json.dumps({"model": args.ship, **summary}))
        return 0
    folds = args.folds if args.folds else list(range(crossval.K))
    if any(not 0 <= f < crossval.K for f in folds):
        raise ValueError(f"--folds: fold numbers are 0 to {crossval.K - 1}, got {folds}")
    if not (args.table or args.check_labels):
        for f in folds:
            crossval.run_fold(recipe, f, args.out, time_budget=args.budget or None,
                              n_speakers=args.speakers, force=args.force, log=_say,
                              patience=args.patience)
    stored = crossval.load(args.out, recipe.name, args.speakers)
    if not stored:
        raise ValueError(f"{args.out}/{recipe.name}: no stored folds yet; run without --table")
    if args.check_labels:  # every stored run's reading counts: a weak model's slips do not
        rows = crossval.check_labels(crossval.every_fold(args.out))
        path = crossval.save_label_check(rows, Path(args.out) / crossval.LABEL_CHECK)
        _say(f"{len(rows)} of the phone numbers scored disagree with their prompt: {path}")
    exclude = crossval.flagged(Path(args.out) / crossval.LABEL_CHECK)
    _say(f"{recipe.name}: {len(stored)} fold(s) stored; {len(exclude)} flagged phone numbers "
         "left out of the scores")
    _say(crossval.format_table(crossval.summarize(stored, exclude=exclude)))
    return 0


def cmd_an4(args) -> int:
    from asrlib import recipes, spelling

    if args.budget <= 0:
        raise ValueError(f"--budget must be a positive number of seconds, got {args.budget:g}")
    out = Path(args.out)
    if not args.evaluate_only:
        _, _, _, seconds = spelling.train_model(recipes.AN4, out, args.budget, args.data_root,
                                                args.download, log=_say)
        _say(f"trained in {seconds:.0f} s: {out}")
    result = spelling.evaluate(out, args.data_root, args.download, log=_say)
    table = out.with_name(f"{out.stem}.results.json")
    table.write_text(json.dumps(result, indent=1))
    _say(spelling.format_table(result))
    _say(f"per utterance and speaker: {table}")
    return 0


def cmd_claims(args) -> int:
    from asrlib import loso

    loso.run_claims(args.names, args.out, force=args.force, log=_say)
    return 0


def cmd_tune_decoder(args) -> int:
    from asrlib import protocol

    d = protocol.attach_decoder(args.model)
    print(f"saved in {args.model}: lexicon of {len(d.lm.vocab)} words, "
          f"{d.lm.order}-gram LM, alpha {d.alpha}, beta {d.beta}, beam {d.beam_width}")
    return 0


# --- tools -----------------------------------------------------------------------------------


def cmd_export(args) -> int:
    from asrlib import export, tflite

    for path in export.export_all(args.model, args.out_dir).values():
        side = tflite.sidecar_path(path)
        extra = f"  (+ {side.name})" if side.is_file() else ""
        name = f"{path}/" if path.is_dir() else str(path)
        print(f"{name}\t{export.size_bytes(path) / 1024:.1f} KB{extra}", flush=True)
    return 0


def cmd_make_manifest(args) -> int:
    from asrlib import manifest

    utts = _select(args, "test")
    path = manifest.write(utts, args.out)
    print(f"wrote {len(utts)} rows to {path}")
    return 0


def _select(args, purpose: str) -> list:
    """The utterances ``--corpus`` gives for ``purpose`` (its module decides the defaults)."""
    from asrlib import corpora

    takes = None
    if getattr(args, "takes", None):
        if args.corpus != "digits":
            raise ValueError(f"--takes chooses recordings for --corpus digits, not {args.corpus}")
        first, last = args.takes
        if not 0 <= first <= last <= 49:
            raise ValueError(f"--takes {first} {last}: FSDD recordings are numbered 0-49 "
                             "(give FIRST <= LAST)")
        takes = range(first, last + 1)
    selection = corpora.Selection(
        purpose, tuple(args.speakers) if args.speakers else None, args.subset, args.n,
        args.seed, takes, args.data_root, args.download)
    return corpora.get(args.corpus).select(selection)


def cmd_demo(args) -> int:
    from asrlib import demo

    demo.run(download=args.download)
    return 0


def cmd_prepare(args) -> int:
    from asrlib import shards

    if args.corpus != "manifest":
        utts = _select(args, "train")
    elif not args.manifest:
        raise ValueError("--corpus manifest needs --manifest PATH")
    else:
        utts = _read_manifest(args.manifest)[0]
    from asrlib.config import Spec

    feats = FeatureConfig(kind=args.features)
    report = shards.write_shards(
        utts, args.out, Spec(feats, ModelConfig(n_features=feats.n_features)),
        num_shards=args.shards, workers=args.workers, progress=sys.stderr.isatty())
    print(report, flush=True)
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} shard(s) failed; rerun the same command to retry")
    return 0
