"""asrlib: the small speech-recognition library behind the asr-notebooks series.

One home per idea, in layers (each imports only from the layers before it):

- stages: ``audio`` → ``features`` → ``text``; ``model``, ``config`` (``Spec``: features,
  architecture, alphabet and decoder as one value; ``TrainConfig``), ``ctc``, ``decoding``
  (``DecoderSpec``), ``lm``, ``decoders`` (the one decoder factory), ``english_lm`` (the
  English word LM pocketsphinx ships, for sentences), ``metrics``.
- data: ``archives``, ``download``, ``corpora`` (one module per corpus: the registry),
  ``utterance``, ``datasets``, ``manifest``, ``voices``, ``augment``, ``pipeline``,
  ``shards``, ``shard_workers``, ``records``.
- training: ``checkpoint``, ``train``, ``distribute``.
- experiments: ``recipes`` (data), ``protocol`` (the shared outline), ``loso``, ``crossval``,
  ``results`` (stored results, summaries and tables), ``spelling`` (the AN4 recogniser).
- running: ``transcriber``, ``streaming`` (chunk by chunk, with a causal model), ``tflite``,
  ``export``, ``cli`` + ``cli_commands`` (``python -m asrlib``), ``demo``; for the notebooks
  ``runtime``, ``plots``, ``checks``, ``app``, ``recorder``, ``live``, ``traditional``.
- support: ``files`` (atomic writes, one-line errors, quiet C++ output).
"""

__version__ = "0.1.0"

SAMPLE_RATE = 16_000  # every waveform inside asrlib is mono float32 at 16 kHz
