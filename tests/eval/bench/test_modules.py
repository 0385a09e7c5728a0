"""Every benchmark module imports: the CLI loads them only when their command runs, so
a broken import (a name moved elsewhere) would otherwise surface only in a benchmark run."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import eval.bench

MODULES = sorted(m.name for m in pkgutil.iter_modules(eval.bench.__path__))


def test_the_benchmarks_are_all_listed():
    assert {"ingest", "query", "serve", "store", "load", "memory"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_module_imports(name):
    importlib.import_module(f"eval.bench.{name}")
