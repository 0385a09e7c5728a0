"""The `assistant` command line: argument parsing (end-to-end runs live in the reliability tests)."""

from ui.cli import build_parser


def test_bench_takes_its_duration_threads_and_size_from_flags():
    args = build_parser().parse_args(["bench", "load", "--threads", "4", "--seconds", "30"])
    assert (args.what, args.threads, args.seconds) == ("load", 4, 30.0)
    assert build_parser().parse_args(["bench", "memory", "--mb", "5"]).mb == 5.0


def test_bench_flags_default_to_none_so_the_benchmark_picks_its_defaults():
    args = build_parser().parse_args(["bench", "load"])
    assert args.threads is None and args.seconds is None and args.mb is None


# ---------------------------------------------------------------- conventions (issue #14)

import io
import json

import pytest

from assistant.paths import package_dir
from tests.ui.conftest import TINY_CORPUS, write_corpus
from ui.cli import main, package_version


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"assistant {package_version()}"
    assert package_version()[0].isdigit()


@pytest.mark.parametrize("argv", [
    ["-v", "ask", "Q"], ["ask", "-v", "Q"], ["ask", "Q", "--verbose"],
    ["docs", "list", "-v"], ["-v", "docs", "rm", "x"],
])
def test_verbose_is_understood_before_or_after_the_sub_command(argv):
    args = build_parser().parse_args(argv)
    assert args.verbose and not args.quiet


@pytest.mark.parametrize("argv", [["-q", "ingest"], ["ingest", "-q"], ["ingest", "--quiet"], ["eval", "-q"]])
def test_quiet_is_understood_anywhere(argv):
    args = build_parser().parse_args(argv)
    assert args.quiet and not args.verbose


def test_without_flags_neither_verbose_nor_quiet():
    args = build_parser().parse_args(["docs", "list"])
    assert not args.verbose and not args.quiet


@pytest.mark.parametrize("argv", [["ingest", "--json"], ["ask", "Q", "--json"], ["docs", "list", "--json"],
                                  ["eval", "--json"]])
def test_json_is_offered_on_ingest_ask_docs_list_and_eval(argv):
    assert build_parser().parse_args(argv).json


def test_every_option_of_ask_has_help_text():
    ask = next(a for a in build_parser()._actions if a.dest == "command").choices["ask"]
    assert all(action.help for action in ask._actions)


def test_an_unknown_setting_is_an_error_on_stderr_naming_it(monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_TOPK", "3")
    assert main(["docs", "list"]) == 2
    out, err = capsys.readouterr()
    assert not out
    assert err.startswith("Erreur : Réglage inconnu « topk »") and "top_k" in err


@pytest.fixture
def cli_env(monkeypatch, settings):
    """The real model's cache for the CLI runs of these tests."""
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(settings.cache_dir))


@pytest.mark.slow
def test_ask_with_an_unknown_document_id_lists_the_known_ones(cli_env, bundled_index, capsys):
    code = main(["ask", "Quel budget ?", "--doc", "no-such-doc", "--index", str(bundled_index)])
    out, err = capsys.readouterr()
    assert code == 2 and not out
    assert "« no-such-doc »" in err and "kratz-hayot-ia-et-data-en-sante" in err


@pytest.mark.slow
def test_interactive_errors_go_to_stderr_and_set_the_exit_status(cli_env, bundled_index, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("🙂🙂\nQuel budget pour le Health Data Hub en 2020 ?\n\n"))
    code = main(["ask", "--index", str(bundled_index)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Erreur : La question ne contient ni mot ni chiffre" in err
    assert "Erreur" not in out and "Sources :" in out  # the next question was still answered


@pytest.mark.slow
def test_docs_list_json_lists_the_indexed_documents(cli_env, bundled_index, capsys):
    assert main(["docs", "list", "--json", "--index", str(bundled_index)]) == 0
    documents = json.loads(capsys.readouterr().out)
    assert len(documents) == 5
    assert {"doc_id", "title", "file", "format", "chunk_count"} <= set(documents[0])


@pytest.mark.slow
def test_docs_add_and_rm_update_the_corpus_folder_and_the_index(cli_env, tmp_path, capsys):
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    index = tmp_path / "index"
    where = ["--corpus", str(corpus), "--index", str(index)]
    assert main(["ingest", "-q", *where]) == 0
    new = tmp_path / "dialyse.md"
    new.write_text("# Dialyse\n\nLa dialyse à domicile évite trois séances hebdomadaires à l'hôpital.\n",
                   encoding="utf-8")
    capsys.readouterr()

    assert main(["docs", "add", str(new), *where]) == 0
    assert "a été ajouté au corpus et indexé" in capsys.readouterr().out
    assert (corpus / "dialyse.md").is_file()
    assert main(["docs", "list", "--json", *where]) == 0
    assert "dialyse" in {d["doc_id"] for d in json.loads(capsys.readouterr().out)}

    assert main(["docs", "rm", "dialyse", *where]) == 0
    assert "retiré du corpus" in capsys.readouterr().out
    assert not (corpus / "dialyse.md").exists()
    assert main(["docs", "list", "--json", *where]) == 0
    assert "dialyse" not in {d["doc_id"] for d in json.loads(capsys.readouterr().out)}

    assert main(["docs", "rm", "dialyse", *where]) == 2
    assert "Document inconnu : « dialyse »" in capsys.readouterr().err


@pytest.mark.slow
def test_docs_add_refuses_to_write_inside_the_installed_package(cli_env, tmp_path, capsys):
    inside = package_dir() / "no-such-corpus"
    new = tmp_path / "note.md"
    new.write_text("# Note\n\nUne note.\n", encoding="utf-8")
    code = main(["docs", "add", str(new), "--corpus", str(inside), "--index", str(tmp_path / "index")])
    assert code == 2
    assert "n'est pas modifiable" in capsys.readouterr().err
    assert not inside.exists()


@pytest.mark.slow
def test_ingest_json_reports_the_update_and_the_documents(cli_env, tmp_path, capsys):
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    assert main(["ingest", "--json", "-q", "--corpus", str(corpus), "--index", str(tmp_path / "index")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sorted(result["report"]["added"]) == ["robotique", "telesante"]
    assert {d["doc_id"] for d in result["documents"]} == {"robotique", "telesante"}
    assert result["skipped"] == []


@pytest.mark.slow
def test_eval_json_prints_the_summary(cli_env, bundled_index, tmp_path, capsys):
    code = main(["eval", "--json", "--limit", "2", "--index", str(bundled_index), "--out", str(tmp_path)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["summary"]["n"] == 2 and result["below_floors"] == []
    assert result["report"].startswith(str(tmp_path))


def test_the_printed_answer_gives_its_confidence_after_the_text(capsys):
    from assistant.models import Answer
    from ui.cli import _print_answer

    _print_answer(Answer(question="q", text="Le budget était de 9,7 M€. [1]", abstained=False, confidence=0.874))
    lines = capsys.readouterr().out.splitlines()
    assert lines[lines.index("Le budget était de 9,7 M€. [1]") + 1] == "(confiance : 87 %)"
    _print_answer(Answer(question="q", text="t", abstained=False, confidence=None))
    assert "confiance" not in capsys.readouterr().out  # no calibrated gate: nothing to give
