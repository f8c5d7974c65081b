"""Configs: what decides a model, as frozen values that import without TensorFlow.

- :class:`Spec`: the features, the architecture, the alphabet and the decoder, travelling as
  one value: what turns audio into the model's input and its output back into text. Every
  model file carries it (``asrlib.json``); :func:`Spec.from_dict` is the one parser of that
  record, and it checks that the parts agree (features = the network's input width, the
  alphabet's size = its outputs, the decoder's lexicon spelled in the alphabet).
- :class:`TrainConfig`: how to train (optimiser, batch, stopping, augmentation switches).

The parts live beside the code they drive: :class:`asrlib.features.FeatureConfig`,
:class:`asrlib.model.ModelConfig`, :class:`asrlib.text.Alphabet`,
:class:`asrlib.decoding.DecoderSpec`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from asrlib.decoding import DecoderSpec
from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig
from asrlib.text import Alphabet

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


@dataclass(frozen=True)
class Spec:
    """Features, architecture, alphabet and decoder of one model: ``Spec()`` is the seed's."""

    features: FeatureConfig = FeatureConfig()
    model: ModelConfig = ModelConfig()
    alphabet: Alphabet = Alphabet()
    decoder: DecoderSpec = DecoderSpec()

    def __post_init__(self):
        if self.features.n_features != self.model.n_features:
            raise ValueError(
                f"{self.features.n_features} features per frame but the model expects "
                f"{self.model.n_features} ({self.features.kind} features)"
            )
        if self.model.n_classes != self.alphabet.size:
            raise ValueError(f"the alphabet has {self.alphabet.size} symbols (blank included) "
                             f"but the model has {self.model.n_classes} outputs")
        if self.decoder.lm is not None:
            symbols = set(self.alphabet.symbols)
            unspellable = sorted(w for w in self.decoder.lm.get("vocab", ()) if set(w) - symbols)
            if unspellable:
                raise ValueError(f"the decoder's lexicon has words the alphabet cannot spell "
                                 f"(e.g. {', '.join(map(repr, unspellable[:3]))})")

    def to_dict(self) -> dict:
        """The record a model file stores (``features``, ``model``, ``alphabet``,
        ``decoder``)."""
        return {"features": self.features.to_dict(), "model": self.model.to_dict(),
                "alphabet": self.alphabet.to_dict(), "decoder": self.decoder.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> Spec:
        """Read :meth:`to_dict`'s record (other keys such as ``info`` are ignored; a file
        written before decoders were part of the spec keeps its decoder in
        ``info["decoder"]``, or has none: greedy); raises ``ValueError`` naming what is
        wrong."""
        try:
            decoder = data.get("decoder") or (data.get("info") or {}).get("decoder")
            return cls(FeatureConfig.from_dict(data["features"]),
                       ModelConfig.from_dict(data["model"]),
                       Alphabet.from_dict(data["alphabet"]),
                       DecoderSpec.from_dict(decoder) if decoder else DecoderSpec())
        except KeyError as err:
            raise ValueError(f"no {err.args[0]!r} record") from None
        except (TypeError, AttributeError, ArithmeticError) as err:
            raise ValueError(str(err)) from None


@dataclass(frozen=True)
class TrainConfig:
    """How to train; saved with the model in ``info['train']``."""

    epochs: int = 30
    batch_size: int = 32  # global batch: split across replicas under tf.distribute
    learning_rate: float = 1e-3
    # gradient clipping keeps early CTC steps from exploding. Keras 3 clips each replica's
    # gradients before they are summed, so with several replicas the clipped step differs
    # slightly from one device's (see asrlib.distribute); None turns clipping off.
    clipnorm: float | None = 5.0
    patience: int = 6  # early stopping: epochs without a better validation CER
    seed: int = 0
    time_budget: float | None = None  # seconds; stop after the epoch that passes it
    fast_ctc: bool = True  # tf.nn.ctc_loss on sparse labels (else keras.ops.ctc_loss)
    spec_augment: bool = False  # random feature-band and time masks on training batches
    precision: str = "float32"  # or mixed_float16 / mixed_bfloat16 (the loss stays float32)
    jit_compile: bool = False  # XLA-compile the training step

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")

    def to_dict(self) -> dict:
        return asdict(self)
