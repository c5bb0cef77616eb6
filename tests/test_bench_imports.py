"""Every benchmark still imports: ``./dev bench`` is run on demand, so a refactor of
the core that breaks one is otherwise found only by whoever runs it next (one did:
a name moved out of ``regentra_core.store``)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench"


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCH.glob("*.py")))
def test_the_benchmark_imports(name):
    module = importlib.import_module(f"bench.{name}")
    if name not in ("__init__", "__main__", "desk"):
        assert callable(getattr(module, "run", None)) or name.startswith("scale_"), name


def test_the_search_bench_asks_the_list_as_the_app_does():
    """The list ranks a search's matches only when they are few: the bench's list's
    ask (ours and FTS5's) follows the same bound."""
    from bench import scale_search

    from regentra_tui import session

    assert scale_search.RANK_UP_TO == session.RANK_UP_TO
    assert scale_search.RANKED == session.RANKED
