"""Training: compile with CTC + Adam, fit with validation CER/WER, checkpoints and resume."""

from __future__ import annotations

import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np

from asrlib import checkpoint, decoding, metrics
from asrlib.ctc import CTCLoss
from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig, predict_probs
from asrlib.pipeline import Example, make_dataset
from asrlib.text import Alphabet


@dataclass(frozen=True)
class TrainConfig:
    """How to train; saved with the model in ``info['train']``."""

    epochs: int = 30
    batch_size: int = 32  # global batch: split across replicas under tf.distribute
    learning_rate: float = 1e-3
    clipnorm: float = 5.0  # gradient clipping keeps early CTC steps from exploding
    patience: int = 6  # early stopping: epochs without a better validation CER
    seed: int = 0
    time_budget: float | None = None  # seconds; stop after the epoch that passes it
    fast_ctc: bool = True  # tf.nn.ctc_loss on sparse labels (else keras.ops.ctc_loss)
    spec_augment: bool = False  # random feature-band and time masks on training batches

    def to_dict(self) -> dict:
        return asdict(self)


def compile_model(model, config: ModelConfig, train: TrainConfig = TrainConfig()):
    """Attach the CTC loss and Adam (with gradient clipping) to ``model``."""
    model.compile(
        optimizer=keras.optimizers.Adam(train.learning_rate, clipnorm=train.clipnorm),
        loss=CTCLoss(config, fast=train.fast_ctc),
    )
    return model


def evaluate_examples(model, examples: list[Example], config: ModelConfig, alphabet: Alphabet):
    """Greedy-decode ``examples`` → dict with corpus ``cer``, ``wer`` and the hypotheses."""
    probs = predict_probs(model, [e.features for e in examples], config)
    hyps = [alphabet.decode(decoding.greedy(p)) for p in probs]
    refs = [e.text for e in examples]
    return {"cer": metrics.cer(refs, hyps), "wer": metrics.wer(refs, hyps), "hyps": hyps}


class ValidationMetrics(keras.callbacks.Callback):
    """Greedy CER/WER on the validation examples after every epoch, added to the logs.

    ``samples[epoch]`` keeps the greedy transcripts of the first ``keep`` examples, so a
    notebook can show what the model wrote as it learned (the "blank phase" first).
    """

    def __init__(self, examples: list[Example], config: ModelConfig, alphabet: Alphabet,
                 keep: int = 3):
        super().__init__()
        self.examples, self.config, self.alphabet, self.keep = examples, config, alphabet, keep
        self.samples: list[list[str]] = []

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        result = evaluate_examples(self.model, self.examples, self.config, self.alphabet)
        logs["val_cer"], logs["val_wer"] = result["cer"], result["wer"]
        self.samples.append(result["hyps"][: self.keep])


class SaveBest(keras.callbacks.Callback):
    """Save the model (with its configs) whenever validation CER improves."""

    def __init__(self, path, features, config, alphabet, info):
        super().__init__()
        self.path, self.features, self.config, self.alphabet = path, features, config, alphabet
        self.info, self.best = info, np.inf

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        score = logs.get("val_cer", np.inf)
        if score < self.best:
            self.best = score
            meta = dict(self.info, epoch=epoch + 1, val_cer=score, val_wer=logs.get("val_wer"))
            checkpoint.save(self.path, self.model, self.features, self.config, self.alphabet, meta)


class TimeBudget(keras.callbacks.Callback):
    """Stop training after the first epoch that ends past ``seconds``."""

    def __init__(self, seconds: float | None):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        if self.seconds and time.monotonic() - self.start > self.seconds:
            self.model.stop_training = True


def make_callbacks(
    val_examples,
    out_path,
    features: FeatureConfig,
    config: ModelConfig,
    alphabet: Alphabet,
    train: TrainConfig,
    backup_dir=None,
    info=None,
):
    """Validation metrics, best-checkpoint saving, early stopping, time budget, resume, CSV log."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    callbacks = [
        ValidationMetrics(val_examples, config, alphabet),
        SaveBest(out_path, features, config, alphabet, dict(info or {}, train=train.to_dict())),
        keras.callbacks.EarlyStopping(
            monitor="val_cer", mode="min", patience=train.patience, restore_best_weights=True
        ),
        TimeBudget(train.time_budget),
        keras.callbacks.CSVLogger(str(out_path.with_suffix(".log.csv")), append=bool(backup_dir)),
    ]
    if backup_dir:
        # Resume after an interruption: restores weights, optimizer and epoch.
        callbacks.append(keras.callbacks.BackupAndRestore(str(backup_dir), delete_checkpoint=False))
    return callbacks


def fit(
    train_examples: list[Example],
    val_examples: list[Example],
    out_path,
    features: FeatureConfig = FeatureConfig(),
    config: ModelConfig = ModelConfig(),
    alphabet: Alphabet = Alphabet(),
    train: TrainConfig = TrainConfig(),
    backup_dir=None,
    info=None,
    verbose: int = 2,
):
    """Train a model from ``config``, saving the best epoch to ``out_path``; → (model, history)."""
    from asrlib.model import build_model

    keras.utils.set_random_seed(train.seed)
    model = compile_model(build_model(config), config, train)
    ds = make_dataset(
        train_examples, train.batch_size, seed=train.seed, spec_augment=train.spec_augment
    )
    callbacks = make_callbacks(
        val_examples, out_path, features, config, alphabet, train, backup_dir, info
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ran out of data.*")
        warnings.filterwarnings("ignore", message=".*shuffle=True.*")
        history = model.fit(ds, epochs=train.epochs, callbacks=callbacks, verbose=verbose)
    return model, history


def fine_tune(
    bundle: checkpoint.Bundle,
    examples: list[Example],
    epochs: int = 30,
    learning_rate: float = 3e-4,
    batch_size: int = 8,
    spec_augment: bool = True,
    seed: int = 0,
):
    """A copy of ``bundle`` whose model trained further on ``examples`` (e.g. a few strings
    of a new voice); the original model is untouched. → ``(new bundle, Keras history)``.

    A small learning rate and SpecAugment keep a handful of strings from wiping out what
    the model knew; the model keeps its configs, alphabet and task decoder.
    """
    from dataclasses import replace

    if not examples:
        raise ValueError("fine_tune needs at least one example (record a few strings first)")
    keras.utils.set_random_seed(seed)
    model = keras.models.clone_model(bundle.model)
    model.set_weights(bundle.model.get_weights())
    compile_model(model, bundle.config, TrainConfig(learning_rate=learning_rate))
    ds = make_dataset(examples, batch_size, seed=seed, spec_augment=spec_augment)
    history = model.fit(ds, epochs=epochs, verbose=0)
    info = {**bundle.info, "fine_tuned": {"examples": len(examples), "epochs": epochs,
                                          "learning_rate": learning_rate}}
    return replace(bundle, model=model, info=info), history
