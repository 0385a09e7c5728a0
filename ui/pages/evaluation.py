"""The Évaluation page: the latest evaluation report, as tables and Streamlit charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.components import escape_markdown, format_timestamp
from ui.reports import (
    METRIC_LABELS,
    by_type_table,
    histogram,
    hit_curve,
    latencies,
    latest_report,
    metric_rows,
)
from ui.state import load_settings

RESULT_COLUMNS = ("id", "type", "question", "score", "abstained", "hit@5", "faithfulness", "latency")


def main() -> None:
    settings = load_settings()
    st.title("Évaluation")
    report = latest_report(settings.reports_dir)
    if report is None:
        st.info(
            "Aucun rapport d'évaluation dans "
            f"{escape_markdown(str(settings.reports_dir))}.\n\n"
            "Lancez l'évaluation en ligne de commande pour en créer un, par exemple :"
        )
        st.code("assistant eval --set gold", language="bash")
        return

    summary = report.summary
    facts = [
        f"Jeu : {escape_markdown(str(summary.get('set', '?')))}",
        f"{summary.get('n', len(report.results))} questions",
        f"mode {escape_markdown(str(summary.get('mode', '?')))}",
        f"créé le {escape_markdown(format_timestamp(summary.get('created')))}",
        f"dossier {escape_markdown(report.folder.name)}",
    ]
    st.caption(" · ".join(facts))

    rows = metric_rows(summary)
    st.subheader("Métriques")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.write("Ce rapport ne contient pas de métriques.")
    latency = summary.get("latency") or {}
    if isinstance(latency, dict) and latency:
        columns = st.columns(3)
        for column, key in zip(columns, ("p50", "p95", "max")):
            value = latency.get(key)
            if isinstance(value, (int, float)):
                column.metric(f"Latence {key}", f"{value:.2f} s")

    table = by_type_table(summary)
    if table:
        st.subheader("Par type de question")
        frame = pd.DataFrame(table).T.sort_index()
        metric = st.selectbox("Métrique", list(frame.columns), key="by_type_metric",
                              format_func=lambda key: METRIC_LABELS.get(key, key))
        st.bar_chart(frame[[metric]], horizontal=True)
        with st.expander("Tableau complet"):
            st.dataframe(frame, width="stretch")

    curve = hit_curve(summary)
    if curve:
        st.subheader("Courbe hit@k")
        st.line_chart(pd.DataFrame({"k": [k for k, _ in curve], "hit@k": [v for _, v in curve]}), x="k", y="hit@k")

    values = latencies(report)
    if values:
        st.subheader("Latence par question")
        bins = histogram(values)
        frame = pd.DataFrame({"Intervalle": [b for b, _ in bins], "Questions": [c for _, c in bins]})
        st.bar_chart(frame, x="Intervalle", y="Questions", sort=False)

    if report.results:
        st.subheader("Résultats par question")
        present = [c for c in RESULT_COLUMNS if any(c in row for row in report.results)]
        frame = pd.DataFrame([{c: row.get(c) for c in present} for row in report.results])
        st.dataframe(frame, hide_index=True, width="stretch")


main()
