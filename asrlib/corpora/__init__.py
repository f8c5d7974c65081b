"""Corpora: one declaration per corpus, read by download, the teaching sets, the CLI and the
voice pool.

Each module of this package declares one corpus (``CORPUS``, or several in ``CORPORA``) as a
:class:`Corpus`: its upstream archives (URL, size, checksum), licence, teaching sets (the
exact utterances the series uses, as committed id lists in ``subsets/``), its loader and,
where it has them, its speakers with gender and recording device. Nothing else in asrlib
names a corpus: :func:`registry` finds the modules, so **adding a corpus is adding one
module here** (and its id list, if it has a teaching set).

* :func:`ensure` fetches an archive by name, :func:`find` / :func:`locate` / :func:`require`
  find or fetch a teaching set by name (through :mod:`asrlib.download`),
* ``python -m asrlib make-manifest/prepare --corpus`` offers every corpus with a ``select``,
* :mod:`asrlib.voices` pools the speakers (:class:`Speaker`) of every corpus with a ``pool``.

This module imports no corpus module by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asrlib import download as dl
from asrlib.archives import Resource

SUBSETS = Path(__file__).resolve().parent / "subsets"


@dataclass(frozen=True)
class Subset:
    """A teaching set: the utterances the series uses, inside one official archive."""

    name: str
    title: str
    archive: Resource  # the official archive that holds it (one of its corpus's ``archives``)
    folders: tuple[str, ...]  # under a data root: a copy of just the set, then the archive's
    ids_file: str | None = None  # subsets/<file>; None: the whole archive


@dataclass(frozen=True)
class Selection:
    """What ``make-manifest`` and ``prepare`` ask a corpus for (the command line's options)."""

    purpose: str = "test"  # "test": a set to score on (make-manifest); "train": to prepare
    speakers: tuple[str, ...] | None = None  # None: the corpus's default for the purpose
    subset: str | None = None  # a part of the corpus (LibriSpeech subset, AN4 split)
    n: int = 300  # generated corpora (connected digits): how many strings
    seed: int = 0
    takes: range | None = None  # FSDD recordings to use (0-49)
    root: str | None = None
    download: bool | None = None


@dataclass(frozen=True)
class Speaker:
    """One voice of the pool and the groups its results count towards."""

    id: str  # "<corpus>:<name in the corpus>"
    source: str  # the corpus
    gender: str  # female, male or unknown (not recorded, or not said)
    device: str

    @property
    def name(self) -> str:
        """The speaker's own id inside its corpus (``george``, ``R_…``, ``439c84f4``)."""
        return self.id.split(":", 1)[1]


@dataclass(frozen=True)
class Item:
    """One scored utterance of the pool: whose voice, which kind of digits."""

    speaker: str  # pooled speaker id
    kind: str  # connected or isolated
    utt: object  # an asrlib.utterance.Utterance


@dataclass(frozen=True)
class Pool:
    """A corpus's part in the pool of digit voices (:mod:`asrlib.voices`): its speakers, what
    each is scored on and what a fold trains on. Names are the speakers' ids inside the
    corpus; the pool prefixes them with the corpus name."""

    speakers: Callable[..., list]  # (root, download) -> [Speaker]
    scored: Callable[..., list]  # (names, voices.Material) -> [Item]
    training: Callable[..., list]  # (names, voices.Material) -> [Utterance]
    rank: int = 9  # the pool lists corpora by rank, then name (results depend on the order)
    # when the corpus joined the pool: folds deal the voices of earlier corpora first, so a
    # corpus that joins later does not move the voices already pooled to other folds
    joined: int = 1


@dataclass(frozen=True)
class Corpus:
    """One corpus: everything asrlib knows about it, in one place."""

    name: str
    title: str
    licence: str
    archives: tuple[Resource, ...] = ()
    subsets: tuple[Subset, ...] = ()
    # the CLI's make-manifest and prepare: Selection -> [Utterance]; None: not offered there
    select: Callable[[Selection], list] | None = None
    pool: Pool | None = None
    notes: dict = field(default_factory=dict)  # e.g. speakers' genders, published results

    def __post_init__(self):
        for s in self.subsets:
            if s.archive not in self.archives:
                raise ValueError(f"corpus {self.name}: subset {s.name}'s archive "
                                 f"{s.archive.name!r} is not one of the corpus's archives")


_REGISTRY: dict[str, Corpus] = {}


def registry() -> dict[str, Corpus]:
    """Every corpus declared in this package, by name (modules found once, in name order)."""
    if not _REGISTRY:
        found = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            declared = getattr(module, "CORPORA", None) or (getattr(module, "CORPUS", None),)
            for corpus in declared:
                if corpus is None:
                    raise ValueError(f"{module.__name__} declares no CORPUS")
                if corpus.name in found:
                    raise ValueError(f"two corpora are called {corpus.name!r}")
                found[corpus.name] = corpus
        _REGISTRY.update(found)
    return _REGISTRY


def get(name: str) -> Corpus:
    """The corpus called ``name``; a clear error lists the known ones."""
    return _named(registry(), name, "corpus")


def archives() -> dict[str, Resource]:
    """Every downloadable archive of every corpus, by name."""
    return {a.name: a for c in registry().values() for a in c.archives}


def archive(name: str) -> Resource:
    """The archive called ``name``; a clear error lists the known ones."""
    return _named(archives(), name, "corpus archive")


def subsets() -> dict[str, Subset]:
    """Every teaching set of every corpus, by name."""
    return {s.name: s for c in registry().values() for s in c.subsets}


def subset(name: str) -> Subset:
    """The teaching set called ``name``; a clear error lists the known ones."""
    return _named(subsets(), name, "teaching set")


def _named(found: dict, name: str, what: str):
    if name not in found:
        raise ValueError(f"unknown {what} {name!r}; known: {', '.join(sorted(found))}")
    return found[name]


def ids(name: str) -> list[str]:
    """The ids that define teaching set ``name``, in the committed order (empty: all)."""
    s = subset(name)
    if s.ids_file is None:
        return []
    lines = (SUBSETS / s.ids_file).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def selectable() -> tuple[str, ...]:
    """The corpora ``make-manifest`` and ``prepare`` offer (those with a ``select``)."""
    return tuple(name for name, c in registry().items() if c.select is not None)


def pooled() -> dict[str, Pool]:
    """The corpora whose speakers join the pool of digit voices, by name."""
    return {name: c.pool for name, c in registry().items() if c.pool is not None}


# --- by name: what notebooks, the command line and the loaders call -----------------------


def ensure(name: str, root=None, download: bool | None = None, progress: bool = True) -> Path:
    """The data root holding archive ``name``'s folder (see :func:`asrlib.download.ensure`)."""
    return dl.ensure(archive(name), root, download, progress)


def find(name: str, root=None) -> Path | None:
    """The folder holding teaching set ``name`` if it is here already (no network)."""
    return dl.find(subset(name), root)


def locate(name: str, root=None, download: bool | None = None, progress: bool = True) -> Path:
    """The folder holding teaching set ``name``, downloading its archive when allowed."""
    return dl.locate(subset(name), root, download, progress)


def require(*names: str, root=None, report=None) -> dict[str, Path]:
    """Each teaching set of ``names`` here, fetched if missing (see
    :func:`asrlib.download.require`); → {name: folder}."""
    return dl.require(*(subset(n) for n in names), root=root, report=report)
