"""The `assistant` command: ingest, ask, docs, eval, calibrate, bench, ui, serve.

A shell over the core: it builds the `Settings` once from the options, the
environment and `assistant.toml`, and passes them to the `Assistant` facade,
the evaluation and the benchmarks.

Conventions: `--version`; `-v` (details, third-party output included) and
`-q` (errors only, no progress bar) anywhere on the line; `--json` on
`ingest`, `ask`, `docs list` and `eval` prints one JSON document on stdout;
every error goes to stderr with a non-zero exit status (2 for a refused
input: unknown document, bad question, unknown setting…; 1 otherwise).
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import STORE_BACKENDS, Settings
from eval.bench import BENCHMARKS
from ui.confidence import confidence_label

DISTRIBUTION = "assistant-sante"  # the installed distribution whose version `--version` prints
EXIT_REFUSED = 2  # an input the assistant refuses (typed `AssistantError`), like argparse's usage errors
EXIT_FAILED = 1  # anything else that went wrong


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The one `Settings` of this run: options override the environment and the TOML file."""
    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "store", None):
        overrides["store_backend"] = args.store
    return Settings(**overrides)


def print_json(data: Any) -> None:
    """One JSON document on stdout (dataclasses, paths and enums included)."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, enum.Enum):  # SkipReason…
        return value.value
    return str(value)


def error(message: str) -> None:
    """An error line on stderr."""
    print(f"Erreur : {message}", file=sys.stderr)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """`--store files|postgres` on the sub-commands that open an index."""
    parser.add_argument(
        "--store", choices=STORE_BACKENDS,
        help="index store: files (default, --index) or postgres (ASSISTANT_DATABASE_URL)",
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.api import Assistant

    settings = settings_from_args(args)
    if not settings.corpus_dir.is_dir():
        error(f"le dossier du corpus n'existe pas : {settings.corpus_dir}")
        return EXIT_REFUSED
    # Indexing is background work: let a running assistant answer first.
    os.nice(10)
    bot = Assistant(settings)
    report = bot.rebuild(full=args.rebuild, show_progress=not args.quiet)
    if args.json:
        print_json({
            "index": bot.store.describe(),
            "report": report,
            "skipped": [{"file": s.path, "kind": s.kind, "french": s.french, "reason": s.reason}
                        for s in report.skipped],
            "documents": bot.document_stats(),
        })
        return 0
    print(bot.index_summary(report.skipped))
    print()
    print(report.summary())
    print(f"index : {bot.store.describe()}")
    return 0


def _print_answer(answer) -> None:
    print()
    if answer.short is not None:
        bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
        print(f"{bold}{answer.short.text}{plain} [{answer.short.citation}]")
        print()
    if len(answer.parts) > 1:
        covered = sum(part.answered for part in answer.parts)
        print(f"(question en {len(answer.parts)} parties : {covered} couverte(s) par les rapports)")
    print(answer.text)
    confidence = confidence_label(answer)
    if confidence:
        print(f"({confidence[0].lower()}{confidence[1:]})")
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

    bot = Assistant.load(settings=settings_from_args(args), show_progress=not args.quiet)
    documents = args.doc or None
    bot.check_documents(documents)  # DocumentNotFound lists the known ids
    if args.question is not None:
        answer = bot.ask(args.question, documents=documents, k=args.k)  # QuestionError: exit 2
        if args.json:
            print_json(answer.to_dict())
        else:
            _print_answer(answer)
        return 0

    if not args.json:
        print("Posez vos questions sur les rapports (ligne vide ou Ctrl-D pour quitter).")
    history: list[dict[str, str]] = []
    status = 0
    for question in _questions(prompt="" if args.json else "> "):
        try:
            answer = bot.ask(question, history=history, documents=documents, k=args.k)
        except AssistantError as problem:  # one bad question does not end the session
            error(str(problem))
            status = EXIT_REFUSED
            continue
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False, default=_jsonable))
        else:
            _print_answer(answer)
        history.append({"question": answer.resolved_question or question, "answer": answer.text})
    return status


def _questions(prompt: str) -> Iterator[str]:
    """Questions typed (or piped) one a line, until an empty line or the end of input."""
    while True:
        try:
            question = input(prompt)
        except (EOFError, KeyboardInterrupt):
            if prompt:
                print()
            return
        if not question.strip():
            return
        yield question


def cmd_docs(args: argparse.Namespace) -> int:
    from assistant.api import Assistant

    settings = settings_from_args(args)
    if args.docs_command == "list":
        bot = Assistant.load(settings=settings, show_progress=not args.quiet)
        records = sorted(bot.documents(), key=lambda r: r.doc_id)
        if args.json:
            print_json([r.to_dict() for r in records])
            return 0
        width = max((len(r.doc_id) for r in records), default=6)
        print(f"{'document':<{width}}  passages  format  titre")
        for r in records:
            print(f"{r.doc_id:<{width}}  {r.chunk_count:>8}  {r.format:<6}  {r.title}")
        print(f"\n{len(records)} document(s) dans {settings.corpus_dir}")
        return 0

    bot = Assistant(settings)
    if args.docs_command == "add":
        status = 0
        for name in args.files:
            path = Path(name)
            if not path.is_file():
                error(f"fichier introuvable : {path}")
                status = EXIT_REFUSED
                continue
            outcome = bot.add_document(path.name, path.read_bytes(), overwrite=args.overwrite)
            if outcome.ok:
                print(outcome.message + (f" ({', '.join(outcome.details)})" if outcome.details else ""))
            else:
                error(outcome.message)
                status = EXIT_REFUSED
        return status

    for doc_id in args.doc_ids:  # rm
        report = bot.remove_document(doc_id)  # DocumentNotFound / CorpusReadOnly: exit 2
        print(f"« {doc_id} » retiré du corpus ; {report.chunk_count} passages dans l'index.")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.run import main as eval_main

    if args.json:
        from eval.run import check_floors, evaluate, load_floors

        run = evaluate(
            args.set, settings=settings_from_args(args), split=args.split, mode=args.mode,
            baseline=args.baseline, limit=args.limit, out=Path(args.out) if args.out else None,
        )
        failures = check_floors(run.summary, load_floors()) if args.check_floors else []
        print_json({"summary": run.summary, "report": run.folder, "below_floors": failures})
        return EXIT_FAILED if failures else 0
    return eval_main(
        settings_from_args(args), set_name=args.set, split=args.split, mode=args.mode,
        baseline=args.baseline, limit=args.limit, out=Path(args.out) if args.out else None,
        check=args.check_floors,
    )


def cmd_calibrate(args: argparse.Namespace) -> int:
    from assistant.paths import default_calibration_file
    from eval.calibrate import calibrate

    out = Path(args.out) if args.out else default_calibration_file()
    questions = Path(args.questions) if args.questions else None
    calibration = calibrate(settings_from_args(args), args.set, out, questions_file=questions,
                            confidence_only=args.confidence_only)
    print(json.dumps({k: v for k, v in calibration.items() if k != "question_centroid"}, indent=2))
    print(f"calibration : {out}")
    print(f"Pour l'utiliser : ASSISTANT_GATE_CALIBRATION={out} (ou gate_calibration = \"{out}\" "
          "dans assistant.toml).")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from eval.bench import main as bench_main

    return bench_main(
        args.what, settings_from_args(args), threads=args.threads, seconds=args.seconds, mb=args.mb,
        passages=args.passages,
    )


def cmd_ui(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parent / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), *args.streamlit_args]
    env = dict(os.environ)
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    env.setdefault("STREAMLIT_CLIENT_TOOLBAR_MODE", "minimal")
    return subprocess.call(command, env=env)


def package_version() -> str:
    """The installed version of the assistant (`--version`)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "inconnue (non installé)"


def add_verbosity(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """`-v` / `-q`; on sub-commands they default to nothing, so the top level's choice stands."""
    group = parser.add_mutually_exclusive_group()
    default = {} if top_level else {"default": argparse.SUPPRESS}
    group.add_argument("-v", "--verbose", action="store_true",
                       help="details, third-party messages included", **default)
    group.add_argument("-q", "--quiet", action="store_true",
                       help="errors only, no progress bar", **default)


def _subcommand_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every sub-command parser under `parser`, nested ones (`docs list`) included."""
    for action in parser._actions:  # argparse has no public accessor for sub-parsers
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases map to one parser
                yield child
                yield from _subcommand_parsers(child)


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
        "ASSISTANT_STORE_BACKEND": settings.store_backend, "ASSISTANT_COLLECTION": settings.collection,
    })
    if settings.database_url:
        os.environ["ASSISTANT_DATABASE_URL"] = settings.database_url
    with tempfile.TemporaryDirectory(prefix="assistant-metrics-") as metrics_dir:
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)  # /metrics sums every worker
        uvicorn.run("ui.http.app:create_app_from_environment", factory=True, workers=args.workers, **options)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    add_verbosity(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="build or update the index from a corpus folder")
    ingest.add_argument("--corpus", help="documents folder (default: the bundled corpus)")
    ingest.add_argument("--out", "--index", dest="index", help="index directory")
    ingest.add_argument("--rebuild", action="store_true", help="re-embed everything")
    ingest.add_argument("--json", action="store_true", help="print the update report as JSON")
    add_store_option(ingest)
    ingest.set_defaults(func=cmd_ingest)

    ask = sub.add_parser("ask", help="ask a question (no question: interactive session)")
    ask.add_argument("question", nargs="?", help="the question, in French or English")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--doc", action="append", help="search only this document id (repeatable)")
    ask.add_argument("-k", type=int, default=None, help="passages to consider")
    ask.add_argument("--corpus", help="documents folder (default: the bundled corpus)")
    ask.add_argument("--index", help="index directory (default: in the user's data directory)")
    add_store_option(ask)
    ask.set_defaults(func=cmd_ask)

    docs = sub.add_parser("docs", help="list, add or remove the corpus's documents")
    docs_sub = docs.add_subparsers(dest="docs_command", required=True)
    docs_list = docs_sub.add_parser("list", help="the indexed documents")
    docs_list.add_argument("--json", action="store_true", help="print the documents as JSON")
    docs_add = docs_sub.add_parser("add", help="copy files into the corpus folder and index them")
    docs_add.add_argument("files", nargs="+", help="PDF, TXT, Markdown or HTML files")
    docs_add.add_argument("--overwrite", action="store_true", help="replace a file of the same name")
    docs_rm = docs_sub.add_parser("rm", help="delete documents from the corpus folder and the index")
    docs_rm.add_argument("doc_ids", nargs="+", help="document ids (see `assistant docs list`)")
    for command in (docs_list, docs_add, docs_rm):
        command.add_argument("--corpus", help="documents folder (default: the bundled corpus)")
        command.add_argument("--index", help="index directory (default: in the user's data directory)")
        command.set_defaults(func=cmd_docs)

    ev = sub.add_parser("eval", help="run the evaluation suite and write a report")
    ev.add_argument("--set", default="gold", help="question set name in eval/datasets")
    ev.add_argument("--mode", choices=["extractive", "generative"], default="extractive")
    ev.add_argument("--baseline", action="store_true", help="also score the naive LangChain baseline")
    ev.add_argument("--split", choices=["all", "dev", "test"], default="all")
    ev.add_argument("--limit", type=int, default=None, help="first N questions only")
    ev.add_argument("--out", help="reports folder")
    ev.add_argument("--check-floors", action="store_true", help="fail below eval/floors.json")
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    ev.add_argument("--corpus", help="documents folder of the index to evaluate")
    ev.add_argument("--index", help="index directory to evaluate")
    add_store_option(ev)
    ev.set_defaults(func=cmd_eval)

    cal = sub.add_parser("calibrate", help="refit the abstention gate on a question set's dev split")
    cal.add_argument("--set", default="gold", help="question set name in eval/datasets, or a .jsonl path")
    cal.add_argument("--questions", help="your own labelled questions (JSON Lines: question, "
                     "answerable; see examples/calibration-questions.jsonl); all are used")
    cal.add_argument("--out", help="calibration file to write (default: in the user's data directory)")
    cal.add_argument("--confidence-only", action="store_true",
                     help="keep the gate in use (same decisions); refit only the confidence it shows")
    cal.add_argument("--corpus", help="documents folder")
    cal.add_argument("--index", help="index directory")
    add_store_option(cal)
    cal.set_defaults(func=cmd_calibrate)

    bench = sub.add_parser("bench", help="print speed and memory tables")
    bench.add_argument("what", choices=BENCHMARKS, help="what to measure")
    bench.add_argument("--corpus", help="documents folder")
    bench.add_argument("--index", help="index directory")
    bench.add_argument("--threads", type=int, help="load: asking threads (default 8); serve: clients (default 16)")
    bench.add_argument("--seconds", type=float, help="load: duration (default 120); serve: per measurement (60)")
    bench.add_argument("--mb", type=float, help="memory: corpus size to replicate to (default 50)")
    bench.add_argument("--passages", type=int, help="store: synthetic passages (default 200000)")
    add_store_option(bench)
    bench.set_defaults(func=cmd_bench)

    serve = sub.add_parser("serve", help="run the HTTP API (OpenAI-compatible chat, retrieval, documents)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; ASSISTANT_HTTP_HOST)")
    serve.add_argument("--port", type=int, help="port (default 8000; ASSISTANT_HTTP_PORT)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve.add_argument("--corpus", help="documents folder (default: the bundled corpus)")
    serve.add_argument("--index", help="index directory")
    add_store_option(serve)
    serve.set_defaults(func=cmd_serve)

    ui = sub.add_parser("ui", help="open the Streamlit chat page")
    ui.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="passed to `streamlit run`")
    ui.set_defaults(func=cmd_ui)

    for command in _subcommand_parsers(parser):  # -v / -q after the sub-command too
        add_verbosity(command)
    return parser


def configure_logging(verbose: bool, quiet: bool) -> None:
    """WARNING by default, INFO with -v, ERROR with -q; third-party chatter follows (see index.quiet)."""
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["ui"]:
        # argparse cannot pass through options that start with "--": hand them
        # to Streamlit untouched (`assistant ui --server.port 8600`).
        rest = argv[1:]
        return cmd_ui(argparse.Namespace(streamlit_args=rest[1:] if rest[:1] == ["--"] else rest))
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except AssistantError as problem:  # a refused input: its French message says it all
        if args.verbose:
            raise
        error(str(problem))
        return EXIT_REFUSED
    except Exception as problem:  # one clear line for the user; the traceback with -v
        if args.verbose:
            raise
        error(f"{problem}\n(relancez avec -v pour le détail)")
        return EXIT_FAILED

if __name__ == "__main__":
    sys.exit(main())
