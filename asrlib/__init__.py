"""asrlib: the small speech-recognition library behind the asr-notebooks series.

One module per pipeline stage: ``audio`` → ``features`` → ``text`` →
``datasets`` → ``pipeline`` → ``model`` → ``ctc`` → ``decoding`` →
``metrics`` → ``train``; ``transcriber`` ties a saved model to audio files and
``cli`` is the command line (``python -m asrlib``).
"""

__version__ = "0.1.0"

SAMPLE_RATE = 16_000  # every waveform inside asrlib is mono float32 at 16 kHz
