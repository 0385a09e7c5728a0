"""The French analyzer and the BM25 index built on it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import index.lexical as lexical
from index.lexical import LexicalIndex, analyze

# --------------------------------------------------------------------------- analyzer


@pytest.mark.parametrize("apostrophe", ["'", "’"])
@pytest.mark.parametrize(
    "prefix", ["l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"]
)
def test_elisions_are_split_off(prefix, apostrophe):
    assert analyze(f"{prefix}{apostrophe}intelligence") == analyze("intelligence")
    assert analyze(f"{prefix.upper()}{apostrophe}intelligence") == analyze("intelligence")


def test_accents_and_case_fold_to_the_same_term():
    assert analyze("santé") == analyze("sante") == analyze("SANTÉ") == analyze("Santé")
    assert analyze("données") == analyze("donnees") == analyze("DONNÉES")
    assert len(analyze("santé")) == 1


def test_inflections_share_a_stem():
    assert analyze("donnée données") == analyze("donnee donnee")
    assert len(set(analyze("hôpital hôpitaux"))) == 1
    assert len(set(analyze("emploi emplois"))) == 1
    assert len(set(analyze("créé créée"))) == 1


def test_stop_words_are_dropped_but_content_words_kept():
    assert analyze("le la les de des du et ou que qui dans pour sur") == []
    assert analyze("What is the role of the data?") == analyze("role data")


def test_decimal_numbers_are_single_terms_in_french_form():
    assert "1,85" in analyze("un investissement de 1,85 milliard d'euros")
    assert analyze("1.85 milliard") == analyze("1,85 milliard")
    assert "9,7" in analyze("un budget de 9,7 M€")


def test_thousands_separated_by_spaces_are_joined():
    assert "5000" in analyze("environ 5 000 emplois")
    assert "5000" in analyze("environ 5\u202f000 emplois")  # narrow no-break space
    assert "1000000" in analyze("1 000 000 patients")
    # A year followed by a number is not a thousands group.
    assert "2019200" not in analyze("en 2019 200 entreprises")


def test_money_amounts_and_units():
    assert analyze("9,7 M€") == ["9,7", "m€", "9,7m€"]
    assert analyze("57M€") == ["57", "m€", "57m€"]
    assert analyze("M€") == ["m€"]


def test_hyphenated_compounds_keep_the_whole_and_the_parts():
    terms = analyze("pour la période 2019-2021")
    assert {"2019-2021", "2019", "2021"} <= set(terms)
    assert {"covid-19", "covid", "19"} <= set(analyze("COVID-19"))
    assert analyze("2019–2021") == analyze("2019-2021")  # en dash


def test_compounds_of_stop_words_and_footnote_calls_add_nothing():
    assert analyze("Qu'est-ce que c'est ?") == []
    assert analyze("France Biotech¹ et PulseLife³") == analyze("France Biotech et PulseLife")


def test_acronyms_survive_even_when_they_look_like_stop_words():
    assert analyze("marquage CE") == analyze("marquage") + ["ce"]
    assert analyze("ce que") == []
    assert "3ia" in analyze("Trois instituts 3IA")
    assert analyze("SNDS") == analyze("snds")


def test_shouted_headings_are_ordinary_text():
    heading = analyze("L'INTELLIGENCE ARTIFICIELLE DANS LES INDUSTRIES DE SANTÉ")
    assert heading == analyze("L'intelligence artificielle dans les industries de santé")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😀🚑🇫🇷 👩‍⚕️",
        "مرحبا بالعالم",  # right-to-left script
        "\u202eevil\u202c override",
        "\x00\x01\x07 bell \x1b[31m red",
        "lone surrogate \ud800 here",
        "\ufeffBOM and zero\u200bwidth",
        "x" * 10_000,
        "’’’'''---€€€,,,...",
    ],
)
def test_analyzer_never_crashes(text):
    terms = analyze(text)
    assert isinstance(terms, list)
    assert all(isinstance(t, str) and t for t in terms)
    assert all(len(t) <= lexical.MAX_TERM_CHARS for t in terms)


def test_foreign_scripts_and_control_characters():
    assert analyze("مرحبا") == ["مرحبا"]
    assert analyze("\x00sant\x07é\x1b") == analyze("santé")  # control characters vanish
    assert analyze("😀") == []


# --------------------------------------------------------------------------- search


@pytest.fixture(scope="module")
def corpus_index(corpus_paragraphs):
    """BM25 over every paragraph of the bundled corpus (about 2,000 passages)."""
    paragraphs = [p for doc in corpus_paragraphs.values() for p in doc]
    return paragraphs, LexicalIndex.build(paragraphs)


@pytest.mark.parametrize(
    ("query", "must_contain"),
    [
        ("1,85 milliard", r"1,85 milliard"),
        ("1.85 milliard", r"1,85 milliard"),
        ("3IA", r"\b3IA\b"),
        ("SNDS", r"\bSNDS\b"),
        ("CE", r"\bCE\b"),
        ("M€", r"M€"),
        ("9,7 M€", r"9,7 M€"),
        ("2019-2021", r"2019-2021"),
        ("What is the SNDS?", r"\bSNDS\b"),
    ],
)
def test_identifiers_are_found_at_rank_one(corpus_index, query, must_contain):
    paragraphs, index = corpus_index
    hits = index.search(query, 5)
    assert hits, f"no hit for {query!r}"
    assert re.search(must_contain, paragraphs[hits[0][0]])


def test_elided_and_unaccented_queries_find_their_passages():
    passages = [
        "Les industries pharmaceutiques investissent dans la recherche clinique.",
        "L’intelligence artificielle transforme les pratiques médicales.",
        "LA SANTÉ NUMÉRIQUE EN FRANCE",
    ]
    index = LexicalIndex.build(passages)
    assert index.search("l'intelligence", 3)[0][0] == 1
    assert index.search("intelligence", 3)[0][0] == 1
    assert [row for row, _ in index.search("sante", 3)] == [2]
    assert [row for row, _ in index.search("Santé", 3)] == [2]


def test_search_returns_only_matching_rows_best_first(corpus_index):
    paragraphs, index = corpus_index
    hits = index.search("Health Data Hub", 20)
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)
    assert all(re.search(r"health|data|hub", paragraphs[row], re.I) for row, _ in hits)
    assert len(index.search("SNDS", 1000)) == sum(bool(re.search(r"SNDS", p)) for p in paragraphs)


def test_search_within_allowed_rows(corpus_index):
    paragraphs, index = corpus_index
    everywhere = [row for row, _ in index.search("SNDS", 100)]
    allowed = np.array(everywhere[1:3] + [0, 1, 2])
    hits = index.search("SNDS", 10, allowed_ids=allowed)
    assert [row for row, _ in hits] == everywhere[1:3]


def test_queries_without_terms_return_nothing(corpus_index):
    _, index = corpus_index
    for query in ["", "   ", "😀😀", "le la les", "\x00\x01", "zzzqqqxxx"]:
        assert index.search(query, 5) == []
    assert index.search("SNDS", 0) == []


def test_build_refuses_an_empty_corpus_but_accepts_empty_passages():
    with pytest.raises(ValueError):
        LexicalIndex.build([])
    index = LexicalIndex.build(["", "😀", "Le Système National des Données de Santé"])
    assert [row for row, _ in index.search("système national", 5)] == [2]


# --------------------------------------------------------------------------- storage


def test_save_load_roundtrip_without_pickle(tmp_path, corpus_index, monkeypatch):
    paragraphs, index = corpus_index
    written = index.save(tmp_path / "bm25")
    assert {p.suffix for p in written} == {".npy", ".json"}
    for path in written:
        if path.suffix == ".npy":  # plain numeric arrays: readable without pickle
            assert np.load(path, allow_pickle=False).dtype != object
        else:
            json.loads(path.read_text(encoding="utf-8"))

    calls = []
    real_load = np.load

    def spying_load(*args, **kwargs):
        calls.append(kwargs.get("allow_pickle"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spying_load)
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert calls and all(flag is False for flag in calls)
    for query in ["1,85 milliard", "SNDS", "marquage CE", "intelligence artificielle"]:
        assert loaded.search(query, 10) == index.search(query, 10)


def test_loaded_scores_are_bm25s_own_scores(tmp_path, corpus_index):
    # loading and scoring read bm25s's arrays without bm25s: the sums must be its own, bit for bit
    import bm25s

    paragraphs, index = corpus_index
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    reference = bm25s.BM25.load(str(tmp_path / "bm25"), allow_pickle=False)
    queries = [p[:80] for p in paragraphs[::25]] + ["1,85 milliard SNDS SNDS", "le la les", "zzzz inconnu"]
    for query in queries:
        ids = reference.get_tokens_ids([t for t in analyze(query) if t])
        expected = np.asarray(reference.get_scores_from_ids(ids), dtype=np.float32) if ids else np.zeros(
            loaded.num_rows, dtype=np.float32)
        np.testing.assert_array_equal(loaded.scores(query), expected)


def test_opening_an_index_imports_neither_bm25s_nor_scipy(tmp_path, corpus_index):
    # they cost 0.3-0.4 s of a fresh process's start; only a build needs them
    _, index = corpus_index
    index.save(tmp_path / "bm25")
    script = (
        "import sys; from pathlib import Path; from index.lexical import LexicalIndex; "
        f"i = LexicalIndex.load(Path({str(tmp_path / 'bm25')!r})); i.search('données de santé', 5); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bm25s', 'scipy')))"
    )
    root = Path(lexical.__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_loaded_index_is_not_written_again(tmp_path, corpus_index):
    _, index = corpus_index
    index.save(tmp_path / "bm25")
    with pytest.raises(ValueError, match="freshly built"):
        LexicalIndex.load(tmp_path / "bm25").save(tmp_path / "again")


def test_load_refuses_another_analyzer_version(tmp_path, corpus_index):
    _, index = corpus_index
    index.save(tmp_path / "bm25")
    meta_path = tmp_path / "bm25" / lexical.META_FILE
    meta = json.loads(meta_path.read_text())
    meta["analyzer_version"] = lexical.ANALYZER_VERSION + 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="analyzer version"):
        LexicalIndex.load(tmp_path / "bm25")


def test_no_pickle_in_the_storage_modules():
    package = Path(lexical.__file__).parent
    sources = [package / name for name in ("dense.py", "lexical.py", "lock.py")]
    sources += sorted((package / "store").rglob("*.py"))
    assert len(sources) > 8
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "import pickle" not in text, source
        assert "allow_pickle=True" not in text, source
