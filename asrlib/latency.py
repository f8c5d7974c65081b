"""Latency and accuracy of live transcription (notebook 10): when each spoken word ends (the
forced alignment of its reference), when a partial transcript first shows it, and per chunk
size the latency, the compute on one core and the partial and final word error rates of a
streaming model (:mod:`asrlib.streaming`), alone or with a whole-utterance model's final.
"""

from __future__ import annotations

import numpy as np

from asrlib import checkpoint
from asrlib.streaming import LiveTranscriber, TwoPassTranscriber, Update, stream


def word_ends(bundle: checkpoint.Bundle, samples: np.ndarray, text: str) -> list[float]:
    """When each word of ``text`` ends in ``samples`` (seconds from the start), read from the
    forced alignment (:func:`asrlib.ctc.forced_align`) of ``text`` with ``bundle``'s
    posteriors: the end of the last output frame of the word's last letter. A model that sees
    the whole utterance (a bidirectional one) gives the best estimate."""
    from asrlib import ctc, features
    from asrlib.model import predict_probs

    words = text.split()
    text = " ".join(words)
    probs = predict_probs(bundle.model, [features.compute(samples, bundle.features)],
                          bundle.spec.model)[0]
    path = ctc.forced_align(np.log(np.maximum(probs, 1e-12)), bundle.alphabet.encode(text))
    frame_s = bundle.features.hop_ms / 1000 * bundle.spec.model.time_stride
    word_of_letter = np.cumsum([ch == " " for ch in text])
    last = [0] * len(words)
    for t, row in enumerate(path.rows):
        if row % 2 == 1 and text[(row - 1) // 2] != " ":
            last[word_of_letter[(row - 1) // 2]] = t
    return [max(0.0, (t + 1) * frame_s - bundle.features.pad_ms / 1000) for t in last]


def word_latencies(updates: list[Update], words: list[str], ends: list[float]) -> list:
    """For each reference word, the seconds from its end (``ends``) to the first update that
    shows it in its place: the chunk's last sample arrives at ``audio_seconds`` and the update
    is ready ``compute_seconds`` later. ``None`` for a word never shown right."""
    out = []
    for i, (word, end) in enumerate(zip(words, ends)):
        shown = next((u.audio_seconds + u.compute_seconds for u in updates
                      if len(u.words) > i and u.words[i] == word), None)
        out.append(None if shown is None else shown - end)
    return out


def measure(bundle: checkpoint.Bundle, aligner: checkpoint.Bundle, clips,
            chunk_ms=(100, 200, 300), threads: int | None = 1,
            final: checkpoint.Bundle | None = None) -> list[dict]:
    """Latency, compute and accuracy of streaming ``bundle`` over ``clips`` (``(transcript,
    16 kHz samples)`` pairs) for each chunk
    size. A word's latency runs from its end (the forced alignment of its reference with
    ``aligner``, a model that sees the whole utterance) to the first partial transcript that
    shows it; compute is timed on ``threads`` CPU threads (1: one core). → one row per chunk
    size: median and 90th-percentile latency (seconds), words shown / words, RTF (features,
    network and decoding per second of audio), mean compute per chunk (ms), the WER of the
    last partial transcript and of the final one (CER too), and the compute of the final
    update (ms: what the speaker waits after Stop). With ``final`` (a whole-utterance model)
    the final transcript is that model's (:class:`TwoPassTranscriber`)."""
    import contextlib

    from asrlib import metrics

    refs = [bundle.alphabet.normalize(text) for text, _ in clips]
    clips = [np.asarray(samples, np.float32) for _, samples in clips]
    ends = [word_ends(aligner, clip, ref) for clip, ref in zip(clips, refs)]
    try:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(threads) if threads else contextlib.nullcontext()
    except ImportError:  # threadpoolctl comes with scikit-learn (librosa's); without it, all
        limit = contextlib.nullcontext()
    rows = []
    with limit:
        live = (LiveTranscriber(bundle, end_ms=1e9) if final is None  # the clip: one utterance
                else TwoPassTranscriber(bundle, final, end_ms=1e9))
        for ms in chunk_ms:
            latencies, chunk_seconds, hyps, partials, compute, finals = [], [], [], [], 0.0, []
            for clip, ref, end in zip(clips, refs, ends):
                updates = stream(live, clip, ms)
                latencies += word_latencies(updates[:-1], ref.split(), end)
                chunk_seconds += [u.compute_seconds for u in updates[:-1]]
                compute += sum(u.compute_seconds for u in updates)
                finals.append(updates[-1].compute_seconds)
                hyps.append(updates[-1].text)
                partials.append(updates[-2].text if len(updates) > 1 else "")
            shown = [x for x in latencies if x is not None]
            audio_seconds = sum(len(c) for c in clips) / bundle.features.sample_rate
            rows.append({
                "chunk_ms": ms, "words": len(latencies), "shown": len(shown),
                "median_latency": float(np.median(shown)) if shown else None,
                "p90_latency": float(np.percentile(shown, 90)) if shown else None,
                "rtf": compute / audio_seconds,
                "chunk_compute_ms": 1000 * float(np.mean(chunk_seconds)),
                "wer": metrics.wer(refs, hyps), "cer": metrics.cer(refs, hyps),
                "partial_wer": metrics.wer(refs, partials),
                "partial_cer": metrics.cer(refs, partials),
                "final_compute_ms": 1000 * float(np.median(finals))})
    return rows
