"""Experiments: named training recipes and the leave-one-speaker-out (LOSO) protocol.

A :class:`Recipe` is everything that decides a digits model except the data split:
features, architecture, optimiser and augmentation. :func:`run_fold` trains one
recipe with one FSDD speaker held out for testing and another for validation (the
next speaker in :data:`asrlib.datasets.FSDD_SPEAKERS`), under a time budget, and
writes the fold's result to ``<out>/<recipe>/<speaker>.json`` beside Keras's CSV
log. A fold whose JSON exists is read back, not retrained, so the notebooks and
the results tables load the committed files and an interrupted run goes on
where it stopped::

    python -m asrlib loso --recipe seed --budget 600        # all six folds
    python -m asrlib loso --recipe best --speakers theo     # one fold

Each fold is scored twice on its held-out speaker: greedy decoding (the
reference) and the task-aware decoder (:class:`asrlib.lm.TaskDecoder`: a digit-word
lexicon and bigram LM whose weights are tuned on the fold's validation speaker).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from asrlib import checkpoint, datasets, metrics
from asrlib.decoding import greedy
from asrlib.features import FeatureConfig
from asrlib.lm import TaskDecoder
from asrlib.model import ModelConfig, predict_probs
from asrlib.text import Alphabet
from asrlib.train import TrainConfig

N_VAL, N_TEST = 200, 300  # connected-digit strings per fold: validation and test speaker
N_TUNE = 100  # validation strings used to tune the task decoder's alpha and beta
AVERAGE_LAST = 3  # checkpoint averaging: the last 3 epochs' mean weights, scored beside the best


@dataclass(frozen=True)
class Recipe:
    """How to make a digits model: features, model, training and data augmentation."""

    name: str
    description: str
    features: FeatureConfig = FeatureConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    n_train: int = 4000  # connected-digit strings from the fold's four training speakers
    perturb: bool = False  # speed and loudness perturbation of every training digit
    effects: tuple[str, ...] = ()  # whole-string effects (augment.EFFECTS) on training strings
    more_voices: bool = False  # also train on the sentence corpora (five more speakers)

    def __post_init__(self):
        if self.features.n_features != self.model.n_features:
            raise ValueError(
                f"recipe {self.name}: {self.features.n_features} features per frame but the "
                f"model expects {self.model.n_features}"
            )

    def to_dict(self) -> dict:
        return asdict(self)


_V4 = Recipe(
    "v4",
    "digits_no_theo's recipe: BiLSTM, dropout 0.1, Adam 2e-3, speed/gain "
    "perturbation, SpecAugment, mel bands to 4 kHz",
    features=FeatureConfig(fmax=4000),
    model=ModelConfig(bidirectional=True, dropout=0.1),
    train=TrainConfig(epochs=60, learning_rate=2e-3, patience=15, spec_augment=True),
    perturb=True,
)
RECIPES = {
    r.name: r
    for r in (
        Recipe(
            "seed",
            "the seed exactly: CNN + LSTM(128), Adam 1e-3, batch 32, no augmentation",
            train=TrainConfig(epochs=60, patience=6),
        ),
        _V4,
        replace(
            _V4,
            name="v5",
            description="v4 plus a new voice, microphone, room and background for half the "
            "strings each (pitch shift, random EQ, synthetic reverb, generated noise) and five "
            "more voices from the sentence corpora",
            effects=("pitch", "eq", "reverb", "noise"),
            more_voices=True,
        ),
    )
}
# one lever alone on the seed's recipe, under the same LOSO protocol (issue 8's waterfall)
RECIPES["seed-pitch"] = replace(
    RECIPES["seed"], name="seed-pitch",
    description="the seed plus one lever: pitch shift (±2 semitones, a higher or lower voice at "
    "the same tempo) of half the training strings",
    effects=("pitch",),
)
RECIPES["seed-specaug"] = replace(
    RECIPES["seed"], name="seed-specaug",
    description="the seed plus one lever: SpecAugment (random feature-band and time masks) "
    "during training",
    train=replace(RECIPES["seed"].train, spec_augment=True),
)
# the other levers, each alone on the seed (measured in turn; a recipe enters the tables and
# the waterfall once all six of its folds are stored)
_S = RECIPES["seed"]
for _name, _description, _changes in (
    ("seed-speed", "speed (0.9-1.1) and loudness perturbation of every training digit",
     {"perturb": True}),
    ("seed-eq", "random EQ / band-limiting (another microphone) on half the training strings",
     {"effects": ("eq",)}),
    ("seed-reverb", "synthetic room reverberation on half the training strings",
     {"effects": ("reverb",)}),
    ("seed-noise", "generated noise (SNR 5-30 dB) on half the training strings",
     {"effects": ("noise",)}),
    ("seed-dropout", "dropout 0.1 after the CNN and the LSTM",
     {"model": replace(_S.model, dropout=0.1)}),
    ("seed-nonorm", "the seed WITHOUT its per-utterance feature normalisation (what the "
     "normalisation is worth)", {"features": replace(_S.features, normalize=False)}),
    ("seed-voices", "five more voices: joint training with the sentence corpora",
     {"more_voices": True}),
    ("seed-bilstm", "a bidirectional LSTM(128)",
     {"model": replace(_S.model, bidirectional=True)}),
    ("seed-narrow", "a narrower LSTM(64)", {"model": replace(_S.model, units=64)}),
    ("seed-wide", "a wider LSTM(256)", {"model": replace(_S.model, units=256)}),
):
    RECIPES[_name] = replace(_S, name=_name,
                             description=f"the seed plus one lever: {_description}", **_changes)
# combining the levers: v4 (the best LOSO recipe) plus the one lever that helped the seed alone
RECIPES["v4-pitch"] = replace(
    _V4, name="v4-pitch",
    description="v4 plus pitch shift (±2 semitones) of half the training strings: the best "
    "recipe plus the lever that helped the seed most under LOSO",
    effects=("pitch",),
)
# combining only what helped alone: v4 kept two levers that did not help the seed alone
# (SpecAugment within noise, dropout 0.1 worse) and lacks one that did (reverberation)
RECIPES["v4-helped"] = replace(
    _V4, name="v4-helped",
    description="the levers that helped alone, together: v4 + pitch without SpecAugment and "
    "dropout (neither helped the seed alone), plus synthetic reverberation (it did)",
    model=replace(_V4.model, dropout=0.0),
    train=replace(_V4.train, spec_augment=False),
    effects=("pitch", "reverb"),
)


# --- the seed's claims, one variable at a time (notebook 07, part 2) ----------------------
CLAIM_SPEAKER = "theo"  # the held-out speaker of notebooks 05 and 06 (validation: yweweler)
CLAIM_EPOCHS = 10  # the seed's own schedule: 10 epochs, no time budget
NOISE_SNR_DB = 10.0  # the noisy copy of the test strings (generated white/pink/brown noise)
_C = replace(RECIPES["seed"], train=TrainConfig(epochs=CLAIM_EPOCHS, patience=CLAIM_EPOCHS))


def _claim(name: str, description: str, **changes) -> Recipe:
    return replace(_C, name=name, description=description, **changes)


CLAIMS = {
    r.name: r
    for r in (
        _claim("c-seed", "the seed: Conv2D(32) + pool + LSTM(128), 13 MFCC, batch 32"),
        _claim("c-lstm-only", "pure LSTM(128) on the 13 MFCC: no Conv2D, no pooling",
               model=ModelConfig(conv_layers=0, pool=False)),
        _claim("c-nopool", "the seed without its 2x2 max-pool (twice the frames)",
               model=ModelConfig(pool=False)),
        _claim("c-filters16", "16 Conv2D filters", model=ModelConfig(filters=16)),
        _claim("c-filters64", "64 Conv2D filters", model=ModelConfig(filters=64)),
        _claim("c-units64", "LSTM(64)", model=ModelConfig(units=64)),
        _claim("c-units256", "LSTM(256)", model=ModelConfig(units=256)),
        _claim("c-logmel40", "40 log-mel bands instead of 13 MFCC",
               features=FeatureConfig(kind="logmel"), model=ModelConfig(n_features=40)),
        _claim("c-batch64", "batch 64", train=replace(_C.train, batch_size=64)),
        _claim("c-batch16", "batch 16", train=replace(_C.train, batch_size=16)),
        _claim("c-rerun", "the seed again with another random initialisation (the noise "
               "floor: differences smaller than this one are not evidence)",
               train=replace(_C.train, seed=1)),
        # the improvements, each alone on the seed (issue 4; LOSO combines them)
        _claim("i-bilstm", "bidirectional LSTM(128)", model=ModelConfig(bidirectional=True)),
        _claim("i-specaug", "SpecAugment: random feature-band and time masks",
               train=replace(_C.train, spec_augment=True)),
        _claim("i-speed", "speed (0.9-1.1, a time stretch that also shifts pitch) and "
               "loudness perturbation of every training digit", perturb=True),
        _claim("i-dropout", "dropout 0.1 after the CNN and the LSTM",
               model=ModelConfig(dropout=0.1)),
        _claim("i-conv2", "a deeper CNN: two Conv2D(32) layers", model=ModelConfig(conv_layers=2)),
        _claim("i-attention", "self-attention (4 heads) over the LSTM outputs",
               model=ModelConfig(attention=True)),
        _claim("i-noise", "generated noise (SNR 5-30 dB) on half the training strings",
               effects=("noise",)),
        _claim("i-pitch", "pitch shift (±2 semitones) of half the training strings",
               effects=("pitch",)),
        _claim("c-long", "the seed trained for up to 20 epochs (early stopping, patience 6): "
               "is 10 epochs enough?", train=replace(_C.train, epochs=20, patience=6)),
    )
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


def load_claims(out_dir="data/claims") -> dict[str, FoldResult]:
    """The stored claim runs under ``out_dir``, in :data:`CLAIMS` order (missing ones left out)."""
    paths = {name: fold_path(out_dir, name, CLAIM_SPEAKER) for name in CLAIMS}
    return {name: FoldResult.load(p) for name, p in paths.items() if p.exists()}


MIN_DIFFERENCE = 0.02  # a WER difference smaller than 2 points is never called a difference


def noise_floor(claims: dict[str, FoldResult], decoder: str = "task") -> float:
    """How far apart two runs of the same recipe land (c-seed vs c-rerun, another random
    initialisation), at least :data:`MIN_DIFFERENCE`: differences below it are not evidence."""
    if "c-seed" not in claims or "c-rerun" not in claims:
        return MIN_DIFFERENCE
    rerun, seed = getattr(claims["c-rerun"], decoder), getattr(claims["c-seed"], decoder)
    gap = abs(rerun["wer"] - seed["wer"])
    return max(gap, MIN_DIFFERENCE)


def verdict(claims: dict[str, FoldResult], name: str, reference: str = "c-seed") -> str:
    """A run's WER change against ``reference`` in words, by greedy and by the digit decoder,
    each judged against its own :func:`noise_floor`: lower WER is better."""

    def direction(decoder: str) -> int:
        delta = getattr(claims[name], decoder)["wer"] - getattr(claims[reference], decoder)["wer"]
        floor = noise_floor(claims, decoder)
        return -1 if delta < -floor else 1 if delta > floor else 0

    greedy, task = direction("greedy"), direction("task")
    if greedy == task:
        return {-1: "better", 0: "no measurable difference", 1: "worse"}[greedy]
    if greedy * task < 0:
        return f"mixed: {'better' if greedy < 0 else 'worse'} greedy, " \
               f"{'better' if task < 0 else 'worse'} with the digit decoder"
    word = "better" if min(greedy, task) < 0 else "worse"
    return f"{word} {'greedy' if greedy else 'with the digit decoder'} only"


def fold_speakers(test_speaker: str) -> tuple[list[str], str, str]:
    """(training speakers, validation speaker, test speaker) of the fold testing on one."""
    speakers = datasets.FSDD_SPEAKERS
    if test_speaker not in speakers:
        raise ValueError(f"unknown FSDD speaker {test_speaker!r}; choose from {list(speakers)}")
    val = speakers[(speakers.index(test_speaker) + 1) % len(speakers)]
    return [s for s in speakers if s not in (test_speaker, val)], val, test_speaker


@dataclass
class FoldResult:
    """One fold's outcome, as stored in its JSON file."""

    recipe: str
    test_speaker: str
    val_speaker: str
    train_speakers: list[str]
    time_budget: float | None
    epochs: int
    best_epoch: int
    train_seconds: float
    feature_seconds: float
    n_test: int
    greedy: dict  # {"wer", "cer"} on the test speaker
    task: dict  # {"wer", "cer", "alpha", "beta", "beam_width"}
    dropped: int = 0  # utterances pipeline.prepare dropped (and reported)
    recipe_config: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # claims runs: beam, noisy test, params, speed

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path) -> FoldResult:
        try:
            return cls(**json.loads(Path(path).read_text()))
        except (OSError, ValueError, TypeError) as err:
            raise ValueError(f"{path}: not a fold result ({err}); delete it to rerun") from None


def _prepare(recipe: Recipe, splits: dict, alphabet: Alphabet) -> tuple[dict, int, float]:
    """Features and labels of every split, once → (examples, dropped count, seconds). With
    ``recipe.more_voices`` the sentence corpora (LibriSpeech sample minus its test speaker,
    plus LJSpeech) join the training split."""
    from asrlib import pipeline

    if recipe.more_voices:
        sentences = datasets.sentences_split()
        splits = {**splits, "train": splits["train"] + sentences["train"] + sentences["val"]}
    t0, examples, dropped = time.perf_counter(), {}, 0
    for name, utts in splits.items():
        examples[name], report = pipeline.prepare(utts, recipe.features, alphabet, recipe.model)
        dropped += len(report.dropped)
    return examples, dropped, time.perf_counter() - t0


def _train_with_decoder(recipe: Recipe, config, examples: dict, alphabet: Alphabet, path,
                        info: dict, lm_texts: list[str], verbose: int = 0, callbacks=()):
    """Train into ``path`` (best epoch on ``examples["val"]``), then tune and save its task
    decoder there → (best bundle, decoder, Keras history, training seconds)."""
    from asrlib import train

    t0 = time.perf_counter()
    _, history = train.fit(examples["train"], examples["val"], path, recipe.features,
                           recipe.model, alphabet, config, info=info, verbose=verbose,
                           extra_callbacks=list(callbacks))
    seconds = time.perf_counter() - t0
    best = checkpoint.load(path)
    decoder = fit_task_decoder(best, lm_texts, examples["val"])
    checkpoint.update_info(path, decoder=decoder.to_dict())
    return best, decoder, history, seconds


def fold_path(out_dir, recipe: str, test_speaker: str) -> Path:
    """Where the fold's result JSON lives (its model and CSV log sit beside it)."""
    return Path(out_dir) / recipe / f"{test_speaker}.json"


def run_fold(
    recipe: Recipe,
    test_speaker: str,
    out_dir,
    time_budget: float | None = 600,
    n_val: int = N_VAL,
    n_test: int = N_TEST,
    force: bool = False,
    verbose: int = 0,
    log=print,
    extra_scores: bool = False,
) -> FoldResult:
    """Train ``recipe`` with ``test_speaker`` held out and score it; cached in ``out_dir``."""
    from asrlib import train

    result_path = fold_path(out_dir, recipe.name, test_speaker)
    if result_path.exists() and not force:
        return FoldResult.load(result_path)
    train_speakers, val_speaker, _ = fold_speakers(test_speaker)
    splits = datasets.digits_split(
        n_train=recipe.n_train, n_val=n_val, n_test=n_test, test_speaker=test_speaker,
        val_speaker=val_speaker, perturb=recipe.perturb, effects=recipe.effects,
    )
    lm_texts = [u.text for u in splits["train"]]  # the decoder's LM: digit strings only
    alphabet = Alphabet()
    examples, dropped, feature_seconds = _prepare(recipe, splits, alphabet)
    log(f"[{recipe.name}/{test_speaker}] features {feature_seconds:.0f} s; train "
        f"{train_speakers}, val {val_speaker}; {dropped} dropped")

    model_path = result_path.with_suffix(".keras")
    config = replace(recipe.train, time_budget=time_budget)
    info = {"data": "digits", "recipe": recipe.name, "command": f"asrlib loso {recipe.name}",
            "speakers": {"train": train_speakers, "val": [val_speaker], "test": [test_speaker]},
            "more_voices": recipe.more_voices}
    last = train.KeepLastWeights(AVERAGE_LAST)
    best, decoder, history, train_seconds = _train_with_decoder(
        recipe, config, examples, alphabet, model_path, info, lm_texts, verbose, [last])
    test_probs = predict_probs(best.model, [e.features for e in examples["test"]], recipe.model)
    refs = [e.text for e in examples["test"]]
    greedy_hyps = [alphabet.decode(greedy(p)) for p in test_probs]
    task_hyps = [decoder(p) for p in test_probs]
    extra = _extra_scores(best, splits["test"], examples["test"], refs, test_probs) \
        if extra_scores else {}
    if len(last.weights) > 1:
        extra["averaged"] = _averaged_scores(best, last, lm_texts, examples, refs)
    result = FoldResult(
        recipe=recipe.name, test_speaker=test_speaker, val_speaker=val_speaker,
        train_speakers=train_speakers, time_budget=time_budget, epochs=len(history.epoch),
        best_epoch=int(best.info.get("epoch", 0)), train_seconds=round(train_seconds, 1),
        feature_seconds=round(feature_seconds, 1), n_test=len(refs),
        greedy=_scores(refs, greedy_hyps),
        task={**_scores(refs, task_hyps), "alpha": decoder.config.alpha,
              "beta": decoder.config.beta, "beam_width": decoder.config.beam_width},
        dropped=dropped, recipe_config=json.loads(json.dumps(recipe.to_dict())),  # as stored
        extra=extra,
    )
    result.save(result_path)
    return result


# The shipped model: a recipe on all six speakers. No voice is left to test it on, so its
# best epoch and its decoder are chosen on FSDD's own test recordings (takes 0-4 of every digit
# and speaker), which its training strings never use; what the recipe does for an unseen voice
# is what its LOSO folds measured.
SHIPPED_VAL_TAKES = range(5)
SHIPPED_TRAIN_TAKES = range(5, 50)


def train_shipped(recipe: Recipe, out_path, time_budget: float | None = 900,
                  n_val: int = N_VAL, verbose: int = 0, log=print,
                  average: int = AVERAGE_LAST) -> dict:
    """Train ``recipe`` on all six FSDD speakers into ``out_path``, with its task decoder.

    With ``average`` > 1 the file holds the mean of the last ``average`` epochs' weights
    (checkpoint averaging, which LOSO measured better than the best epoch for an unseen
    voice) with a task decoder tuned for them; ``info["averaged"]`` records the epochs and
    the best epoch's validation scores beside the averaged ones. ``average=1`` keeps the
    best epoch. Returns what ``data/README.md`` reports: epochs, seconds and the validation
    scores (seen voices, unseen recordings: not a measure of a new voice; LOSO is).
    """
    if average < 1:
        raise ValueError(f"--average must be at least 1 (1 = the best epoch), got {average}")
    from asrlib import train

    speakers = list(datasets.FSDD_SPEAKERS)
    takes = {"train": SHIPPED_TRAIN_TAKES, "val": SHIPPED_VAL_TAKES}
    splits = {
        "train": datasets.connected_digits(recipe.n_train, speakers, seed=0,
                                           perturb=recipe.perturb, effects=recipe.effects,
                                           takes=takes["train"]),
        "val": datasets.connected_digits(n_val, speakers, seed=1, takes=takes["val"]),
    }
    lm_texts = [u.text for u in splits["train"]]  # the decoder's LM: digit strings only
    alphabet = Alphabet()
    examples, dropped, seconds = _prepare(recipe, splits, alphabet)
    log(f"[{recipe.name}/all six] features {seconds:.0f} s; {dropped} dropped")
    info = {"data": "digits", "recipe": recipe.name, "recipe_config": recipe.to_dict(),
            "command": f"python -m asrlib ship --recipe {recipe.name} --budget {time_budget}",
            "speakers": {"train": speakers, "val": speakers, "test": []},
            "takes": {k: [min(v), max(v)] for k, v in takes.items()},
            "more_voices": recipe.more_voices}
    info["command"] += f" --average {average}"  # always: the CLI's default may change
    config = replace(recipe.train, time_budget=time_budget)
    last = train.KeepLastWeights(average)
    best, decoder, history, seconds = _train_with_decoder(
        recipe, config, examples, alphabet, out_path, info, lm_texts, verbose, [last])
    refs = [e.text for e in examples["val"]]

    def val_scores(bundle, task_decoder) -> dict:
        probs = predict_probs(bundle.model, [e.features for e in examples["val"]], recipe.model)
        return {"val_greedy": _scores(refs, [alphabet.decode(greedy(p)) for p in probs]),
                "val_task": _scores(refs, [task_decoder(p) for p in probs])}

    summary = {"recipe": recipe.name, "epochs": len(history.epoch),
               "best_epoch": int(best.info.get("epoch", 0)), "train_seconds": round(seconds, 1),
               **val_scores(best, decoder), "params": int(best.model.count_params())}
    if average > 1 and len(last.weights) > 1:
        averaged = _averaged(best, last)
        avg_decoder = fit_task_decoder(averaged, lm_texts, examples["val"])
        avg_scores = val_scores(averaged, avg_decoder)
        record = {"epochs": list(last.epochs), "best_epoch": summary["best_epoch"],
                  "best_epoch_val": {k: summary[k] for k in ("val_greedy", "val_task")}}
        checkpoint.save(out_path, averaged.model, best.features, best.config, alphabet,
                        info={**best.info, "decoder": avg_decoder.to_dict(), "averaged": record,
                              # the file's weights: what "epoch" and val_* now describe
                              "epoch": last.epochs[-1],
                              "val_cer": avg_scores["val_greedy"]["cer"],
                              "val_wer": avg_scores["val_greedy"]["wer"]})
        summary = {**summary, **avg_scores, "averaged_epochs": list(last.epochs),
                   "best_epoch_val": record["best_epoch_val"]}
        log(f"[{recipe.name}/all six] saved the mean of epochs {list(last.epochs)} "
            f"(best epoch {summary['best_epoch']})")
    return summary


def _averaged(best: checkpoint.Bundle, last) -> checkpoint.Bundle:
    """``best`` with a copy of its model holding the mean of the weights ``last``
    (a ``train.KeepLastWeights``) kept: checkpoint averaging."""
    from asrlib import train

    averaged = replace(best, model=train.copy_model(best.model))
    averaged.model.set_weights(train.average_weights(last.weights))
    return averaged


def _averaged_scores(best: checkpoint.Bundle, last, lm_texts, examples, refs) -> dict:
    """Checkpoint averaging, measured beside the best epoch: the mean of the last epochs'
    weights, with its own task decoder tuned on validation, scored on the same test strings."""
    from asrlib import train

    averaged = _averaged(best, last)
    val = train.evaluate_examples(averaged.model, examples["val"], averaged.config,
                                  averaged.alphabet)
    decoder = fit_task_decoder(averaged, lm_texts, examples["val"])
    probs = predict_probs(averaged.model, [e.features for e in examples["test"]], averaged.config)
    return {
        "epochs": list(last.epochs), "val_cer": round(val["cer"], 4),
        "greedy": _scores(refs, [averaged.alphabet.decode(greedy(p)) for p in probs]),
        "task": _scores(refs, [decoder(p) for p in probs]),
    }


def _extra_scores(bundle: checkpoint.Bundle, test_utts, test_examples, refs, test_probs) -> dict:
    """What the claims table needs beyond the fold's scores: a plain prefix beam search
    (no LM) against greedy, the same test strings with noise mixed in at
    ``NOISE_SNR_DB``, the parameter count and the inference time on the test set."""
    from asrlib import pipeline
    from asrlib.decoding import decode_batch

    alphabet, config = bundle.alphabet, bundle.config
    beam_hyps = [decode_batch(p[None], None, alphabet, 8, "beam")[0] for p in test_probs]
    noisy_utts = [replace(u, effects=(*u.effects, ("noise", NOISE_SNR_DB))) for u in test_utts]
    noisy, _ = pipeline.prepare(noisy_utts, bundle.features, alphabet, config)
    t0 = time.perf_counter()
    noisy_probs = predict_probs(bundle.model, [e.features for e in noisy], config)
    infer_seconds = time.perf_counter() - t0
    audio_seconds = sum(len(e.features) for e in noisy) * bundle.features.hop_ms / 1000
    return {
        "beam": _scores(refs, beam_hyps),
        "noisy": {**_scores([e.text for e in noisy],
                            [alphabet.decode(greedy(p)) for p in noisy_probs]),
                  "snr_db": NOISE_SNR_DB},
        "params": int(bundle.model.count_params()),
        "infer_rtf": round(infer_seconds / audio_seconds, 5),
        "n_test_examples": len(test_examples),
    }


def fit_task_decoder(
    bundle: checkpoint.Bundle, train_texts: list[str], val_examples
) -> TaskDecoder:
    """A digit-word lexicon + bigram LM from ``train_texts``, α and β tuned on validation."""
    val = val_examples[:N_TUNE]
    probs = predict_probs(bundle.model, [e.features for e in val], bundle.config)
    decoder, _ = TaskDecoder.fit(train_texts, probs, [e.text for e in val], bundle.alphabet)
    return decoder


def attach_task_decoder(model_path, n_train: int = 4000) -> TaskDecoder:
    """Tune and save a task decoder into a digits model file, from its own recorded split.

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
            f"{model_path}: the task decoder is built for digits models that record their "
            "training and validation speakers (info['data'] == 'digits')"
        )
    train_texts = [u.text for u in datasets.connected_digits(n_train, speakers["train"],
                                                             takes=takes.get("train"))]
    val_utts = datasets.connected_digits(N_TUNE, speakers["val"], seed=1, takes=takes.get("val"))
    val, _ = pipeline.prepare(val_utts, bundle.features, bundle.alphabet, bundle.config)
    decoder = fit_task_decoder(bundle, train_texts, val)
    checkpoint.update_info(model_path, decoder=decoder.to_dict())
    return decoder


def _scores(refs: list[str], hyps: list[str]) -> dict:
    return {"wer": round(metrics.wer(refs, hyps), 4), "cer": round(metrics.cer(refs, hyps), 4)}


def summarize(results: list[FoldResult]) -> dict:
    """Mean and worst speaker (WER, CER) per decoder, and mean training seconds per fold.

    ``averaged_greedy`` and ``averaged_task`` score checkpoint averaging (the mean of the last
    epochs' weights) the same way, when every fold measured it."""
    if not results:
        raise ValueError("no fold results to summarise")
    out = {"folds": len(results), "recipe": results[0].recipe,
           "train_seconds": round(float(np.mean([r.train_seconds for r in results])), 1)}
    decoders = {"greedy": [r.greedy for r in results], "task": [r.task for r in results]}
    if all("averaged" in r.extra for r in results):  # the last epochs' mean weights, every fold
        for decoder in ("greedy", "task"):
            decoders[f"averaged_{decoder}"] = [r.extra["averaged"][decoder] for r in results]
    for decoder, scores in decoders.items():
        worst = max(range(len(results)), key=lambda k: scores[k]["wer"])
        out[decoder] = {
            "mean_wer": round(float(np.mean([s["wer"] for s in scores])), 4),
            "mean_cer": round(float(np.mean([s["cer"] for s in scores])), 4),
            "worst_wer": scores[worst]["wer"],
            "worst_cer": round(float(max(s["cer"] for s in scores)), 4),
            "worst_speaker": results[worst].test_speaker,
        }
    return out


def format_table(results: list[FoldResult]) -> str:
    """The folds of one recipe as a text table, with the mean and worst rows under it."""
    head = (f"{'test speaker':<13}{'val':<10}{'epochs':>7}{'train s':>9}"
            f"{'greedy WER':>12}{'CER':>7}{'task WER':>10}{'CER':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.test_speaker:<13}{r.val_speaker:<10}{r.epochs:>7}{r.train_seconds:>9.0f}"
            f"{r.greedy['wer']:>12.1%}{r.greedy['cer']:>7.1%}{r.task['wer']:>10.1%}"
            f"{r.task['cer']:>7.1%}"
        )
    s = summarize(results)
    g, t = s["greedy"], s["task"]
    lines.append("-" * len(head))
    lines.append(f"{'mean':<30}{s['train_seconds']:>9.0f}{g['mean_wer']:>12.1%}"
                 f"{g['mean_cer']:>7.1%}{t['mean_wer']:>10.1%}{t['mean_cer']:>7.1%}")
    lines.append(f"{'worst':<39}{g['worst_wer']:>12.1%}{g['worst_cer']:>7.1%}"
                 f"{t['worst_wer']:>10.1%}{t['worst_cer']:>7.1%}")
    return "\n".join(lines)


def format_averaging(results: list[FoldResult]) -> str:
    """Checkpoint averaging against the best epoch, for the folds that measured it."""
    rows = [r for r in results if "averaged" in r.extra]
    if not rows:
        return "no fold of these measured checkpoint averaging yet"
    head = (f"{'test speaker':<13}{'averaged epochs':<17}{'greedy WER best':>16}{'averaged':>10}"
            f"{'task WER best':>15}{'averaged':>10}")
    lines = [head, "-" * len(head)]
    for r in rows:
        a = r.extra["averaged"]
        lines.append(f"{r.test_speaker:<13}{a['epochs']!s:<17}{r.greedy['wer']:>16.1%}"
                     f"{a['greedy']['wer']:>10.1%}{r.task['wer']:>15.1%}{a['task']['wer']:>10.1%}")
    return "\n".join(lines)


def load_results(out_dir, recipe: str) -> list[FoldResult]:
    """Every stored fold of ``recipe`` under ``out_dir``, in speaker order."""
    paths = [fold_path(out_dir, recipe, s) for s in datasets.FSDD_SPEAKERS]
    return [FoldResult.load(p) for p in paths if p.exists()]


LEVERS = [name for name in RECIPES if name.startswith("seed-")]  # one lever alone on the seed


def lever_row(base: list[FoldResult], folds: list[FoldResult]) -> dict:
    """One lever's LOSO summary beside its base recipe's (the same six speakers): the change
    in mean WER per decoder, in how many folds the digit-decoder WER fell, and a verdict.

    A change is only called one when the mean moved by at least :data:`MIN_DIFFERENCE` and
    most folds (at least four of six) moved the same way; anything less is "within noise"."""
    base_by = {f.test_speaker: f for f in base}
    if {f.test_speaker for f in folds} != set(base_by):
        raise ValueError(f"{folds[0].recipe if folds else 'lever'} and {base[0].recipe} were "
                         "not tested on the same speakers; run all six folds of both")
    s, b = summarize(folds), summarize(base)
    row = {"recipe": s["recipe"], "folds": s["folds"], "train_seconds": s["train_seconds"],
           "epochs": (min(f.epochs for f in folds), max(f.epochs for f in folds))}
    for decoder in ("greedy", "task"):
        delta = s[decoder]["mean_wer"] - b[decoder]["mean_wer"]
        lower = sum(getattr(f, decoder)["wer"] < getattr(base_by[f.test_speaker], decoder)["wer"]
                    for f in folds)
        majority = len(folds) // 2 + 1  # 4 of 6
        if delta <= -MIN_DIFFERENCE and lower >= majority:
            word = "better"
        elif delta >= MIN_DIFFERENCE and len(folds) - lower >= majority:
            word = "worse"
        else:
            word = "within noise"
        row[decoder] = {**s[decoder], "delta": round(delta, 4), "folds_lower": lower,
                        "verdict": word}
    return row


def compare_levers(out_dir, base: str = "seed", names=None) -> list[dict]:
    """:func:`lever_row` for every lever recipe (default :data:`LEVERS`) with all six folds
    stored; recipes still running are left out, never half-counted."""
    base_folds = load_results(out_dir, base)
    rows = []
    for name in names or LEVERS:
        folds = load_results(out_dir, name)
        if len(folds) == len(datasets.FSDD_SPEAKERS):
            rows.append(lever_row(base_folds, folds))
    return rows


def format_levers(rows: list[dict], base: str = "seed") -> str:
    """The rows of :func:`compare_levers` as a text table, best digit-decoder mean first."""
    head = (f"{'lever (alone on ' + base + ')':<22}{'epochs':>7}{'train s':>8}"
            f"{'greedy WER':>11}{'change':>8}{'task WER':>10}{'worst':>7}{'change':>8}"
            f"{'folds lower':>12}  verdict (digit decoder)")
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: r["task"]["mean_wer"]):
        g, t = r["greedy"], r["task"]
        epochs = f"{r['epochs'][0]}-{r['epochs'][1]}"
        lines.append(f"{r['recipe']:<22}{epochs:>7}{r['train_seconds']:>8.0f}"
                     f"{g['mean_wer']:>11.1%}{g['delta'] * 100:>+8.1f}{t['mean_wer']:>10.1%}"
                     f"{t['worst_wer']:>7.1%}{t['delta'] * 100:>+8.1f}"
                     f"{t['folds_lower']:>9} / {r['folds']}  {t['verdict']}")
    return "\n".join(lines)


def waterfall(out_dir, steps) -> list[dict]:
    """One row per ``(label, recipe, decoder)`` step with its LOSO summary: mean and worst
    WER and CER, the worst speaker and mean training seconds per fold. Steps whose recipe
    has no stored folds, or whose decoder not every fold measured (``averaged_task``), are
    left out (a row never mixes in a guess)."""
    rows = []
    for label, recipe, decoder in steps:
        results = load_results(out_dir, recipe)
        if not results:
            continue
        summary = summarize(results)
        if decoder not in summary:
            continue
        rows.append({"label": label, "recipe": recipe, "decoder": decoder,
                     "folds": summary["folds"], "train_seconds": summary["train_seconds"],
                     **summary[decoder]})
    return rows
