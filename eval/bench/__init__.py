"""Benchmarks that print tables: `assistant bench ingest|query|convert|embedding|load|memory|store|serve`.

One module per benchmark; speed and memory targets live here, never in timed
unit tests. Each takes the `Settings` the command line built.
"""

from __future__ import annotations

from assistant.settings import Settings

BENCHMARKS = ("ingest", "query", "convert", "embedding", "load", "memory", "store", "serve")


def main(
    what: str,
    settings: Settings,
    *,
    threads: int | None = None,
    seconds: float | None = None,
    mb: float | None = None,
    passages: int | None = None,
) -> int:
    """Run one benchmark and print its table; the exit status is the benchmark's verdict."""
    from eval.bench.common import print_table

    if what == "ingest":
        from eval.bench.ingest import bench_ingest

        print_table(f"Cold ingest of {settings.corpus_dir}", bench_ingest(settings))
    elif what == "query":
        from eval.bench.query import bench_query

        print_table("Question latency (extractive)", bench_query(settings))
    elif what == "convert":
        from eval.bench.fidelity import main as fidelity_main

        fidelity_main(settings.corpus_dir, settings.cache_dir)
    elif what == "embedding":
        from eval.bench.embedding import main as embedding_main

        embedding_main(settings.corpus_dir, settings.cache_dir)
    elif what == "load":
        from eval.bench.load import main_load

        return main_load(settings, threads=threads or 8, seconds=seconds or 120.0)
    elif what == "memory":
        from eval.bench.memory import main_memory

        return main_memory(settings, target_mb=mb or 50.0)
    elif what == "store":
        from eval.bench.store import TARGET_PASSAGES, main_store

        return main_store(settings, target=passages or TARGET_PASSAGES)
    elif what == "serve":
        from eval.bench.serve import main_serve

        return main_serve(settings, clients=threads or 16, seconds=seconds or 60.0)
    else:
        raise ValueError(f"unknown benchmark {what!r}; choose one of {', '.join(BENCHMARKS)}")
    return 0
