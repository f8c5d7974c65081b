"""Protocol: what every experiment does with one recipe and one split.

One outline serves the leave-one-speaker-out folds (:mod:`asrlib.loso`), the shipped
models and the many-voice folds (:mod:`asrlib.crossval`):

1. :func:`make_split_examples`: features and labels of every split, once.
2. :func:`train_recipe`: train under a time budget, keeping the best epoch (validation CER)
   and the weights of the last epochs; tune a lexicon decoder (:class:`asrlib.lm.
   LexiconDecoder`: the digit words and a bigram LM) on validation for the best epoch and
   for the mean of the last epochs' weights (checkpoint averaging); write the model file
   once, with its decoder in its spec and the validation scores of the weights it holds.
3. :func:`transcribe`: greedy letters and lexicon-decoder words for the test examples, and
   :func:`scores` turns them into WER and CER.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from asrlib import checkpoint, datasets, metrics
from asrlib.decoding import greedy
from asrlib.lm import LexiconDecoder
from asrlib.model import predict_probs
from asrlib.text import Alphabet

N_VAL, N_TEST = 200, 300  # connected-digit strings per LOSO fold: validation and test speaker
N_TUNE = 100  # validation strings used to tune the lexicon decoder's alpha and beta
AVERAGE_LAST = 3  # checkpoint averaging: the mean of the last 3 epochs' weights
# A model trained on every FSDD voice has no voice left to validate on: its best epoch and its
# decoder are chosen on FSDD's own held-back recordings (takes 0-4 of every digit and
# speaker), which its training strings never use.
SHIPPED_VAL_TAKES = range(5)
SHIPPED_TRAIN_TAKES = range(5, 50)


def make_split_examples(recipe, splits: dict,
                        alphabet: Alphabet = Alphabet()) -> tuple[dict, int, float]:
    """Features and labels of every split, once → (examples, dropped count, seconds). With
    ``recipe.more_voices`` the sentence corpora (LibriSpeech sample minus its test speaker,
    plus LJSpeech) join the training split."""
    from asrlib import pipeline

    if recipe.more_voices:
        sentences = datasets.sentences_split()
        splits = {**splits, "train": splits["train"] + sentences["train"] + sentences["val"]}
    t0, examples, dropped = time.perf_counter(), {}, 0
    for name, utts in splits.items():
        examples[name], report = pipeline.make_examples(utts, recipe.spec(alphabet))
        dropped += len(report.dropped)
    return examples, dropped, time.perf_counter() - t0


@dataclass
class Trained:
    """What :func:`train_recipe` made: the best epoch and, when at least two epochs ran,
    the mean of the last epochs' weights, each with its own lexicon decoder."""

    best: checkpoint.Bundle
    best_decoder: LexiconDecoder
    averaged: checkpoint.Bundle | None
    averaged_decoder: LexiconDecoder | None
    averaged_epochs: list[int]
    epochs: int  # epochs trained
    seconds: float  # training time
    saved: str  # which weights the file holds: "best" or "averaged"

    @property
    def best_epoch(self) -> int:
        return int(self.best.info.get("epoch", 0))

    @property
    def model(self) -> checkpoint.Bundle:
        """The weights the file holds."""
        return self.averaged if self.saved == "averaged" else self.best

    @property
    def decoder(self) -> LexiconDecoder:
        """The decoder the file holds."""
        return self.averaged_decoder if self.saved == "averaged" else self.best_decoder


def train_recipe(recipe, examples: dict, path, info: dict, lm_texts: list[str],
                 time_budget: float | None, average: int = AVERAGE_LAST, keep: str = "averaged",
                 alphabet: Alphabet = Alphabet(), verbose: int = 0, patience: int | None = None,
                 backup_dir=None) -> Trained:
    """Train ``recipe`` on ``examples["train"]`` into ``path``, choosing the best epoch on
    ``examples["val"]``; tune lexicon decoders (the LM reads ``lm_texts``) for it and for the
    mean of the last ``average`` epochs' weights; write the file once at the end.

    ``keep="averaged"`` stores the averaged weights when there are at least two epochs to
    average (``average`` > 1), else the best epoch; ``keep="best"`` always stores the best
    epoch (the averaged model is then measured, not kept). The file's spec holds the decoder
    tuned for its weights; its ``info`` the epoch(s) and ``val_cer``/``val_wer`` of them.

    ``patience`` (default: the recipe's) stops after that many epochs without a better
    validation CER; ``backup_dir`` lets a killed run resume where it stopped (rerun the same
    call): weights, optimizer, epoch and best epoch come back, the weights to average are
    those of the epochs after the restart."""
    from asrlib import train

    if keep not in ("best", "averaged"):
        raise ValueError(f"keep must be 'best' or 'averaged', got {keep!r}")
    if average < 1:
        raise ValueError(f"average must be at least 1 (1 = the best epoch), got {average}")
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int)
                                 or patience < 1):
        raise ValueError(f"patience must be a whole number of epochs, at least 1, got "
                         f"{patience!r}")
    spec = recipe.spec(alphabet)
    schedule = replace(recipe.train, time_budget=time_budget or None,
                       patience=patience or recipe.train.patience)
    last = train.KeepLastWeights(average)
    t0 = time.perf_counter()
    model, history = train.fit(examples["train"], examples["val"], path, spec, schedule,
                               backup_dir=backup_dir, info=info, verbose=verbose,
                               extra_callbacks=[last], write=False)
    seconds = time.perf_counter() - t0
    best_decoder = fit_lexicon_decoder(checkpoint.Bundle(model, spec), lm_texts, examples["val"])
    best = checkpoint.Bundle(model, replace(spec, decoder=best_decoder.spec), history.record)
    averaged = averaged_decoder = None
    if average > 1 and len(last.weights) > 1:
        copy = checkpoint.copy_model(model)
        copy.set_weights(train.average_weights(last.weights))
        averaged_decoder = fit_lexicon_decoder(checkpoint.Bundle(copy, spec), lm_texts,
                                               examples["val"])
        averaged = checkpoint.Bundle(copy, replace(spec, decoder=averaged_decoder.spec))
    trained = Trained(best, best_decoder, averaged, averaged_decoder,
                      list(last.epochs) if averaged else [], len(history.epoch), seconds,
                      "averaged" if keep == "averaged" and averaged else "best")
    if trained.saved == "averaged":
        val = train.evaluate_examples(averaged.model, examples["val"], averaged.spec)
        averaged.info = {
            **best.info,
            "averaged": {"epochs": trained.averaged_epochs, "best_epoch": trained.best_epoch,
                         "best_epoch_val": {"cer": best.info.get("val_cer"),
                                            "wer": best.info.get("val_wer")}},
            "epoch": trained.averaged_epochs[-1], "val_cer": round(val["cer"], 4),
            "val_wer": round(val["wer"], 4)}
    checkpoint.save(path, trained.model.model, trained.model.spec, trained.model.info)
    return trained


def fit_lexicon_decoder(bundle: checkpoint.Bundle, train_texts: list[str],
                        val_examples) -> LexiconDecoder:
    """A digit-word lexicon + bigram LM from ``train_texts``, α and β tuned on validation."""
    val = val_examples[:N_TUNE]
    probs = predict_probs(bundle.model, [e.features for e in val], bundle.spec.model)
    decoder, _ = LexiconDecoder.fit(train_texts, probs, [e.text for e in val], bundle.alphabet)
    return decoder


def transcribe(bundle: checkpoint.Bundle, decoder: LexiconDecoder,
               examples) -> tuple[list, list]:
    """(greedy transcripts, lexicon-decoder transcripts) of ``examples`` with ``bundle``."""
    probs = predict_probs(bundle.model, [e.features for e in examples], bundle.spec.model)
    return [bundle.alphabet.decode(greedy(p)) for p in probs], [decoder(p) for p in probs]


def scores(refs: list[str], hyps: list[str]) -> dict:
    """Corpus WER and CER, rounded to 4 places as the result files store them."""
    return {"wer": round(metrics.wer(refs, hyps), 4), "cer": round(metrics.cer(refs, hyps), 4)}


def attach_decoder(model_path, n_train: int = 4000) -> LexiconDecoder:
    """Tune and save a lexicon decoder into a digits model file, from its own recorded split.

    The LM reads the transcripts of the model's training strings (text only); α and β
    are tuned on its validation speaker. The test speaker is never used.
    """
    from asrlib import pipeline

    bundle = checkpoint.load(model_path)
    speakers = bundle.info.get("speakers", {})
    takes = {k: range(lo, hi + 1) for k, (lo, hi) in bundle.info.get("takes", {}).items()}
    if bundle.info.get("data") != "digits" or not speakers.get("val") or (
            len(speakers["val"]) != 1 and "val" not in takes):
        raise ValueError(
            f"{model_path}: the digit-word lexicon decoder is built for digits models that "
            "record their "
            "training and validation speakers (info['data'] == 'digits')"
        )
    train_texts = [u.text for u in datasets.connected_digits(n_train, speakers["train"],
                                                             takes=takes.get("train"))]
    val_utts = datasets.connected_digits(N_TUNE, speakers["val"], seed=1, takes=takes.get("val"))
    val, _ = pipeline.make_examples(val_utts, bundle.spec)
    decoder = fit_lexicon_decoder(bundle, train_texts, val)
    checkpoint.set_decoder(model_path, decoder.spec)
    return decoder
