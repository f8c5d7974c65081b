"""Training: compile with CTC + Adam, fit with validation CER/WER, checkpoints and resume.

The Keras side of training: the callbacks and :func:`fit`. What to train is a
:class:`asrlib.config.Spec` and how, a :class:`asrlib.config.TrainConfig`; both import
without TensorFlow, this module does not.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import keras
import numpy as np

from asrlib import checkpoint, decoding, metrics
from asrlib.config import Spec, TrainConfig
from asrlib.ctc import CTCLoss
from asrlib.model import ModelConfig, predict_probs
from asrlib.pipeline import Example, make_dataset


def compile_model(model, config: ModelConfig, train: TrainConfig = TrainConfig()):
    """Attach the CTC loss and Adam (with gradient clipping) to ``model``."""
    model.compile(
        optimizer=keras.optimizers.Adam(train.learning_rate, clipnorm=train.clipnorm),
        loss=CTCLoss(config, fast=train.fast_ctc),
        jit_compile=train.jit_compile,
    )
    return model


def evaluate_examples(model, examples: list[Example], spec: Spec):
    """Greedy-decode ``examples`` → dict with corpus ``cer``, ``wer`` and the hypotheses."""
    probs = predict_probs(model, [e.features for e in examples], spec.model)
    hyps = [spec.alphabet.decode(decoding.greedy(p)) for p in probs]
    refs = [e.text for e in examples]
    return {"cer": metrics.cer(refs, hyps), "wer": metrics.wer(refs, hyps), "hyps": hyps}


class ValidationMetrics(keras.callbacks.Callback):
    """Greedy CER/WER on the validation examples after every epoch, added to the logs.

    ``samples[epoch]`` keeps the greedy transcripts of the first ``keep`` examples, so a
    notebook can show what the model wrote as it learned (the "blank phase" first).
    """

    def __init__(self, examples: list[Example], spec: Spec, keep: int = 3):
        super().__init__()
        self.examples, self.spec, self.keep = examples, spec, keep
        self.samples: list[list[str]] = []

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        result = evaluate_examples(self.model, self.examples, self.spec)
        logs["val_cer"], logs["val_wer"] = result["cer"], result["wer"]
        self.samples.append(result["hyps"][: self.keep])


class KeepBest(keras.callbacks.Callback):
    """Keep the weights of the epoch with the best validation CER, and write the model file
    once, when training ends, holding them (``write=False``: the caller writes it, e.g. with
    the decoder it tunes on those weights). With ``backup_dir`` the best weights also go to
    ``best_weights.npz`` there, so an interrupted run that resumes still knows its best epoch.
    """

    def __init__(self, path, spec: Spec, info, write: bool = True, backup_dir=None,
                 chief: bool = True):
        super().__init__()
        self.path, self.spec, self.info, self.write = path, spec, dict(info or {}), write
        self.store = Path(backup_dir) / "best_weights.npz" if backup_dir else None
        self.chief, self.best, self.weights, self.meta = chief, np.inf, None, {}

    def on_train_begin(self, logs=None):
        if self.store is not None and self.store.is_file() and not self.weights:
            meta = json.loads(self.store.with_suffix(".json").read_text())
            self.best, self.meta = meta.pop("score"), meta
            with np.load(self.store) as stored:
                self.weights = [stored[f"arr_{i}"] for i in range(len(stored.files))]

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        score = logs.get("val_cer", np.inf)
        if score < self.best:
            self.best, self.weights = score, self.model.get_weights()
            self.meta = {"epoch": epoch + 1, "val_cer": score, "val_wer": logs.get("val_wer")}
            if self.store is not None and self.chief:
                self.store.parent.mkdir(parents=True, exist_ok=True)
                np.savez(self.store, *self.weights)
                self.store.with_suffix(".json").write_text(json.dumps(
                    {**self.meta, "score": score}))

    def on_train_end(self, logs=None):
        if self.weights is None:
            return
        self.model.set_weights(self.weights)
        if self.write and self.chief:
            checkpoint.save(self.path, self.model, self.spec, self.record())

    def record(self) -> dict:
        """The model file's ``info``: the run's record with the kept epoch and its scores."""
        return {**self.info, **self.meta}


class KeepLastWeights(keras.callbacks.Callback):
    """Keep a copy of the weights after each of the last ``k`` epochs (for averaging)."""

    def __init__(self, k: int = 3):
        super().__init__()
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self.k, self.weights, self.epochs = k, [], []

    def on_epoch_end(self, epoch, logs=None):
        self.weights = [*self.weights, self.model.get_weights()][-self.k:]
        self.epochs = [*self.epochs, epoch + 1][-self.k:]


def average_weights(weight_lists: list[list[np.ndarray]]) -> list[np.ndarray]:
    """Element-wise mean of several copies of one model's weights (checkpoint averaging)."""
    if not weight_lists:
        raise ValueError("no weights to average")
    shapes = [[w.shape for w in ws] for ws in weight_lists]
    if any(s != shapes[0] for s in shapes):
        raise ValueError("the weights to average come from models of different shapes")
    return [np.mean(np.stack(ws), axis=0).astype(ws[0].dtype) for ws in zip(*weight_lists)]


class TimeBudget(keras.callbacks.Callback):
    """Stop training after the first epoch that ends past ``seconds``. Every epoch's logs
    (and so the CSV log) get ``seconds``: wall time since training started, validation
    included (a resumed run counts from its restart), for learning curves against time."""

    def __init__(self, seconds: float | None):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.monotonic() - self.start
        if logs is not None:
            logs["seconds"] = round(elapsed, 1)
        if self.seconds and elapsed > self.seconds:
            self.model.stop_training = True


def make_callbacks(
    val_examples,
    out_path,
    spec: Spec,
    train: TrainConfig,
    backup_dir=None,
    info=None,
    worker=None,
    write: bool = True,
):
    """Validation metrics, the best epoch kept (and written once at the end, unless
    ``write=False``), early stopping, time budget, resume, CSV log.

    With several workers (``worker``, see :mod:`asrlib.distribute`) every worker runs the
    same validation and stopping rules, so they stop together; only the chief writes the
    model, the main log and the backup, and every worker restores the chief's backup.
    """
    from asrlib import distribute

    worker = worker or distribute.Worker()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    log = out_path.with_suffix(".log.csv")
    if not worker.is_chief:
        log = out_path.with_name(f"{out_path.stem}.worker{worker.index}.log.csv")
    info = dict(info or {}, train=train.to_dict())
    callbacks = [ValidationMetrics(val_examples, spec),
                 KeepBest(out_path, spec, info, write, backup_dir, worker.is_chief)]
    callbacks += [
        keras.callbacks.EarlyStopping(monitor="val_cer", mode="min", patience=train.patience),
        TimeBudget(train.time_budget),
        keras.callbacks.CSVLogger(str(log), append=bool(backup_dir)),
    ]
    if backup_dir:
        # Resume after an interruption: restores weights, optimizer and epoch.
        callbacks.append(distribute.chief_backup(backup_dir, worker))
    return callbacks


def fit(
    train_examples,
    val_examples: list[Example],
    out_path,
    spec: Spec = Spec(),
    train: TrainConfig = TrainConfig(),
    backup_dir=None,
    info=None,
    verbose: int = 2,
    strategy=None,
    drop_remainder: bool | None = None,
    extra_callbacks=(),
    write: bool = True,
):
    """Train a model of ``spec``, keeping its best epoch; → (model, history). The model holds
    the best epoch's weights; ``history.record`` is the model file's ``info`` (the run, the
    training config, the epoch and its validation scores), written once to ``out_path`` at
    the end unless ``write=False`` (the caller then writes it, see :mod:`asrlib.protocol`).

    ``train_examples`` is a list of :class:`Example` or a folder of TFRecord shards
    written by ``python -m asrlib prepare`` (read with :func:`asrlib.shards.shard_dataset`).
    ``strategy`` is a ``tf.distribute`` strategy (default: one device); the model and its
    optimizer are created in its scope and ``train.batch_size`` is the global batch.
    ``drop_remainder`` (default: only with more than one replica) keeps batches full.
    ``extra_callbacks`` run after asrlib's own (e.g. :class:`KeepLastWeights`).
    """
    from asrlib import distribute
    from asrlib.model import build_model

    strategy = strategy or distribute.make_strategy("default")
    replicas = strategy.num_replicas_in_sync
    distribute.check_batch(train.batch_size, replicas)
    me = distribute.worker(strategy)
    if me.count > 1 and train.time_budget:
        raise distribute.DistributeError(
            "a time budget is not supported with several workers (their clocks would stop "
            "them at different epochs); train for a number of epochs instead"
        )
    if drop_remainder is None:
        drop_remainder = replicas > 1
    keras.utils.set_random_seed(train.seed)
    with strategy.scope():
        model = compile_model(build_model(spec.model, precision=train.precision), spec.model,
                              train)
    if isinstance(train_examples, (str, Path)):
        from asrlib import shards

        ds = shards.shard_dataset(train_examples, train.batch_size, seed=train.seed,
                                  spec_augment=train.spec_augment,
                                  drop_remainder=drop_remainder)
    else:
        ds = make_dataset(train_examples, train.batch_size, seed=train.seed,
                          spec_augment=train.spec_augment, drop_remainder=drop_remainder)
    callbacks = make_callbacks(
        val_examples, out_path, spec, train, backup_dir, info, me, write
    ) + list(extra_callbacks)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ran out of data.*")
        warnings.filterwarnings("ignore", message=".*shuffle=True.*")
        history = model.fit(ds, epochs=train.epochs, callbacks=callbacks, verbose=verbose)
    history.record = next(c for c in callbacks if isinstance(c, KeepBest)).record()
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
    model = checkpoint.copy_model(bundle.model)
    compile_model(model, bundle.spec.model, TrainConfig(learning_rate=learning_rate))
    ds = make_dataset(examples, batch_size, seed=seed, spec_augment=spec_augment)
    history = model.fit(ds, epochs=epochs, verbose=0)
    info = {**bundle.info, "fine_tuned": {"examples": len(examples), "epochs": epochs,
                                          "learning_rate": learning_rate}}
    return replace(bundle, model=model, info=info), history


class KeepPosteriorgrams(keras.callbacks.Callback):
    """The posteriorgram of one fixed example after chosen epochs (counting from 1).

    ``probs[epoch]`` is the model's ``(time, classes)`` output for ``example`` at the end of
    that epoch, so a notebook can show the blank phase and then the letters' spikes."""

    def __init__(self, example: Example, spec: Spec, epochs=(1, 3, 8)):
        super().__init__()
        self.example, self.spec, self.epochs = example, spec, set(epochs)
        self.probs: dict[int, np.ndarray] = {}

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.probs[epoch + 1] = predict_probs(self.model, [self.example.features],
                                                  self.spec.model)[0]
