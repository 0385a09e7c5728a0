"""The Debian question set is sound: schema of the gold set, counts, verbatim quotes.

`eval/datasets/debian.jsonl` asks questions over the `small` Debian corpus
(`python -m eval.corpora.debian --size small`: the French *Référence Debian*
HTML chapters of the Debian package `debian-reference-fr`). The corpus is
built in a temporary folder and every evidence quote is checked against the
text the project's own ingestion produces for its file.

The package is a hard requirement, installed by `.ci/run`: without it this
test FAILS with the `apt-get install` command to run; it never skips.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.corpora import debian
from eval.dataset import QUESTION_TYPES, dataset_path, load_questions
from ingest.loaders import slugify
from ingest.pipeline import load_and_clean, read_sources_titles

QUESTIONS = load_questions("debian")
RAW_LINES = [json.loads(line) for line in dataset_path("debian").read_text(encoding="utf-8").splitlines()
             if line.strip()]


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _is_compound(q) -> bool:
    return "compound:" in q.notes


def _ensure_reference_package() -> None:
    """FAIL (never skip) with the install command when the Debian package is missing.

    `.ci/run` installs it; a developer machine may need `apt-get install`.
    """
    try:
        debian.check_packages("small")
    except debian.MissingPackages as error:
        pytest.fail(f"{error} (the Debian question set needs it; `.ci/run` installs it).")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    _ensure_reference_package()
    out = tmp_path_factory.mktemp("debian-small")
    debian.build_corpus(out, "small")
    return out


@pytest.fixture(scope="module")
def ingested(small_corpus) -> dict[str, str]:
    """doc id -> whitespace-collapsed text, as the project's ingestion produces it."""
    texts = {}
    for path in sorted(small_corpus.glob("*.html")):
        document = load_and_clean(path)
        assert document.doc_id == slugify(path.stem)
        texts[document.doc_id] = _collapse(document.text)
    return texts


# ------------------------------------------------------------------ schema


def test_every_line_has_exactly_the_gold_sets_keys():
    gold_keys = set(json.loads(dataset_path("gold").read_text(encoding="utf-8").splitlines()[0]))
    for line in RAW_LINES:
        assert set(line) == gold_keys, line["id"]


def test_ids_are_unique():
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))


def test_types_languages_and_answerability_are_consistent():
    for q in QUESTIONS:
        assert q.type in QUESTION_TYPES, q.id
        assert q.answerable == (q.type != "unanswerable"), q.id
        assert bool(q.evidence) == q.answerable, q.id
        assert {e.document for e in q.evidence} <= set(q.documents), q.id
        assert q.language in ("fr", "en"), q.id
        assert (q.type == "english") <= (q.language == "en"), q.id
        assert bool(q.history) == (q.type == "follow_up"), q.id
        assert all(set(turn) == {"question", "answer"} for turn in q.history), q.id
        assert q.split == "test", f"{q.id}: this corpus is never tuned on"
        assert q.question.strip() and (q.reference_answer.strip() or not q.answerable), q.id


def test_counts_and_mix_of_types():
    plain = [q for q in QUESTIONS if q.answerable and not _is_compound(q)]
    unanswerable = [q for q in QUESTIONS if not q.answerable]
    compound = [q for q in QUESTIONS if _is_compound(q)]
    assert len(plain) >= 40, len(plain)
    assert len(unanswerable) >= 15, len(unanswerable)
    assert len(compound) >= 8, len(compound)
    types = Counter(q.type for q in plain)
    for qtype in ("factual", "definition", "list", "multi_passage", "paraphrase"):
        assert types[qtype] >= 3, types
    assert types["english"] >= 3 and types["follow_up"] >= 3, types
    near_misses = [q for q in unanswerable if "off-topic" not in q.notes]
    assert len(near_misses) >= 10 and len(unanswerable) - len(near_misses) >= 2


def test_compound_questions_are_marked_and_mixed():
    compound = [q for q in QUESTIONS if _is_compound(q)]
    both = [q for q in compound if "compound: both parts answerable" in q.notes]
    partial = [q for q in compound if "compound: part 2 unanswerable" in q.notes]
    assert len(both) + len(partial) == len(compound)
    assert both and partial
    for q in compound:
        assert q.answerable and q.evidence, q.id
        assert " et " in q.question or " and " in q.question, q.id
    for q in partial:
        assert "grep" in q.notes.lower() or "search" in q.notes.lower(), q.id


def test_unanswerable_questions_record_how_they_were_checked():
    for q in QUESTIONS:
        if not q.answerable:
            assert not q.documents and not q.reference_answer, q.id
            assert "grep" in q.notes.lower() or "search" in q.notes.lower(), q.id


# ----------------------------------------------------------- against corpus


def test_the_corpus_has_the_expected_files_and_titles(small_corpus, ingested):
    titles = read_sources_titles(small_corpus)
    files = sorted(p.name for p in small_corpus.glob("*.html"))
    assert len(files) >= 12 and "debian-reference-ch01.html" in files
    assert set(titles) == set(files)
    assert all(title.startswith("Référence Debian — ") for title in titles.values())
    sources = (small_corpus / "SOURCES.md").read_text(encoding="utf-8")
    assert f"`{debian.REFERENCE_PACKAGE}` {debian.package_version(debian.REFERENCE_PACKAGE)}" in sources
    assert load_and_clean(small_corpus / "debian-reference-ch05.html").title == titles["debian-reference-ch05.html"]


def test_every_document_is_a_file_of_the_small_corpus(ingested):
    unknown = sorted({d for q in QUESTIONS for d in q.documents} - set(ingested))
    assert unknown == []


def test_every_quote_is_verbatim_in_the_ingested_text(ingested):
    missing = [
        (q.id, e.document, e.quote[:60])
        for q in QUESTIONS
        for e in q.evidence
        if _collapse(e.quote) not in ingested.get(e.document, "")
    ]
    assert missing == []


# ------------------------------------------------------------ corpus module


def test_a_rebuild_is_byte_identical(small_corpus, tmp_path):
    debian.build_corpus(tmp_path, "small")
    first = {p.name: p.read_bytes() for p in small_corpus.iterdir()}
    second = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert first == second


def test_a_missing_package_gives_the_apt_get_command(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(debian, "package_version", lambda name: None)
    with pytest.raises(debian.MissingPackages) as raised:
        debian.check_packages("large")
    message = str(raised.value)
    assert message.startswith("Paquet(s) Debian manquant(s)")
    assert "apt-get install -y debian-reference-fr manpages-fr man-db" in message
    assert debian.main(["--out", str(tmp_path / "out")]) == 2
    assert "apt-get install -y debian-reference-fr" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_foreign_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("à moi", encoding="utf-8")
    with pytest.raises(FileExistsError):
        debian.prepare_folder(tmp_path)
    assert (tmp_path / "notes.txt").exists()
