"""Speech Commands v0.02 (Google): one-second words of 2,618 crowd-sourced speakers, 16 kHz.

Layout ``<word>/<speaker hash>_nohash_<n>.wav``; the archive has no top folder. The series
uses the ten digit words of 69 speakers (``subsets/speech-commands-digits.txt``); they join
the pool of digit voices (gender not recorded), isolated and joined into strings.
"""

from __future__ import annotations

from pathlib import Path

from asrlib import corpora, utterance
from asrlib.archives import Resource
from asrlib.corpora import Corpus, Item, Pool, Selection, Speaker, Subset
from asrlib.utterance import ManifestError, Utterance

DEVICE = "crowd-sourced (browser/phone)"
TRIM_DB = 30  # a clip is one second, mostly silence: trimmed before joining into strings

# All 35 words, 2,618 speakers; from its official host (download.tensorflow.org) over https;
# sha256 as pinned by other loaders of the same archive.
ARCHIVE = Resource(
    "speech-commands",
    "https://storage.googleapis.com/download.tensorflow.org/data/speech_commands_v0.02.tar.gz",
    "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
    "speech_commands",
    into="speech_commands",
    size=2_428_923_189,
)


def load(root=None, download: bool | None = None) -> list[Utterance]:
    """The Speech Commands teaching set: one-second digit words ``<word>/<speaker>_nohash_<n>.wav``
    of 69 speakers; the speaker is the file's hash prefix."""
    folder = corpora.locate("speech-commands-digits", root, download)
    wanted = corpora.ids("speech-commands-digits")
    missing = [rel for rel in wanted if not (folder / rel).is_file()]
    if missing:
        raise ManifestError(
            f"{folder}: {len(missing)} of the Speech Commands set's {len(wanted)} clips are "
            f"missing (e.g. {', '.join(missing[:3])}); delete the folder and download again."
        )
    return [
        Utterance(f"sc-{Path(rel).parent.name}-{Path(rel).stem}", Path(rel).parent.name,
                  Path(rel).name.split("_nohash_")[0], str(folder / rel))
        for rel in wanted
    ]


def _speakers(root=None, download=None) -> list:
    names = {rel.split("/")[1].split("_nohash_")[0]
             for rel in corpora.ids("speech-commands-digits")}
    return [Speaker(f"speech-commands:{n}", "speech-commands", "unknown", DEVICE)
            for n in names]


def _clips_by_speaker(names, root, download) -> dict[str, list[Utterance]]:
    keep, clips = set(names), {}
    for u in load(root, download):
        if u.speaker in keep:
            clips.setdefault(u.speaker, []).append(u)
    return dict(sorted(clips.items()))


def _scored(names, m) -> list:
    """Every clip (isolated) and, per speaker with two or more clips, ``m.n_joined`` strings
    joined from them (connected)."""
    clips = _clips_by_speaker(names, m.root, m.download)
    items = [Item(f"speech-commands:{name}", "isolated", u)
             for name, own in clips.items() for u in own]
    joined = {name: own for name, own in clips.items() if len(own) > 1}
    if joined:
        strings = utterance.join_clips(m.n_joined * len(joined), joined, seed=m.seed,
                                       min_digits=3, max_digits=7, prefix="sc-digits",
                                       trim_db=TRIM_DB)
        items += [Item(f"speech-commands:{u.speaker}", "connected", u) for u in strings]
    return items


def _training(names, m) -> list[Utterance]:
    """``m.copies`` strings per speaker, joined from their own clips."""
    clips = _clips_by_speaker(names, m.root, m.download)
    if not clips:
        return []
    return utterance.join_clips(m.copies * len(clips), clips, seed=m.seed, perturb=m.perturb,
                                effects=m.effects, prefix="sc-train", trim_db=TRIM_DB)


def _select(sel: Selection) -> list[Utterance]:
    return [u for u in load(sel.root, sel.download)
            if not sel.speakers or u.speaker in sel.speakers]


CORPUS = Corpus(
    "speech-commands", "Speech Commands v0.02: one-second words of 2,618 speakers",
    "CC BY 4.0 (Pete Warden, Google)", archives=(ARCHIVE,),
    subsets=(Subset("speech-commands-digits", "Speech Commands: 170 digit words of 69 speakers",
                    ARCHIVE, ("speech_commands",), "speech-commands-digits.txt"),),
    select=_select, pool=Pool(_speakers, _scored, _training, rank=2),
)
