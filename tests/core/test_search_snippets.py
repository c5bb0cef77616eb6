"""Snippets: the matching words of a hit's text, marked, in short windows."""

from __future__ import annotations

from regentra_core.search.snippets import BETWEEN, MAX_CHARS, marked, matches
from regentra_core.search.words import stem_word


def _mark(text: str, *words: str) -> str | None:
    return marked(text, {stem_word(w) for w in words}, "[", "]")


def test_words_match_by_stem_whatever_their_case_or_ending():
    text = "Printing fails; it PRINTS a page, printed once. Happy users are happier."
    assert _mark(text, "print") == (
        "[Printing] fails; it [PRINTS] a page, [printed] once. Happy users are happier."
    )
    # A window begins up to 40 characters before its first match, at a whole word.
    assert (
        _mark(text, "happy") == "fails; it PRINTS a page, printed once. [Happy] users are happier."
    )


def test_no_matching_word_means_no_snippet():
    assert _mark("the quick brown fox", "printer") is None
    assert marked("anything", set(), "[", "]") is None
    assert matches("reprint the sprint", {stem_word("print")}) == []


def test_far_apart_matches_give_two_windows_cut_at_whole_words():
    filler = "lorem ipsum dolor sit amet " * 20
    text = f"start vpn here {filler} and the vpn again {filler} end"
    snippet = _mark(text, "vpn")
    assert snippet is not None and snippet.count(BETWEEN) == 1
    first, second = snippet.split(BETWEEN)
    assert first.startswith("start [vpn] here") and len(first) <= MAX_CHARS + 2
    assert "the [vpn] again" in second
    for window in (first, second):
        for word in window.replace("[", "").replace("]", "").split():
            assert word in text.split()  # no word cut in half at a window's edge


def test_the_windows_with_most_matches_are_kept_in_text_order():
    filler = " ".join(f"word{i}" for i in range(60))
    text = f"one vpn {filler} two vpn vpn {filler} three vpn vpn vpn {filler} end"
    snippet = _mark(text, "vpn")
    assert snippet is not None
    windows = snippet.split(BETWEEN)
    assert [w.count("[vpn]") for w in windows] == [2, 3]
