"""Run one `update_index` in this process, optionally SIGKILLed at a chosen point.

Used by the fault tests as a child process (`python crash_build.py ...`):

    crash_build.py INDEX CORPUS VECTORS [--kill POINT] [--batch-size N]
                   [--lock-timeout S] [--wait-for FILE]

POINT is where the process kills itself, found by wrapping what the store
calls (no hook in production code):

    load:N                 before the N-th file is loaded (`ingest.pipeline.load_source`)
    embed:N                in the N-th embedding batch
    write:PATTERN:N        half-way through the N-th write() to a file whose
                           name matches PATTERN (chunks.jsonl, manifest.json,
                           .CURRENT.*.tmp, vocab.index.json...)
    faiss                  with dense.faiss half-written
    rename:before|after    around the rename of the new version into place
    replace:before|after   around the `os.replace` of CURRENT (the swap)
    gc                     while deleting an old version, after the swap

Exit status: killed (-9) at the point, 0 after a complete build (a JSON report
on stdout), 3 when the index is busy (the message on stderr), 1 on an error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402

import ingest.pipeline  # noqa: E402
from index.errors import IndexBusy  # noqa: E402
from index.store import FileStore  # noqa: E402
from ingest.config import IngestLimits  # noqa: E402
from tests.reliability.faults import (  # noqa: E402
    FaultyOpen,
    fail_on_call,
    faulty_faiss_write,
    kill_now,
)
from tests.reliability.harness import CHUNKING, ReplayEmbedder  # noqa: E402


def install(point: str, embedder: ReplayEmbedder) -> None:
    """Arrange for this process to be SIGKILLed at `point`."""
    kind, _, rest = point.partition(":")
    if kind == "load":
        ingest.pipeline.load_source = fail_on_call(ingest.pipeline.load_source, int(rest), kill_now)
    elif kind == "embed":
        embedder.embed_passages = fail_on_call(embedder.embed_passages, int(rest), kill_now)
    elif kind == "write":
        pattern, _, nth = rest.rpartition(":")
        FaultyOpen(pattern, int(nth), kill_now).install()
    elif kind == "faiss":
        faiss.write_index = faulty_faiss_write(kill_now)
    elif kind == "rename":
        os.rename = fail_on_call(
            os.rename, 1, kill_now, after=rest == "after",
            when=lambda src, dst, *a, **k: Path(src).name.startswith(".tmp-"),
        )
    elif kind == "replace":
        os.replace = fail_on_call(
            os.replace, 1, kill_now, after=rest == "after",
            when=lambda src, dst, *a, **k: Path(dst).name == "CURRENT",
        )
    elif kind == "gc":
        real_rmtree = shutil.rmtree

        def rmtree(path, *args, **kwargs):
            path = Path(path)
            if path.parent.name == "versions" and not path.name.startswith(".tmp-"):
                (path / "manifest.json").unlink()  # half-deleted, then killed
                kill_now()
            return real_rmtree(path, *args, **kwargs)

        shutil.rmtree = rmtree
    elif kind != "none":
        raise SystemExit(f"unknown kill point {point!r}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("index")
    parser.add_argument("corpus")
    parser.add_argument("vectors")
    parser.add_argument("--kill", default="none")
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--lock-timeout", type=float, default=10.0)
    parser.add_argument("--wait-for", help="hold the build (lock taken) until this file exists")
    args = parser.parse_args()

    def wait_for_release() -> None:
        deadline = time.monotonic() + 120
        while not Path(args.wait_for).exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    on_batch = wait_for_release if args.wait_for else None
    embedder = ReplayEmbedder(Path(args.vectors), on_batch=on_batch)
    install(args.kill, embedder)
    try:
        store = FileStore(Path(args.index), batch_size=args.batch_size, lock_timeout=args.lock_timeout)
        ingester = ingest.pipeline.Ingester(IngestLimits(), CHUNKING, embedder.count_tokens)
        report = store.update(Path(args.corpus), ingester, embedder)
    except IndexBusy as error:
        print(error, file=sys.stderr)
        return 3
    except Exception as error:  # the test reads the message
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"build_id": report.build_id, "up_to_date": report.up_to_date}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
