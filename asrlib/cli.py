"""Command line: ``python -m asrlib {train,transcribe,evaluate,make-manifest} …``.

Every failure the user can cause (a bad file, manifest, model or option) ends
in one ``error: …`` line on stderr and a non-zero exit, never a traceback.
The flags are here (defaults and choices read from the library's configs); what
each command does is in :mod:`asrlib.cli_commands`.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys

# Keep TensorFlow's C++ start-up chatter out of the user's terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# after the log level is set; none of these imports TensorFlow, so --help stays quick
from asrlib import audio, cli_commands, corpora, decoding, distribute, features, files
from asrlib.config import PRECISIONS, TrainConfig
from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig

SUBSET_HELP = ("a part of the corpus: a LibriSpeech subset folder (default: the series' sample), "
               "an AN4 split (train or test)")
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
            files.import_tensorflow_quietly()
        _resolve_later(args)
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if os.environ.get("ASRLIB_DEBUG"):
            raise
        print(f"error: {files.one_line(err, command_line=True)}", file=sys.stderr)
        return 2


# --- the parser: one function per subcommand (or pair), in the order --help lists them ------


def _default(cls, name: str):
    """The default of dataclass ``cls``'s field ``name``: the library's, never restated here."""
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


class _Later:
    """A default kept in an experiment module (``asrlib.crossval``, …): read by :func:`main`
    after parsing, so that ``--help`` imports neither it nor what it imports."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self):
        return getattr(importlib.import_module(f"asrlib.{self.module}"), self.name)


def _resolve_later(args) -> None:
    for key, value in vars(args).items():
        if isinstance(value, _Later):
            setattr(args, key, value())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m asrlib", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    for add in (_add_train, _add_transcribe_evaluate, _add_loso_ship, _add_voices, _add_an4,
                _add_claims_tune_export, _add_make_manifest_demo, _add_prepare):
        add(sub)
    return parser


def _add_train(sub) -> None:
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
    _add_train_recipe(p)
    _add_train_model(p)
    _add_train_devices(p)
    p.set_defaults(run=cli_commands.cmd_train)


def _add_train_recipe(p) -> None:
    """The TrainConfig flags (and the data's augmentation), defaults from TrainConfig."""
    p.add_argument("--epochs", type=int, default=_default(TrainConfig, "epochs"))
    p.add_argument("--batch-size", type=int, default=_default(TrainConfig, "batch_size"))
    p.add_argument("--lr", type=float, default=_default(TrainConfig, "learning_rate"))
    p.add_argument("--patience", type=int, default=_default(TrainConfig, "patience"))
    p.add_argument("--clipnorm", type=float, default=_default(TrainConfig, "clipnorm"),
                   help="clip each gradient to this norm (0: no clipping)")
    p.add_argument("--time-budget", type=float, help="stop after this many seconds of training")
    p.add_argument("--seed", type=int, default=_default(TrainConfig, "seed"))
    p.add_argument("--resume-dir", help="folder for BackupAndRestore: rerun to resume")
    p.add_argument("--perturb", action="store_true", help="digits: speed/loudness perturbation")
    p.add_argument("--spec-augment", action="store_true", help="SpecAugment masks in training")
    p.add_argument("--effects", nargs="*", default=[], metavar="EFFECT",
                   help="digits: whole-string effects, any of pitch eq reverb noise")
    p.add_argument("--slow-ctc", action="store_true", help="keras.ops.ctc_loss instead of tf.nn")


def _add_train_model(p) -> None:
    """The FeatureConfig and ModelConfig flags, defaults from those classes."""
    p.add_argument("--features", choices=features.KINDS, default=_default(FeatureConfig, "kind"))
    p.add_argument("--no-normalize", action="store_true", help="skip per-utterance CMVN")
    p.add_argument("--fmax", type=float, help="highest mel frequency in Hz (default: 8000)")
    p.add_argument("--conv-layers", type=int, default=_default(ModelConfig, "conv_layers"))
    p.add_argument("--filters", type=int, default=_default(ModelConfig, "filters"))
    p.add_argument("--no-pool", action="store_true")
    p.add_argument("--lstm-layers", type=int, default=_default(ModelConfig, "lstm_layers"))
    p.add_argument("--units", type=int, default=_default(ModelConfig, "units"))
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--attention", action="store_true", help="self-attention after the LSTM")
    p.add_argument("--dropout", type=float, default=_default(ModelConfig, "dropout"))


def _add_train_devices(p) -> None:
    p.add_argument("--strategy", choices=distribute.STRATEGIES, default="default",
                   help="tf.distribute strategy (multiworker reads TF_CONFIG)")
    p.add_argument("--per-replica-batch", type=int,
                   help="batch per replica; the global batch is this times the replicas "
                   "(overrides --batch-size)")
    p.add_argument("--scale-lr", action="store_true",
                   help="scale --lr linearly with the global batch (relative to 32)")
    p.add_argument("--drop-remainder", action="store_true",
                   help="full batches only (automatic with more than one replica)")
    p.add_argument("--precision", choices=PRECISIONS, default=_default(TrainConfig, "precision"),
                   help="mixed precision policy (the loss stays float32)")
    p.add_argument("--jit-compile", action="store_true", help="XLA-compile the training step")


def _add_transcribe_evaluate(sub) -> None:
    for name, helptext in (
        ("transcribe", "print one transcript per audio file"),
        ("evaluate", "WER/CER/RTF on a JSON Lines manifest"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--model", required=True, help="a .keras model saved by asrlib")
        p.add_argument(
            "--decoder",
            choices=decoding.KINDS,
            help="default: the model's own (the digits model's is a lexicon of digit words with "
            "an LM); --beam N alone selects beam",
        )
        p.add_argument("--beam", type=int, default=0, help="beam width (any decoder but greedy)")
        p.add_argument("--threads", type=int, default=0, help="CPU threads (0: all)")
        p.add_argument("--max-seconds", type=float, default=audio.MAX_SECONDS,
                       help="longest audio file accepted, in seconds (default: %(default)g)")
        if name == "transcribe":
            p.add_argument("files", nargs="+")
            p.set_defaults(run=cli_commands.cmd_transcribe)
        else:
            p.add_argument("--manifest", required=True)
            p.add_argument("--show", type=int, default=0, help="print N reference/hypothesis pairs")
            p.set_defaults(run=cli_commands.cmd_evaluate)


def _add_loso_ship(sub) -> None:
    p = sub.add_parser("loso", help="leave-one-speaker-out over the six FSDD speakers")
    p.add_argument("--recipe", required=True, help="a recipe name from asrlib.recipes.RECIPES")
    p.add_argument("--budget", type=float, default=600, help="training seconds per fold")
    p.add_argument("--speakers", nargs="*", help="test speakers (default: all six)")
    p.add_argument("--n-train", type=int, help="training strings per fold (default: the recipe's)")
    p.add_argument("--out", default="data/loso", help="results folder (cached: reruns skip)")
    p.add_argument("--force", action="store_true", help="retrain folds that have results")
    p.set_defaults(run=cli_commands.cmd_loso)

    p = sub.add_parser("ship", help="train the shipped digits model: a recipe on all six "
                       "FSDD speakers (validated on their recordings 0-4)")
    p.add_argument("--recipe", required=True, help="a recipe name from asrlib.recipes.RECIPES")
    p.add_argument("--budget", type=float, default=900, help="training seconds")
    p.add_argument("--out", default="runs/digits_model.keras",
                   help="where to save it (data/digits_model.keras replaces the shipped one)")
    p.add_argument("--average", type=int, default=_Later("protocol", "AVERAGE_LAST"),
                   help="save the mean of the last N epochs' weights (checkpoint averaging; "
                   "default 3, as measured under LOSO); 1 saves the best epoch")
    p.set_defaults(run=cli_commands.cmd_ship)


def _add_voices(sub) -> None:
    p = sub.add_parser("voices", help="speaker-grouped cross-validation over the 198 pooled "
                       "digit voices (cached per fold), its table, label check and shipping")
    p.add_argument("--recipe", default="voices", help="a recipe from asrlib.recipes.VOICE_RECIPES")
    p.add_argument("--folds", nargs="*", type=int, help="fold numbers (default: all five)")
    p.add_argument("--speakers", type=int, help="train on only N of each fold's training voices "
                   "(a learning-curve point)")
    p.add_argument("--budget", type=float, default=_Later("crossval", "BUDGET"),
                   help="training seconds per fold (0: no limit, train until validation stops "
                   "improving)")
    p.add_argument("--patience", type=int, help="stop after N epochs without a better "
                   "validation CER (default: the recipe's, 15)")
    p.add_argument("--resume-dir", help="with --ship: a folder to back the run up in; rerun "
                   "the same command to resume after a kill")
    p.add_argument("--out", default=_Later("crossval", "OUT"),
                   help="results folder (cached: reruns skip)")
    p.add_argument("--force", action="store_true", help="retrain folds that have results")
    p.add_argument("--table", action="store_true", help="only print the stored results' table")
    p.add_argument("--check-labels", action="store_true", help="list the phone numbers and AN4 "
                   "strings whose audio disagrees with their label (read by every stored fold "
                   "under --out that never heard the speaker) in <out>/label_check.tsv")
    p.add_argument("--ship", metavar="MODEL", help="instead: train the recipe on every voice "
                   "into MODEL (data/digits_model.keras replaces the shipped one)")
    p.set_defaults(run=cli_commands.cmd_voices)


def _add_an4(sub) -> None:
    p = sub.add_parser("an4", help="train the AN4 spelling model (letters, digits, number words, "
                       "commands), tune its decoders on held-out training speakers and score "
                       "AN4's test split")
    p.add_argument("--out", default="runs/an4_model.keras",
                   help="the model (data/an4_model.keras replaces the shipped one); the test "
                   "table goes beside it as <name>.results.json")
    p.add_argument("--budget", type=float, default=1800, help="training seconds")
    p.add_argument("--evaluate-only", action="store_true",
                   help="do not train: tune the decoders of the model in --out and score it")
    p.add_argument("--data-root", help="local corpus folder (default: $ASRLIB_DATA or download)")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.set_defaults(run=cli_commands.cmd_an4)


def _add_claims_tune_export(sub) -> None:
    p = sub.add_parser("claims", help="train the seed's claim variants on one fold (notebook 11)")
    p.add_argument("--names", nargs="*", help="claim recipes (default: all, in order)")
    p.add_argument("--out", default="data/claims", help="results folder (cached: reruns skip)")
    p.add_argument("--force", action="store_true", help="retrain claims that have results")
    p.set_defaults(run=cli_commands.cmd_claims)

    p = sub.add_parser("tune-decoder", help="save a tuned digit-word LM decoder in a digits model")
    p.add_argument("--model", required=True, help="a digits .keras model saved by asrlib")
    p.set_defaults(run=cli_commands.cmd_tune_decoder)

    p = sub.add_parser("export", help="write a model as SavedModel, TFLite and int8 TFLite")
    p.add_argument("--model", required=True, help="a .keras model saved by asrlib")
    p.add_argument("--out-dir", required=True, help="folder for the exported files")
    p.set_defaults(run=cli_commands.cmd_export)


def _add_make_manifest_demo(sub) -> None:
    p = sub.add_parser("make-manifest", help="write a JSON Lines manifest (and WAVs) for a split")
    p.add_argument("--corpus", choices=corpora.selectable(), required=True)
    p.add_argument("--speakers", nargs="*", help="speakers to include (default: the test speaker "
                   "or split)")
    p.add_argument("--subset", help=SUBSET_HELP)
    p.add_argument("--n", type=int, default=300, help="connected-digit strings to make")
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--takes", type=int, nargs=2, metavar=("FIRST", "LAST"),
                   help="digits: only FSDD recordings FIRST..LAST (0-49) of each digit, e.g. "
                   "0 4: the takes the shipped model never trained on")
    p.add_argument("--data-root")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.add_argument("--out", required=True, help="manifest path (.jsonl)")
    p.set_defaults(run=cli_commands.cmd_make_manifest)

    p = sub.add_parser("demo", help="transcribe the shipped clips (and theo's strings when FSDD "
                       "is here or can be downloaded) and print the WERs")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.set_defaults(run=cli_commands.cmd_demo)


def _add_prepare(sub) -> None:
    p = sub.add_parser("prepare", help="compute features once into sharded TFRecord files")
    p.add_argument("--corpus", choices=(*corpora.selectable(), "manifest"), required=True)
    p.add_argument("--n", type=int, default=4000, help="digits: connected-digit strings to make")
    p.add_argument("--speakers", nargs="*",
                   help="speakers to include (default: digits the training speakers, else all)")
    p.add_argument("--seed", type=int, default=0, help="digits: which strings")
    p.add_argument("--subset", help=SUBSET_HELP)
    p.add_argument("--manifest", help="with --corpus manifest: a JSON Lines manifest")
    p.add_argument("--data-root", help="local corpus folder (default: $ASRLIB_DATA or download)")
    p.add_argument("--download", **DOWNLOAD_FLAG)
    p.add_argument("--out", required=True, help="folder for the shards (reruns resume)")
    p.add_argument("--shards", type=int, help="number of shards (default: by size)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="feature processes (default: one per CPU)")
    p.add_argument("--features", choices=features.KINDS, default=_default(FeatureConfig, "kind"))
    p.set_defaults(run=cli_commands.cmd_prepare)
