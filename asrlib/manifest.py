"""JSON Lines manifests (the NeMo convention): one utterance a line, read and written.

A row is ``{"audio_filepath", "duration", "text"}``, optionally with ``"id"`` and
``"speaker"``; relative audio paths are relative to the manifest's folder.
:func:`read` gives :class:`asrlib.datasets.Utterance` objects and one line per bad
row; :func:`write` writes utterances back, saving synthesised ones as WAV first;
:func:`asrlib.utterance.seconds` measures each row's duration.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from asrlib import SAMPLE_RATE, audio, utterance
from asrlib.utterance import ManifestError, Utterance

MAX_MANIFEST_BYTES = 512 * 1024**2  # LibriSpeech's 960 hours fit in about 90 MB


def read(path: str | os.PathLike) -> tuple[list[Utterance], list[str]]:
    """Rows ``{"audio_filepath", "duration", "text"}`` → (utterances, problems).

    Relative audio paths resolve against the manifest's folder. A bad row never
    costs the good ones: it is reported in ``problems`` (one line each,
    naming the manifest and line number) and skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: manifest not found")
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise ManifestError(
            f"{path}: {size / 1024**2:.0f} MB is larger than a manifest can be (limit "
            f"{MAX_MANIFEST_BYTES // 1024**2} MB); split it, or raise "
            "asrlib.manifest.MAX_MANIFEST_BYTES for a corpus you trust")
    utts, problems = [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not a UTF-8 text file; a manifest is JSON Lines") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(f"{where}: not valid JSON ({err.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: expected a JSON object, got {type(row).__name__}")
            continue
        missing = [k for k in ("audio_filepath", "text") if k not in row]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if not isinstance(row["text"], str):
            problems.append(f"{where}: 'text' must be a string")
            continue
        audio_path = Path(str(row["audio_filepath"]))
        if not audio_path.is_absolute():
            audio_path = path.parent / audio_path
        duration = row.get("duration")
        duration = float(duration) if isinstance(duration, (int, float)) else None
        uid = row.get("id") or f"{path.name}:{number}"  # unique, and says where to look
        speaker = str(row.get("speaker", "unknown"))
        utts.append(Utterance(str(uid), row["text"], speaker, str(audio_path), duration))
    return utts, problems


def write(utts: list[Utterance], path: str | os.PathLike, audio_dir=None) -> Path:
    """Write utterances as a JSON Lines manifest; synthesised ones are saved as WAV first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    audio_dir = Path(audio_dir) if audio_dir else path.parent / "wavs"
    with open(path, "w", encoding="utf-8") as f:
        for u in utts:
            if u.parts or u.path is None:
                samples = u.load()
                wav = audio.save(audio_dir / f"{u.id}.wav", samples)
                duration = len(samples) / SAMPLE_RATE
            else:
                wav, duration = Path(u.path), u.duration
                if duration is None:
                    duration = round(utterance.seconds(u), 3)
            rel = os.path.relpath(wav, path.parent)
            row = {
                "audio_filepath": rel,
                "duration": duration,
                "text": u.text,
                "speaker": u.speaker,
            }
            f.write(json.dumps(row) + "\n")
    return path
