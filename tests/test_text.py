import numpy as np
import pytest

from asrlib.text import Alphabet, normalization_report, normalize


def test_alphabet_is_the_seeds_28_with_blank_first():
    a = Alphabet()
    assert a.size == 28 and a.blank == 0 and a.symbols[1] == " " and a.symbols[-1] == "z"


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Hello, World!", "hello world"),
        ("don't STOP", "dont stop"),
        ("Café  naïve", "cafe naive"),
        ("room 42", "room four two"),
        ("rock & roll", "rock and roll"),
        ("well-known/fact", "well known fact"),
        ("Straße Æsop", "strasse aesop"),
        ("  \t  ", ""),
        ("¿¡你好!?", ""),
    ],
)
def test_normalize_rules(raw, clean):
    assert normalize(raw) == clean


def test_apostrophe_alphabet_keeps_it():
    a = Alphabet.with_apostrophe()
    assert a.size == 29 and a.decode(a.encode("Don’t")) == "don't"


def test_encode_decode_roundtrip():
    a = Alphabet()
    ids = a.encode("Three one FOUR")
    assert ids.dtype == np.int32 and ids.min() > 0
    assert a.decode(ids) == "three one four"
    assert a.decode([0, 9, 0, -1, 6]) == "he"  # blanks and padding are skipped


def test_report_counts_changes():
    report = normalization_report(["HELLO", "it's 5%", "ok", "?!"])
    assert report.utterances == 4
    assert report.changed == 3 and report.empty_after == 1
    assert report.removed["'"] == 1 and report.removed["?"] == 1
    assert "4 transcripts" in str(report)


def test_alphabet_must_start_with_blank():
    with pytest.raises(ValueError, match="blank"):
        Alphabet((" ", "a"))
