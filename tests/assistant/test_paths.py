"""Default locations (assistant.paths) and the rule that nothing is written inside the package."""

from __future__ import annotations

from assistant.documents import add_document
from assistant.paths import bundled_corpus, inside_package, package_dir
from ingest.config import IngestLimits


def test_the_source_checkouts_bundled_corpus_is_outside_the_package_and_stays_editable():
    assert bundled_corpus().name == "corpus" and bundled_corpus().parent.name == "data"
    assert not inside_package(bundled_corpus())


def test_folders_inside_the_package_are_recognised():
    assert inside_package(package_dir())
    assert inside_package(package_dir() / "some" / "folder")


def test_adding_a_document_to_a_corpus_inside_the_package_is_refused_before_any_write():
    corpus = package_dir() / "no-such-corpus"
    rebuilt = []
    outcome = add_document(corpus, IngestLimits(), {}, lambda **_: rebuilt.append(1),
                           "note.md", b"# Note\n\nUne note.\n")
    assert not outcome.ok and "n'est pas modifiable" in outcome.message
    assert not corpus.exists() and not rebuilt
