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
