"""Leave-one-speaker-out (LOSO) over the six FSDD speakers, the claims runs, and shipping.

:func:`run_fold` trains one recipe (:mod:`asrlib.recipes`) with one FSDD speaker held out
for testing and another for validation (the next speaker in
:data:`asrlib.datasets.FSDD_SPEAKERS`), under a time budget, and writes the fold's result to
``<out>/<recipe>/<speaker>.json`` beside its model and Keras's CSV log. A fold whose JSON
exists is read back, not retrained, so the notebooks and the tables load the committed files
and an interrupted run goes on where it stopped::

    python -m asrlib loso --recipe seed --budget 600        # all six folds
    python -m asrlib loso --recipe best --speakers theo     # one fold

Each fold is scored twice on its held-out speaker: greedy decoding (the reference) and the
digit-word lexicon decoder (:class:`asrlib.lm.LexiconDecoder`, tuned on the fold's
validation speaker), for
the best epoch and for the mean of the last epochs' weights. :func:`train_shipped` trains a
recipe on all six speakers (``python -m asrlib ship``).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

from asrlib import checkpoint, datasets
from asrlib.decoders import decode
from asrlib.model import predict_probs
from asrlib.protocol import (
    AVERAGE_LAST,
    N_TEST,
    N_VAL,
    SHIPPED_TRAIN_TAKES,
    SHIPPED_VAL_TAKES,
    make_split_examples,
    scores,
    train_recipe,
    transcribe,
)
from asrlib.recipes import CLAIM_SPEAKER, CLAIMS, NOISE_SNR_DB, Recipe
from asrlib.results import FoldResult, fold_path


def fold_speakers(test_speaker: str) -> tuple[list[str], str, str]:
    """(training speakers, validation speaker, test speaker) of the fold testing on one."""
    speakers = datasets.FSDD_SPEAKERS
    if test_speaker not in speakers:
        raise ValueError(f"unknown FSDD speaker {test_speaker!r}; choose from {list(speakers)}")
    val = speakers[(speakers.index(test_speaker) + 1) % len(speakers)]
    return [s for s in speakers if s not in (test_speaker, val)], val, test_speaker


def run_fold(recipe: Recipe, test_speaker: str, out_dir, time_budget: float | None = 600,
             n_val: int = N_VAL, n_test: int = N_TEST, force: bool = False, verbose: int = 0,
             log=print, extra_scores: bool = False) -> FoldResult:
    """Train ``recipe`` with ``test_speaker`` held out and score it; cached in ``out_dir``.
    The model file keeps the best epoch; the averaged weights are scored beside it."""
    result_path = fold_path(out_dir, recipe.name, test_speaker)
    if result_path.exists() and not force:
        return FoldResult.load(result_path)
    train_speakers, val_speaker, _ = fold_speakers(test_speaker)
    splits = datasets.digits_split(
        n_train=recipe.n_train, n_val=n_val, n_test=n_test, test_speaker=test_speaker,
        val_speaker=val_speaker, perturb=recipe.perturb, effects=recipe.effects,
    )
    examples, dropped, feature_seconds = make_split_examples(recipe, splits)
    log(f"[{recipe.name}/{test_speaker}] features {feature_seconds:.0f} s; train "
        f"{train_speakers}, val {val_speaker}; {dropped} dropped")
    info = checkpoint.record(
        "digits", f"python -m asrlib loso --recipe {recipe.name} --speakers {test_speaker}"
        + (f" --budget {time_budget:g}" if time_budget else ""),
        {"train": train_speakers, "val": [val_speaker], "test": [test_speaker]}, recipe,
        more_voices=recipe.more_voices)
    lm_texts = [u.text for u in splits["train"]]  # the decoder's LM: digit strings only
    trained = train_recipe(recipe, examples, result_path.with_suffix(".keras"), info, lm_texts,
                           time_budget, keep="best", verbose=verbose)
    test = examples["test"]
    refs = [e.text for e in test]
    greedy_hyps, task_hyps = transcribe(trained.best, trained.best_decoder, test)
    extra = _extra_scores(trained.best, splits["test"], test, refs) if extra_scores else {}
    if trained.averaged is not None:
        a_greedy, a_task = transcribe(trained.averaged, trained.averaged_decoder, test)
        extra["averaged"] = {"epochs": trained.averaged_epochs,
                             "val_cer": round(_val_cer(trained.averaged, examples["val"]), 4),
                             "greedy": scores(refs, a_greedy), "task": scores(refs, a_task)}
    c = trained.best_decoder
    result = FoldResult(
        recipe=recipe.name, test_speaker=test_speaker, val_speaker=val_speaker,
        train_speakers=train_speakers, time_budget=time_budget, epochs=trained.epochs,
        best_epoch=trained.best_epoch, train_seconds=round(trained.seconds, 1),
        feature_seconds=round(feature_seconds, 1), n_test=len(refs),
        greedy=scores(refs, greedy_hyps),
        task={**scores(refs, task_hyps), "alpha": c.alpha, "beta": c.beta,
              "beam_width": c.beam_width},
        dropped=dropped, recipe_config=json.loads(json.dumps(recipe.to_dict())),  # as stored
        extra=extra,
    )
    result.save(result_path)
    return result


def _val_cer(bundle: checkpoint.Bundle, val_examples) -> float:
    from asrlib import train

    return train.evaluate_examples(bundle.model, val_examples, bundle.spec)["cer"]


def _extra_scores(bundle: checkpoint.Bundle, test_utts, test_examples, refs) -> dict:
    """What the claims table needs beyond the fold's scores: a plain prefix beam search
    (no LM) against greedy, the same test strings with noise mixed in at
    ``NOISE_SNR_DB``, the parameter count and the inference time on the test set."""
    from asrlib import pipeline

    alphabet, config = bundle.alphabet, bundle.spec.model
    test_probs = predict_probs(bundle.model, [e.features for e in test_examples], config)
    beam_hyps = [decode(p, "beam", alphabet, beam_width=8) for p in test_probs]
    noisy_utts = [replace(u, effects=(*u.effects, ("noise", NOISE_SNR_DB))) for u in test_utts]
    noisy, _ = pipeline.make_examples(noisy_utts, bundle.spec)
    t0 = time.perf_counter()
    noisy_probs = predict_probs(bundle.model, [e.features for e in noisy], config)
    infer_seconds = time.perf_counter() - t0
    audio_seconds = sum(len(e.features) for e in noisy) * bundle.features.hop_ms / 1000
    return {
        "beam": scores(refs, beam_hyps),
        "noisy": {**scores([e.text for e in noisy],
                           [decode(p, "greedy", alphabet) for p in noisy_probs]),
                  "snr_db": NOISE_SNR_DB},
        "params": int(bundle.model.count_params()),
        "infer_rtf": round(infer_seconds / audio_seconds, 5),
        "n_test_examples": len(test_examples),
    }


def run_claims(names=None, out_dir="data/claims", force: bool = False, log=print):
    """Train each claim recipe once on the ``CLAIM_SPEAKER`` fold (cached like LOSO folds)."""
    names = list(names or CLAIMS)
    unknown = [n for n in names if n not in CLAIMS]
    if unknown:
        raise ValueError(f"unknown claim recipe(s) {unknown}; choose from {list(CLAIMS)}")
    results = []
    for name in names:
        results.append(run_fold(CLAIMS[name], CLAIM_SPEAKER, out_dir, time_budget=None,
                                force=force, log=log, extra_scores=True))
        r = results[-1]
        log(f"[{name}] {r.epochs} epochs {r.train_seconds:.0f} s greedy WER {r.greedy['wer']:.1%} "
            f"task WER {r.task['wer']:.1%} noisy WER {r.extra['noisy']['wer']:.1%}")
    return results


def train_shipped(recipe: Recipe, out_path, time_budget: float | None = 900,
                  n_val: int = N_VAL, verbose: int = 0, log=print,
                  average: int = AVERAGE_LAST) -> dict:
    """Train ``recipe`` on all six FSDD speakers into ``out_path``, with its lexicon decoder.

    With ``average`` > 1 the file holds the mean of the last ``average`` epochs' weights
    (checkpoint averaging, which LOSO measured better than the best epoch for an unseen
    voice) with a decoder tuned for them; ``info["averaged"]`` records the epochs and the
    best epoch's validation scores. ``average=1`` keeps the best epoch. Returns what
    ``data/README.md`` reports: epochs, seconds and the validation scores (seen voices,
    unseen recordings: not a measure of a new voice; LOSO is).
    """
    speakers = list(datasets.FSDD_SPEAKERS)
    takes = {"train": SHIPPED_TRAIN_TAKES, "val": SHIPPED_VAL_TAKES}
    splits = {
        "train": datasets.connected_digits(recipe.n_train, speakers, seed=0,
                                           perturb=recipe.perturb, effects=recipe.effects,
                                           takes=takes["train"]),
        "val": datasets.connected_digits(n_val, speakers, seed=1, takes=takes["val"]),
    }
    examples, dropped, seconds = make_split_examples(recipe, splits)
    log(f"[{recipe.name}/all six] features {seconds:.0f} s; {dropped} dropped")
    info = checkpoint.record(
        "digits", f"python -m asrlib ship --recipe {recipe.name} --average {average}"
        + (f" --budget {time_budget:g}" if time_budget else ""),
        {"train": speakers, "val": speakers, "test": []}, recipe,
        takes={k: [min(v), max(v)] for k, v in takes.items()}, more_voices=recipe.more_voices)
    lm_texts = [u.text for u in splits["train"]]  # the decoder's LM: digit strings only
    trained = train_recipe(recipe, examples, out_path, info, lm_texts, time_budget, average,
                           verbose=verbose)
    return shipped_summary(recipe, trained, examples["val"], log, f"{recipe.name}/all six")


def shipped_summary(recipe: Recipe, trained, val_examples, log, label: str) -> dict:
    """The validation scores and training record of a model trained on every voice."""
    refs = [e.text for e in val_examples]
    greedy_hyps, task_hyps = transcribe(trained.model, trained.decoder, val_examples)
    summary = {"recipe": recipe.name, "epochs": trained.epochs,
               "best_epoch": trained.best_epoch, "train_seconds": round(trained.seconds, 1),
               "val_greedy": scores(refs, greedy_hyps), "val_task": scores(refs, task_hyps),
               "params": int(trained.model.model.count_params())}
    if trained.saved == "averaged":
        summary["averaged_epochs"] = trained.averaged_epochs
    log(f"[{label}] {summary['epochs']} epochs in {trained.seconds:.0f} s; saved the "
        + (f"mean of epochs {trained.averaged_epochs}" if trained.saved == "averaged"
           else "best epoch") + f" (best epoch {summary['best_epoch']})")
    return summary
