"""An English word language model for sentences: the trigram LM and dictionary that pocketsphinx
ships (CMU Sphinx ``en-us``, about 72,000 words, trained on large English text), read through
pocketsphinx itself and offered with the interface of :class:`asrlib.lm.NGramLM`, so that
:class:`asrlib.lm.LMScorer` fuses it into our CTC beam search unchanged::

    from asrlib import english_lm, lm
    english = english_lm.load()
    decoder = lm.LexiconDecoder(english, alpha=0.8, beta=2.0, beam_width=16)
    text = decoder(probs)

Our alphabet has no apostrophe, so a word is spelled as :meth:`asrlib.text.Alphabet.normalize`
writes it ("don't" → "dont"); where two LM words share a spelling ("its", "it's") the more
frequent one stands for both. Nothing is downloaded: the files come with the ``pocketsphinx``
package (BSD-style licence, CMU Sphinx).
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from asrlib.lm import BOS, EOS, WordLM
from asrlib.text import Alphabet

_UNKNOWN = -536870912  # pocketsphinx's log zero: a word the LM has never seen
UNKNOWN_LOGPROB = math.log(1e-8)  # what an out-of-vocabulary word costs without a lexicon


class EnglishLM(WordLM):
    """pocketsphinx's English trigram: ``logprob(word, context)`` in natural log, ``vocab``."""

    order = 3

    def __init__(self, lm_path=None, dict_path=None, max_words: int | None = None,
                 alphabet: Alphabet = Alphabet()):
        try:
            import pocketsphinx
        except ImportError:
            raise RuntimeError("the English LM needs pocketsphinx: pip install pocketsphinx") \
                from None
        model_dir = Path(pocketsphinx.get_model_path())
        self.lm_path = Path(lm_path or model_dir / "en-us" / "en-us.lm.bin")
        dict_path = Path(dict_path or model_dir / "en-us" / "cmudict-en-us.dict")
        for path in (self.lm_path, dict_path):
            if not path.is_file():
                raise FileNotFoundError(f"{path}: missing; reinstall pocketsphinx")
        self._logmath = pocketsphinx.LogMath()
        self._model = pocketsphinx.NGramModel(pocketsphinx.Config(), self._logmath,
                                              os.fspath(self.lm_path))
        self.spelling = self._spellings(_dictionary_words(dict_path), alphabet, max_words)
        self.vocab = frozenset(self.spelling)
        self._logprob = functools.lru_cache(maxsize=500_000)(self._logprob_uncached)

    def _spellings(self, words: Iterable[str], alphabet: Alphabet,
                   max_words: int | None) -> dict[str, str]:
        """Our spelling of each LM word → the LM word; the more frequent one wins a tie."""
        best: dict[str, tuple[int, str]] = {}
        for word in words:
            score = self._model.prob([word])
            spelled = alphabet.normalize(word)
            if score == _UNKNOWN or not spelled or " " in spelled:
                continue
            if spelled not in best or score > best[spelled][0]:
                best[spelled] = (score, word)
        ranked = sorted(best.items(), key=lambda item: -item[1][0])[:max_words]
        return {spelled: word for spelled, (_, word) in ranked}

    def logprob(self, word: str, context: Sequence[str] = ()) -> float:
        """``log P(word | the last two words of context)``; ``</s>`` ends a sentence."""
        context = tuple(context)[-2:]
        context = (BOS,) * (2 - len(context)) + context
        return self._logprob(word, context)

    def _logprob_uncached(self, word: str, context: tuple[str, ...]) -> float:
        lm_word = word if word == EOS else self.spelling.get(word)
        if lm_word is None:
            return UNKNOWN_LOGPROB
        history = [c if c == BOS else self.spelling.get(c, "<unk>") for c in context]
        score = self._model.prob([lm_word, *reversed(history)])
        return UNKNOWN_LOGPROB if score == _UNKNOWN else self._logmath.log_to_ln(score)

    def to_dict(self) -> dict:
        """Where the model lives (it is pocketsphinx's file, not copied into checkpoints)."""
        return {"pocketsphinx_lm": str(self.lm_path), "words": len(self.vocab)}


def _dictionary_words(path: Path) -> list[str]:
    """The words of a CMU pronouncing dictionary (``word(2)`` variants folded)."""
    words = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            word = re.sub(r"\(\d+\)$", "", line.split(" ", 1)[0])
            if word and (not words or words[-1] != word):
                words.append(word)
    return words


@functools.lru_cache(maxsize=4)
def load(max_words: int | None = None) -> EnglishLM:
    """The English LM (loaded once per process; about a second)."""
    return EnglishLM(max_words=max_words)
