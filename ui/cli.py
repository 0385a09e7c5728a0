"""The `assistant` command: ingest, ask, eval, calibrate, bench, ui, serve.

A shell over the core: it builds the `Settings` once from the options, the
environment and `assistant.toml`, and passes them to the `Assistant` facade,
the evaluation and the benchmarks.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from assistant.settings import Settings
from eval.bench import BENCHMARKS


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The one `Settings` of this run: options override the environment and the TOML file."""
    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    return Settings(**overrides)


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.api import Assistant

    settings = settings_from_args(args)
    if not settings.corpus_dir.is_dir():
        print(f"Erreur : le dossier du corpus n'existe pas : {settings.corpus_dir}", file=sys.stderr)
        return 2
    # Indexing is background work: let a running assistant answer first.
    os.nice(10)
    bot = Assistant(settings)
    report = bot.rebuild(full=args.rebuild, show_progress=not args.quiet)
    print(bot.index_summary(report.skipped))
    print()
    print(report.summary())
    print(f"index : {bot.store.describe()}")
    return 0


def _print_answer(answer) -> None:
    print()
    print(answer.text)
    for note in answer.notes:
        print(f"  (note : {note})")
    if answer.citations:
        print("\nSources :")
        for c in answer.citations:
            where = f"{c.title} — {c.section}" + (f" — p. {c.page}" if c.page else "")
            print(f"  [{c.number}] {where}")
            print(f"      « {c.quote} »")
            for other in c.also_in:
                print(f"      aussi dans : {other.title} — {other.section}")
    elif answer.see_also:
        print("\nPassages les plus proches (à titre indicatif) :")
        for p in answer.see_also:
            print(f"  - {p.title} — {p.section} : {p.text[:160]}…")
    print()


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.api import Assistant
    from assistant.errors import QuestionError

    bot = Assistant.load(settings=settings_from_args(args), show_progress=True)
    documents = args.doc or None
    if args.question is not None:
        try:
            answer = bot.ask(args.question, documents=documents, k=args.k)
        except QuestionError as error:
            print(f"Erreur : {error}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        else:
            _print_answer(answer)
        return 0

    print("Posez vos questions sur les rapports (ligne vide ou Ctrl-D pour quitter).")
    history: list[dict[str, str]] = []
    while True:
        try:
            question = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            return 0
        try:
            answer = bot.ask(question, history=history, documents=documents, k=args.k)
        except QuestionError as error:
            print(f"Erreur : {error}")
            continue
        _print_answer(answer)
        history.append({"question": answer.resolved_question or question, "answer": answer.text})


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.run import main as eval_main

    return eval_main(
        settings_from_args(args), set_name=args.set, split=args.split, mode=args.mode,
        baseline=args.baseline, limit=args.limit, out=Path(args.out) if args.out else None,
        check=args.check_floors,
    )


def cmd_calibrate(args: argparse.Namespace) -> int:
    from eval.calibrate import CALIBRATION_FILE, calibrate

    out = Path(args.out) if args.out else CALIBRATION_FILE
    calibration = calibrate(settings_from_args(args), args.set, out)
    print(json.dumps({k: v for k, v in calibration.items() if k != "question_centroid"}, indent=2))
    print(f"calibration : {out}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from eval.bench import main as bench_main

    return bench_main(
        args.what, settings_from_args(args), threads=args.threads, seconds=args.seconds, mb=args.mb
    )


def cmd_ui(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parent / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), *args.streamlit_args]
    env = dict(os.environ)
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    env.setdefault("STREAMLIT_CLIENT_TOOLBAR_MODE", "minimal")
    return subprocess.call(command, env=env)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP API under uvicorn: in this process, or in `--workers` processes."""
    import tempfile

    import uvicorn

    overrides: dict[str, object] = {}
    if args.host:
        overrides["http_host"] = args.host
    if args.port:
        overrides["http_port"] = args.port
    settings = settings_from_args(args).model_copy(update=overrides)
    options = dict(host=settings.http_host, port=settings.http_port, access_log=not args.no_access_log,
                   log_level="info" if args.verbose else "warning", timeout_graceful_shutdown=30)
    shown = f"[{settings.http_host}]" if ":" in settings.http_host else settings.http_host
    print(f"Service HTTP : http://{shown}:{settings.http_port} (documentation : /docs ; prêt quand /readyz "
          f"répond 200)", file=sys.stderr, flush=True)
    if args.workers <= 1:
        from ui.http.app import create_app

        uvicorn.run(create_app(settings), **options)
        return 0
    # Worker processes build their settings from the environment: hand them this run's.
    os.environ.update({
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_HTTP_HOST": settings.http_host, "ASSISTANT_HTTP_PORT": str(settings.http_port),
    })
    with tempfile.TemporaryDirectory(prefix="assistant-metrics-") as metrics_dir:
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)  # /metrics sums every worker
        uvicorn.run("ui.http.app:create_app_from_environment", factory=True, workers=args.workers, **options)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="build or update the index from a corpus folder")
    ingest.add_argument("--corpus", help="documents folder (default: the bundled corpus)")
    ingest.add_argument("--out", "--index", dest="index", help="index directory")
    ingest.add_argument("--rebuild", action="store_true", help="re-embed everything")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=cmd_ingest)

    ask = sub.add_parser("ask", help="ask a question (no question: interactive session)")
    ask.add_argument("question", nargs="?", help="the question, in French or English")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--doc", action="append", help="search only this document id (repeatable)")
    ask.add_argument("-k", type=int, default=None, help="passages to consider")
    ask.add_argument("--corpus", help="documents folder (default: the bundled corpus)")
    ask.add_argument("--index", help="index directory")
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="run the evaluation suite and write a report")
    ev.add_argument("--set", default="gold", help="question set name in eval/datasets")
    ev.add_argument("--mode", choices=["extractive", "generative"], default="extractive")
    ev.add_argument("--baseline", action="store_true", help="also score the naive LangChain baseline")
    ev.add_argument("--split", choices=["all", "dev", "test"], default="all")
    ev.add_argument("--limit", type=int, default=None, help="first N questions only")
    ev.add_argument("--out", help="reports folder")
    ev.add_argument("--check-floors", action="store_true", help="fail below eval/floors.json")
    ev.add_argument("--corpus", help="documents folder of the index to evaluate")
    ev.add_argument("--index", help="index directory to evaluate")
    ev.set_defaults(func=cmd_eval)

    cal = sub.add_parser("calibrate", help="refit the abstention gate on a question set's dev split")
    cal.add_argument("--set", default="gold", help="question set name in eval/datasets, or a .jsonl path")
    cal.add_argument("--out", help="calibration file to write (default: the packaged one)")
    cal.add_argument("--corpus", help="documents folder")
    cal.add_argument("--index", help="index directory")
    cal.set_defaults(func=cmd_calibrate)

    bench = sub.add_parser("bench", help="print speed and memory tables")
    bench.add_argument("what", choices=BENCHMARKS, help="what to measure")
    bench.add_argument("--corpus", help="documents folder")
    bench.add_argument("--index", help="index directory")
    bench.add_argument("--threads", type=int, help="load: asking threads (default 8); serve: clients (default 16)")
    bench.add_argument("--seconds", type=float, help="load: duration (default 120); serve: per measurement (60)")
    bench.add_argument("--mb", type=float, help="memory: corpus size to replicate to (default 50)")
    bench.set_defaults(func=cmd_bench)

    serve = sub.add_parser("serve", help="run the HTTP API (OpenAI-compatible chat, retrieval, documents)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; ASSISTANT_HTTP_HOST)")
    serve.add_argument("--port", type=int, help="port (default 8000; ASSISTANT_HTTP_PORT)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve.add_argument("--corpus", help="documents folder (default: the bundled corpus)")
    serve.add_argument("--index", help="index directory")
    serve.set_defaults(func=cmd_serve)

    ui = sub.add_parser("ui", help="open the Streamlit chat page")
    ui.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="passed to `streamlit run`")
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["ui"]:
        # argparse cannot pass through options that start with "--": hand them
        # to Streamlit untouched (`assistant ui --server.port 8600`).
        rest = argv[1:]
        return cmd_ui(argparse.Namespace(streamlit_args=rest[1:] if rest[:1] == ["--"] else rest))
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one clear line for the user; the traceback with -v
        if args.verbose:
            raise
        print(f"Erreur : {error}\n(relancez avec -v pour le détail)", file=sys.stderr)
        return 1

if __name__ == "__main__":
    sys.exit(main())
