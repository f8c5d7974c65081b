"""A traditional recogniser to compare with: pocketsphinx, offline, with its own English model.

pocketsphinx (CMU Sphinx) is the classic pipeline that end-to-end models replaced: MFCC
features, an HMM-GMM acoustic model of context-dependent phones, a pronunciation
dictionary (134,000 words) and a word trigram language model trained on far more text
than our transcripts. ``pip install pocketsphinx`` ships all of it; nothing is
downloaded at run time. Its model is for 16 kHz speech, so compare on 16 kHz audio
(LibriSpeech), not on 8 kHz FSDD (``../shared/NOTES.md``: WER 93 % on FSDD digits).

:func:`evaluate` scores it like our models (normalised text, corpus WER and CER, RTF on
one process); :func:`cached_evaluation` stores the result as JSON so that a notebook
reads it back instead of decoding again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from asrlib import SAMPLE_RATE, metrics
from asrlib.text import Alphabet

INSTALL_HINT = "pip install pocketsphinx==5.1.1 (it ships its own English model)"


class Pocketsphinx:
    """``Pocketsphinx()(samples)`` → normalised transcript of 16 kHz mono float audio.

    With ``words`` (e.g. the ten digit words) it decodes with a JSGF grammar that allows
    any sequence of those words instead of its English LM: the traditional way to tell a
    recogniser the task, as our digit-word lexicon does for the CTC beam.
    """

    def __init__(self, alphabet: Alphabet = Alphabet(), words=None):
        try:
            from pocketsphinx import Decoder
        except ImportError:
            raise RuntimeError(f"pocketsphinx is not installed: {INSTALL_HINT}") from None
        self.decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        self.alphabet = alphabet
        if words:
            self.decoder.add_jsgf_string("task", grammar(words))
            self.decoder.activate_search("task")

    def __call__(self, samples: np.ndarray) -> str:
        pcm = (np.clip(np.asarray(samples, np.float32), -1.0, 1.0) * 32767).astype(np.int16)
        self.decoder.start_utt()
        self.decoder.process_raw(pcm.tobytes(), full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return self.alphabet.normalize(hyp.hypstr if hyp is not None else "")


def grammar(words) -> str:
    """A JSGF grammar that accepts one or more of ``words``, in any order."""
    words = sorted({w.strip().lower() for w in words if w.strip()})
    if not words or not all(w.replace("'", "").isalpha() for w in words):
        raise ValueError(f"grammar words must be non-empty plain words, got {words!r}")
    return ("#JSGF V1.0;\ngrammar task;\npublic <utterance> = ( "
            + " | ".join(words) + " )+ ;\n")


def evaluate(utts, alphabet: Alphabet = Alphabet(), log=None, words=None) -> dict:
    """Transcribe ``utts`` with pocketsphinx: ids, refs, hyps, corpus WER/CER and RTF."""
    recogniser = Pocketsphinx(alphabet, words)
    ids, refs, hyps, seconds, audio_seconds = [], [], [], 0.0, 0.0
    for k, utt in enumerate(utts):
        samples = utt.load()
        start = time.perf_counter()
        hyps.append(recogniser(samples))
        seconds += time.perf_counter() - start
        audio_seconds += len(samples) / SAMPLE_RATE
        ids.append(utt.id)
        refs.append(alphabet.normalize(utt.text))
        if log and (k + 1) % 20 == 0:
            log(f"pocketsphinx: {k + 1}/{len(utts)}")
    return {
        "recogniser": "pocketsphinx 5.1.1, its bundled en-us acoustic model and dictionary, "
        + (f"a grammar of {len(set(words))} words" if words else "its bundled English LM"),
        "words": sorted(set(words)) if words else None,
        "ids": ids, "refs": refs, "hyps": hyps,
        "wer": round(metrics.wer(refs, hyps), 4), "cer": round(metrics.cer(refs, hyps), 4),
        "audio_seconds": round(audio_seconds, 2),
        "rtf": round(seconds / max(audio_seconds, 1e-9), 4),
    }


def cached_evaluation(utts, path, alphabet: Alphabet = Alphabet(), log=None, words=None) -> dict:
    """:func:`evaluate`, stored in ``path``; read back when it holds exactly these utterances
    (and the same grammar words)."""
    path = Path(path)
    wanted = [u.id for u in utts]
    if path.exists():
        try:
            stored = json.loads(path.read_text())
        except ValueError as err:
            raise ValueError(f"{path}: not a stored evaluation ({err}); delete it to rerun") \
                from None
        same_words = stored.get("words") == (sorted(set(words)) if words else None)
        if stored.get("ids") == wanted and same_words:
            return stored
    result = evaluate(utts, alphabet, log, words)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    return result
