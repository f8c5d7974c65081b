"""The demo (``python -m asrlib demo``, ``make demo``): the digits recipe on voices it never heard.

It needs no corpus and no network: the clips it transcribes ship in ``data/clips`` (the ten
digit words of three Speech Commands speakers, CC BY 4.0). Each clip is transcribed alone,
then each speaker's ten clips are joined into a ten-digit "phone number". When the Free
Spoken Digit Dataset is here, or can be downloaded (about 20 MB), it also scores strings of
FSDD's theo. The model is ``data/digits_heldout.keras``: the shipped model's recipe trained
on every voice but 40 held-out ones, these four among them, so every score is a new voice's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy as np

from asrlib import datasets, files, metrics, runtime, utterance
from asrlib.utterance import Utterance

CLIPS = runtime.REPO / "data" / "clips"
TRIM_DB = 30  # silence trimmed from each clip's ends before joining (the clips are 1 s each)


def embedded_clips(folder: str | Path = CLIPS) -> list[Utterance]:
    """The shipped clips ``speech_commands/<word>/<speaker>_nohash_<n>.flac`` as utterances."""
    folder = Path(folder)
    paths = sorted(folder.glob("speech_commands/*/*.flac"))
    if not paths:
        raise FileNotFoundError(
            f"{folder}: no demo clips; restore them with `git checkout -- data/clips`")
    return [Utterance(f"{p.parent.name}/{p.stem}", p.parent.name,
                      p.stem.split("_nohash_")[0], str(p)) for p in paths]


def phone_numbers(
    clips: list[Utterance], digits: int = 10, seed: int = 0
) -> list[tuple[str, str, np.ndarray]]:
    """Per speaker, ``digits`` of their clips (silence trimmed) joined with short pauses in a
    seeded random order, like ``connected_digits``: (id, transcript, samples) each."""
    import librosa

    by_speaker: dict[str, list[Utterance]] = {}
    for clip in clips:
        by_speaker.setdefault(clip.speaker, []).append(clip)
    strings = []
    for speaker, own in sorted(by_speaker.items()):
        rng = random.Random(f"{seed}-{speaker}")
        picks = rng.choices(own, k=digits)
        parts = [librosa.effects.trim(p.load(), top_db=TRIM_DB)[0] for p in picks]
        pauses = [rng.uniform(*utterance.EDGE_SECONDS),
                  *(rng.uniform(*utterance.PAUSE_SECONDS) for _ in parts[1:]),
                  rng.uniform(*utterance.EDGE_SECONDS)]
        text = " ".join(p.text for p in picks)
        joined = utterance.join_with_pauses(parts, pauses)
        strings.append((f"phone number, {speaker}", text, joined))
    return strings


def run(download: bool | None = None, say: Callable[[str], None] = print) -> dict[str, float]:
    """Transcribe the embedded clips (and theo's strings when FSDD is here), say each result
    and the WERs; returns {part: WER}."""
    from asrlib.transcriber import Transcriber

    model = runtime.shipped_model("digits-heldout")
    reader = Transcriber.from_file(model)
    clips = embedded_clips()
    heard = len(reader.bundle.info.get("speakers", {}).get("train", []))
    say(f"model: data/{model.name} (decoder: {reader.kind}), the shipped recipe trained on "
        f"{heard} voices; the {len({c.speaker for c in clips})} Speech Commands speakers in "
        "data/clips and FSDD's theo are not among them")
    wers = {
        "isolated": _score("isolated digits, one clip each",
                           [(c.id, c.text, c.load()) for c in clips], reader, say),
        "phone numbers": _score("phone numbers: each speaker's clips joined",
                                phone_numbers(clips), reader, say),
    }
    try:
        theo = datasets.connected_digits(20, [datasets.DIGITS_TEST_SPEAKER], seed=2,
                                         download=download)
    except Exception as err:  # offline or no FSDD: the parts above stand on their own
        why = files.one_line(err, command_line=True)
        say(f"\nnote: skipped theo's held-out FSDD strings: {why}")
        return wers
    wers["theo"] = _score("FSDD strings of theo (8 kHz recordings), a voice it never heard",
                          [(u.id, u.text, u.load()) for u in theo], reader, say, show=5)
    return wers


def _score(title: str, items, reader, say, show: int | None = None) -> float:
    """Transcribe (id, truth, samples) items; say each (up to ``show``) and the WER."""
    refs = [text for _, text, _ in items]
    hyps = [reader.transcribe(samples) for _, _, samples in items]
    say(f"\n{title} ({len(items)}):")
    for (uid, ref, _), hyp in list(zip(items, hyps))[:show]:
        mark = "  " if ref == hyp else "✗ "
        if len(ref) <= 12:
            say(f"{mark}{uid:<24} truth: {ref:<12} heard: {hyp}")
        else:  # a long string: truth and transcript one above the other
            say(f"{mark}{uid}\n    truth: {ref}\n    heard: {hyp}")
    counts = metrics.error_counts(refs, hyps)
    wer = metrics.wer(refs, hyps)
    say(f"WER {wer:.1%} ({counts.errors} word errors in {counts.total} words), "
        f"CER {metrics.cer(refs, hyps):.1%}")
    return wer
