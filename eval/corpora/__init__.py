"""Evaluation corpora assembled offline from installed packages.

`eval.corpora.debian` builds a French corpus of another domain than the bundled
health reports (Debian's French documentation): a question-answering corpus to
check that the gate and the sentence ranker were not tuned to the health
reports, and a larger one for the ingestion benchmark.
"""
