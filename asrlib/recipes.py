"""Recipes: named ways to make a digits model, as data (no training code here).

A :class:`Recipe` is everything that decides a digits model except the data split:
features, architecture, optimiser and augmentation. Three families:

- :data:`RECIPES`: the recipes compared under leave-one-speaker-out over the six FSDD
  speakers (:mod:`asrlib.loso`): the seed, each lever alone on the seed (:data:`LEVERS`),
  and the combinations ``v4``, ``v5``, ``v4-pitch``, ``v4-helped``.
- :data:`CLAIMS`: the seed's claims, one variable at a time, each trained once on one fold.
- :data:`VOICE_RECIPES`: the many-voice recipes of the speaker-grouped cross-validation
  (:mod:`asrlib.crossval`), built on the best LOSO recipe.

Importing this module needs neither TensorFlow nor any corpus.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from asrlib.config import Spec, TrainConfig
from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig
from asrlib.text import Alphabet


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
        try:
            self.spec()  # the features must fit the model
        except ValueError as err:
            raise ValueError(f"recipe {self.name}: {err}") from None

    def to_dict(self) -> dict:
        return asdict(self)

    def spec(self, alphabet: Alphabet = Alphabet()) -> Spec:
        """The recipe's features and architecture with ``alphabet``, as one value."""
        return Spec(self.features, self.model, alphabet)


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
# Each lever alone on the seed's recipe: what one change is worth, measured under the same
# protocol (the waterfall of notebook 07 adds them up; notebook 11 has the tables).
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
# A recipe enters the tables and the waterfall only once all six of its folds are stored.
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
# Combinations: v4 (the best LOSO recipe) plus the lever that helped the seed most alone.
RECIPES["v4-pitch"] = replace(
    _V4, name="v4-pitch",
    description="v4 plus pitch shift (±2 semitones) of half the training strings: the best "
    "recipe plus the lever that helped the seed most under LOSO",
    effects=("pitch",),
)
# Only the levers that helped the seed alone, together: v4 without SpecAugment (within noise
# alone) and dropout (worse alone), with reverberation (better alone).
RECIPES["v4-helped"] = replace(
    _V4, name="v4-helped",
    description="the levers that helped alone, together: v4 + pitch without SpecAugment and "
    "dropout (neither helped the seed alone), plus synthetic reverberation (it did)",
    model=replace(_V4.model, dropout=0.0),
    train=replace(_V4.train, spec_augment=False),
    effects=("pitch", "reverb"),
)

LEVERS = [name for name in RECIPES if name.startswith("seed-")]  # one lever alone on the seed


# --- the seed's claims, one variable at a time (notebook 11, section 8) -------------------

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
        # the improvements, each alone on the seed's schedule (LOSO combines them)
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


# --- many voices (asrlib.crossval) ---------------------------------------------------------

_BASE = RECIPES["v4-helped"]
_FEATURES = replace(_BASE.features, pad_ms=100.0)
VOICE_RECIPES = {
    r.name: r
    for r in (
        replace(_BASE, name="voices",
                description="every training voice, with the best FSDD levers: BiLSTM, speed "
                "and loudness perturbation, pitch shift and reverberation, mel bands to 4 kHz "
                "(so 8 kHz and 16 kHz audio give the same features), 100 ms of silence added "
                "at both ends (a tightly cut clip reads like a padded one)",
                features=_FEATURES, n_train=1500),
        replace(_BASE, name="voices-noaug",
                description="every training voice, no augmentation (no perturbation, pitch or "
                "reverberation): more voices without more augmentation",
                features=_FEATURES, n_train=1500, perturb=False, effects=()),
    )
}
# the same recipe with another training seed (weights and batch order): the run-to-run noise
# that any one-fold difference has to beat
VOICE_RECIPES["voices-seed1"] = replace(
    VOICE_RECIPES["voices"], name="voices-seed1",
    description="the voices recipe again with training seed 1: its run-to-run noise",
    train=replace(VOICE_RECIPES["voices"].train, seed=1))
# Another model family under the same protocol: the recurrent part twice as deep (two
# BiLSTM(128) layers, the second reading the first's outputs), everything else the same.
VOICE_RECIPES["voices-deep"] = replace(
    VOICE_RECIPES["voices"], name="voices-deep",
    description="the voices recipe with two BiLSTM(128) layers instead of one: a deeper "
    "recurrent model, the same features, levers and protocol",
    model=replace(VOICE_RECIPES["voices"].model, lstm_layers=2))
# The streaming model (notebook 10): the same voices, levers and budget, but nothing that looks
# ahead: a forwards-only LSTM, a convolution over past frames, causal features with running
# normalisation. The normalisation's prior is the mean and spread of each raw causal feature
# over 200 LibriSpeech sample utterances of speakers no fold tests on
# (features.running_prior; tests/test_streaming.py recomputes it).
_CAUSAL_FEATURES = replace(
    _FEATURES, causal=True,
    norm_mean=(-228.6114, 25.9681, 11.2499, 4.0035, -3.3049, -2.1233, -1.8708, 0.3753, -2.8943,
               -0.1717, -1.6993, -2.4311, -1.8175),
    norm_std=(106.6739, 30.0931, 21.9664, 15.4704, 13.8442, 11.7704, 10.8123, 8.5181, 8.4768,
              7.5457, 6.9906, 6.5283, 5.8652))
VOICE_RECIPES["voices-causal"] = replace(
    VOICE_RECIPES["voices"], name="voices-causal",
    description="the voices recipe made causal, to stream: a forwards-only LSTM, a convolution "
    "over past frames only, causal features with running normalisation",
    features=_CAUSAL_FEATURES,
    model=replace(VOICE_RECIPES["voices"].model, bidirectional=False, causal=True))



# --- Sentences on a full corpus ------------------------------------------------------------
# A starting point for open-vocabulary sentences on LibriSpeech train-clean-100 (or more) and a
# GPU (notebook 09): 40 log-mel bands (up to 8 kHz) instead of 13 MFCC, the digits architecture
# made deeper and wider (two convolutions, three BiLSTM layers of 320), SpecAugment and dropout
# against overfitting, mixed precision for a GPU's tensor cores. A plan to measure, not a result.
SENTENCE_FEATURES = ("--features", "logmel")  # for `prepare`: shards carry their features
SENTENCE_FLAGS = (
    "--conv-layers", "2", "--filters", "32", "--lstm-layers", "3", "--units", "320",
    "--bidirectional", "--dropout", "0.2", "--spec-augment", "--lr", "1e-3",
    "--batch-size", "64", "--epochs", "60", "--patience", "8", "--precision", "mixed_float16",
)


def sentence_commands(subset: str = "train-clean-100", shards: str = "shards",
                      strategy: str = "mirrored") -> list[list[str]]:
    """The ``python -m asrlib`` commands of the sentence recipe: prepare the training and
    validation shards (LibriSpeech ``subset`` and dev-clean), then train on them."""
    train_dir, val_dir = f"{shards}/{subset}", f"{shards}/dev-clean"
    return [
        ["prepare", "--corpus", "librispeech", "--subset", subset, "--download", "--out",
         train_dir, *SENTENCE_FEATURES],
        ["prepare", "--corpus", "librispeech", "--subset", "dev-clean", "--download", "--out",
         val_dir, *SENTENCE_FEATURES],
        ["train", "--data", "shards", "--train-shards", train_dir, "--val-shards", val_dir,
         "--out", "sentences.keras", "--strategy", strategy, *SENTENCE_FLAGS],
    ]


# --- the AN4 recogniser (asrlib.spelling): letters, digits, number words and commands --------

# A frame every 20 ms (not 10): half the frames for the LSTMs, so twice the epochs in the same
# budget and half the compute when the live app re-reads an utterance; a 40 ms output frame
# still leaves every AN4 transcript room (notebook 03's frame budget).
AN4 = Recipe(
    "an4",
    "AN4 spelling model: 40 log-mel bands every 20 ms, one Conv2D + pool, 2 BiLSTM(192) "
    "layers, dropout 0.15, Adam 1e-3, batch 16, SpecAugment; each recording also once with "
    "speed/loudness perturbation and a random microphone EQ or background noise",
    features=FeatureConfig(kind="logmel", hop_ms=20.0),
    model=ModelConfig(n_features=40, lstm_layers=2, units=192, bidirectional=True,
                      dropout=0.15),
    train=TrainConfig(epochs=200, batch_size=16, learning_rate=1e-3, patience=12,
                      spec_augment=True),
    perturb=True,
    effects=("eq", "noise"),
)

# Notebook 05's AN4 model: small enough to leave the blank phase in about two minutes on a
# laptop's CPU. A frame every 20 ms (spelled letters are slow: a 40 ms output frame still
# leaves every AN4 transcript room), 16 filters, one BiLSTM(128); no augmentation, no dropout:
# in a few epochs they slow learning more than they help.
AN4_SMALL = Recipe(
    "an4-small",
    "small AN4 model for notebook 05: 40 log-mel bands every 20 ms, one Conv2D(16) + pool, "
    "one BiLSTM(128), Adam 2e-3, batch 16, no augmentation",
    features=FeatureConfig(kind="logmel", hop_ms=20.0),
    model=ModelConfig(n_features=40, filters=16, lstm_layers=1, units=128, bidirectional=True),
    train=TrainConfig(epochs=100, batch_size=16, learning_rate=2e-3, patience=100),
)
