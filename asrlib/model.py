"""Model: the seed's CNN + LSTM acoustic model, with switches for its improvements.

Seed architecture (``ModelConfig()``), for T input frames of 13 MFCC::

    Input (batch, T, 13)
    → Reshape            (batch, T, 13, 1)      add a channel axis for Conv2D
    → Conv2D(32, 3×3)    (batch, T, 13, 32)     ReLU, 'same' padding
    → MaxPooling2D(2×2)  (batch, T//2, 6, 32)   halves time and frequency
    → Reshape            (batch, T//2, 192)     the seed's "Flatten": keeps time
    → LSTM(128)          (batch, T//2, 128)     return_sequences=True
    → Dense(28, softmax) (batch, T//2, 28)      one distribution per frame

The model ends in softmax (as the seed); the CTC loss takes ``log`` of it.
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass

import numpy as np

ATTENTION_HEADS = 4


# the largest value of each size a record may state (far above any model here; a record that
# states more was not written by asrlib)
_LARGEST = {"n_features": 512, "n_classes": 4096, "conv_layers": 16, "filters": 1024,
            "lstm_layers": 16, "units": 4096}


@dataclass(frozen=True)
class ModelConfig:
    """Architecture switches; ``ModelConfig()`` is exactly the seed model."""

    n_features: int = 13  # input width: 13 MFCC
    n_classes: int = 28  # output width: blank, space, a–z
    conv_layers: int = 1  # 3×3 'same' Conv2D layers before the pooling
    filters: int = 32
    pool: bool = True  # one 2×2 max-pool: halves time (the CTC frame budget) and frequency
    lstm_layers: int = 1
    units: int = 128
    bidirectional: bool = False
    dropout: float = 0.0  # after the CNN block and after each LSTM layer
    attention: bool = False  # self-attention over the LSTM outputs (4 heads), residual + norm
    # streaming: no look-ahead. Each Conv2D sees the frame and the two before it (zeros before
    # the first), not one frame ahead; the LSTM runs forwards only. The 2×2 pool still waits
    # for the second frame of its pair: an output frame is ready 20 ms after its first input.
    causal: bool = False

    def __post_init__(self):
        for name, high in _LARGEST.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (
                    0 if name == "conv_layers" else 1):
                raise ValueError(f"ModelConfig.{name} must be a positive whole number, got "
                                 f"{value!r}")
            if value > high:
                raise ValueError(f"ModelConfig.{name} is {value}, more than a model of this "
                                 f"series has (at most {high})")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, (int, float)) or not (
                0.0 <= self.dropout < 1.0):
            raise ValueError(f"ModelConfig.dropout must be in [0, 1), got {self.dropout}")
        if self.pool and self.n_features < 2:
            raise ValueError("pooling needs at least 2 features")
        if self.causal and (self.bidirectional or self.attention):
            raise ValueError("a causal model cannot look ahead: it takes neither a bidirectional "
                             "LSTM nor self-attention over the whole utterance")

    @property
    def time_stride(self) -> int:
        """Input frames per output frame."""
        return 2 if self.pool else 1

    @property
    def sequence_width(self) -> int:
        """Features per frame after the CNN block: pooled frequency bins × channels (192)."""
        freq = self.n_features // 2 if self.pool else self.n_features
        return freq * (self.filters if self.conv_layers else 1)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        return cls(**data)


def output_lengths(input_lengths, config: ModelConfig = ModelConfig()):
    """Output frames for each input length: the ONE place the time downsampling is computed.

    MaxPooling2D with 'valid' padding keeps ``floor(T / 2)`` frames. Works on
    ints, NumPy arrays and tensors alike (integer floor division). How many output
    frames a transcript needs is :func:`asrlib.ctc.min_frames`.
    """
    if isinstance(input_lengths, (list, tuple)):
        input_lengths = np.asarray(input_lengths)
    return input_lengths // config.time_stride


def build_model(config: ModelConfig = ModelConfig(), name: str = "asr",
                precision: str = "float32"):
    """Keras model: ``(batch, time, n_features)`` → ``(batch, time', n_classes)`` softmax.

    ``precision="mixed_float16"`` (or ``mixed_bfloat16``) computes the layers in 16 bits
    with float32 weights; the softmax stays float32, so the CTC loss's ``log`` of small
    probabilities is taken at full precision.
    """
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        return _build(config, name)
    finally:
        keras.config.set_dtype_policy(previous)


def _build(config: ModelConfig, name: str):
    import keras
    from keras import layers

    c = config
    inputs = keras.Input(shape=(None, c.n_features), name="features")
    x = layers.Reshape((-1, c.n_features, 1), name="add_channel")(inputs)
    for i in range(c.conv_layers):
        if c.causal:  # two past frames in time (none ahead), one bin each side in frequency
            x = layers.ZeroPadding2D(((2, 0), (1, 1)), name=f"causal_pad{i + 1}")(x)
        x = layers.Conv2D(c.filters, 3, padding="valid" if c.causal else "same",
                          activation="relu", name=f"conv{i + 1}")(x)
    if c.pool:
        x = layers.MaxPooling2D((2, 2), name="pool")(x)
    x = layers.Reshape((-1, c.sequence_width), name="to_sequence")(x)
    if c.dropout:
        x = layers.Dropout(c.dropout, name="cnn_dropout")(x)
    for i in range(c.lstm_layers):
        lstm = layers.LSTM(c.units, return_sequences=True, name=f"lstm{i + 1}")
        if c.bidirectional:
            lstm = layers.Bidirectional(lstm, name=f"bilstm{i + 1}")
        x = lstm(x)
        if c.dropout:
            x = layers.Dropout(c.dropout, name=f"lstm{i + 1}_dropout")(x)
    if c.attention:  # every frame looks at every other frame of the utterance
        width = c.units * (2 if c.bidirectional else 1)
        attended = layers.MultiHeadAttention(ATTENTION_HEADS, width // ATTENTION_HEADS,
                                             name="attention")(x, x)
        x = layers.LayerNormalization(name="attention_norm")(layers.Add(name="residual")(
            [x, attended]))
    # Dense on a 3-D tensor acts on the last axis of every frame: the same
    # weights as TimeDistributed(Dense), without its Keras 3 retracing problem.
    outputs = layers.Dense(c.n_classes, activation="softmax", name="softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=name)


def param_counts(config: ModelConfig = ModelConfig()) -> dict[str, int]:
    """Trainable parameters of each layer of :func:`build_model`, counted by formula.

    Conv2D: kernel 3·3·in_channels·filters + one bias per filter. LSTM: 4 gates, each
    with input weights, recurrent weights and a bias: 4·(in + units + 1)·units (twice
    for a Bidirectional one). Attention: four width × width projections with biases,
    and a LayerNorm's scale and offset. Dense: in·classes + classes. Layers without
    weights are left out.
    """
    c = config
    counts, channels = {}, 1
    for i in range(c.conv_layers):
        counts[f"conv{i + 1}"] = 3 * 3 * channels * c.filters + c.filters
        channels = c.filters
    width = c.sequence_width
    for i in range(c.lstm_layers):
        lstm = 4 * (width + c.units + 1) * c.units
        directions = 2 if c.bidirectional else 1
        counts[f"bilstm{i + 1}" if c.bidirectional else f"lstm{i + 1}"] = directions * lstm
        width = directions * c.units
    if c.attention:  # query, key, value and output projections, each with biases; then norm
        inner = ATTENTION_HEADS * (width // ATTENTION_HEADS)
        counts["attention"] = 3 * (width * inner + inner) + inner * width + width
        counts["attention_norm"] = 2 * width
    counts["softmax"] = width * c.n_classes + c.n_classes
    return counts


def layer_outputs(model, x: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer's output for the batch ``x`` (inference mode), by layer name, in order.

    The input layer is included (it returns ``x``). Needs at least ``time_stride`` frames.
    """
    import keras

    probe = keras.Model(model.input, [layer.output for layer in model.layers])
    outputs = probe(np.asarray(x, np.float32), training=False)
    return {layer.name: np.asarray(out) for layer, out in zip(model.layers, outputs)}


def predict_probs(model, feats: list[np.ndarray], config: ModelConfig, batch_size: int = 32):
    """Per-frame probabilities ``(time', n_classes)`` for each ``(time, n_features)`` matrix.

    Utterances are batched by similar length (fewer padded frames) and each
    result is cut to its own :func:`output_lengths`.
    """
    too_short = [i for i, f in enumerate(feats) if len(f) < config.time_stride]
    if too_short:
        raise ValueError(
            f"utterance(s) {too_short} have fewer than {config.time_stride} feature frames; "
            "the model needs at least that much audio"
        )
    order = np.argsort([len(f) for f in feats], kind="stable")
    out: list = [None] * len(feats)
    forward = _local_forward(model) if _multiworker(model) else model.predict_on_batch
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        longest = max(len(feats[i]) for i in idx)
        x = np.zeros((len(idx), longest, config.n_features), np.float32)
        for row, i in enumerate(idx):
            x[row, : len(feats[i])] = feats[i]
        probs = np.asarray(forward(x))
        for row, i in enumerate(idx):
            out[i] = probs[row, : int(output_lengths(len(feats[i]), config))]
    return out


# model → its _local_forward function. Weak keys: an entry goes when its model does, so the
# cache cannot grow without bound or hand a dead model's function to a new one.
_LOCAL_FORWARD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _multiworker(model) -> bool:
    strategy = getattr(model, "_distribute_strategy", None)
    return type(strategy).__name__.startswith(("MultiWorkerMirrored", "CollectiveAllReduce"))


def _local_forward(model):
    """A compiled forward pass that stays on this worker: under MultiWorkerMirroredStrategy
    ``predict_on_batch`` is a collective (every worker must call it and the outputs are
    gathered), while validation runs the same batches on each worker independently."""
    import tensorflow as tf

    forward = _LOCAL_FORWARD.get(model)
    if forward is None:
        # the function holds the model only weakly, or the model would keep its own key alive
        ref = weakref.ref(model)
        forward = tf.function(lambda x: ref()(x, training=False), reduce_retracing=True)
        _LOCAL_FORWARD[model] = forward
    return forward
