"""The evaluation report: charts with axes and interval whiskers, split columns, floor verdicts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from eval.report import Bar, bars_from, render_html, render_markdown, svg_bars, svg_histogram, svg_reliability

SVG = "{http://www.w3.org/2000/svg}"


def figure(mean: float, low: float, high: float) -> dict:
    return {"mean": mean, "low": low, "high": high, "n": 10, "method": "wilson"}


SUMMARY = {
    "set": "gold", "split": "all", "n": 20, "mode": "extractive", "created": "2026-11-30T10:00:00+00:00",
    "metrics": {"hit@1": figure(0.8, 0.6, 0.9), "false_abstention_rate": figure(0.1, 0.03, 0.3),
                "latency": {"mean": 0.4, "low": 0.3, "high": 0.5, "n": 20, "method": "bca"}},
    "by_split": {"dev": {"hit@1": figure(0.9, 0.7, 0.97), "n": 10},
                 "test": {"hit@1": figure(0.7, 0.4, 0.89), "n": 10}},
    "by_type": {"factual": {"hit@5": figure(0.9, 0.6, 0.98), "key_fact_recall": figure(0.7, 0.5, 0.8), "n": 12},
                "list": {"hit@5": figure(0.5, 0.2, 0.8), "n": 8}},
    "hit_at_k": {"1": 0.8},
    "latency": {"p50": 0.3, "p95": 0.6},
    "latencies": [0.1, 0.25, 0.3, 0.32, 0.6, 1.4],
    "confidence_calibration": {"n": 20, "ece": 0.061, "brier": 0.12, "bins": [
        {"low": 0.1 * i, "high": 0.1 * (i + 1), "n": n, "mean_probability": p, "observed_rate": r}
        for i, (n, p, r) in enumerate([(2, 0.05, 0.0), (0, None, None), (3, 0.25, 0.33), *[(0, None, None)] * 5,
                                       (5, 0.85, 0.8), (10, 0.95, 1.0)])]},
    "floors": {"split": "test", "status": [
        {"metric": "hit@1", "kind": "floor", "bound": "low", "value": 0.4, "mean": 0.7, "limit": 0.5,
         "holds": False}]},
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_bar_chart_has_a_ticked_axis_and_a_whisker_per_interval():
    bars = [Bar("a", 0.5, 0.25, 0.75), Bar("b", 1.0, 0.8, 1.0), Bar("c", 0.3)]
    root = parse(svg_bars(bars, width=470, title="T", axis_label="valeur"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "0.25", "0.5", "0.75", "1"} <= set(texts) and "valeur" in texts
    assert len([line for line in root.iter(f"{SVG}line") if line.get("class") == "axis"]) == 2
    whiskers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "whisker"]
    assert len(whiskers) == 2  # the bar without an interval has none
    # plot spans x = 170 … 420 (label column 170, right margin 50): 0.25 → 232.5, 0.75 → 357.5
    span = whiskers[0].find(f"{SVG}line")
    assert (float(span.get("x1")), float(span.get("x2"))) == pytest.approx((232.5, 357.5))
    assert "[0.250, 0.750]" in whiskers[0].find(f"{SVG}title").text


def test_bars_from_summary_figures_keep_their_bounds_and_skip_missing_values():
    bars = bars_from({"hit@1": figure(0.8, 0.6, 0.9), "none": None, "bare": 0.5}, {"hit@1": "Hit@1"})
    assert bars == [Bar("Hit@1", 0.8, 0.6, 0.9), Bar("bare", 0.5)]


def test_histogram_has_labelled_axes_in_seconds_and_counts():
    root = parse(svg_histogram([0.1, 0.25, 0.3, 0.32, 0.6, 1.4], title="Latence"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "secondes" in texts and "questions" in texts
    assert {"0.5", "1"} <= set(texts)  # a 1-2-5 step (0.5 s) over 0.1 … 1.4 s
    assert "0" in texts  # count axis starts at zero
    assert sum(1 for r in root.iter(f"{SVG}rect")) == 12


def test_html_report_shows_splits_side_by_side_charts_with_whiskers_and_no_script():
    page = render_html(SUMMARY, [])
    assert "split dev [IC 95 %]" in page and "split test [IC 95 %]" in page
    assert "0.900 [0.700, 0.970]" in page and "0.700 [0.400, 0.890]" in page
    assert "FRANCHI" in page and "borne basse 0.400" in page
    assert "<script" not in page
    # headline (hit@1, false abstentions; not latency, in seconds), per type (2), key facts (1), hit@k (1)
    assert page.count('class="whisker"') == 2 + 2 + 1 + 1
    svgs = page.split("<svg")[1:]
    for chunk in svgs:
        parse("<svg" + chunk.split("</svg>")[0] + "</svg>")


def test_markdown_report_has_the_split_columns_and_the_floor_verdicts():
    text = render_markdown(SUMMARY, [])
    assert "| métrique | assistant [IC 95 %] | split dev [IC 95 %] | split test [IC 95 %] | base naïve LangChain |" in text
    assert "| hit@1 | borne basse 0.400 | plancher 0.500 | FRANCHI |" in text


def test_reliability_diagram_draws_one_bar_per_occupied_bin_and_the_diagonal():
    root = parse(svg_reliability(SUMMARY["confidence_calibration"], size=320, title="Calibration"))
    bins = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bin"]
    assert len(bins) == 4
    # plot height 264 (320 − 44 − 12), bottom at y = 288: an observed rate of 1.0 fills it, 0.0 draws nothing
    assert [float(r.get("height")) for r in bins] == pytest.approx([0.0, 0.33 * 264, 0.8 * 264, 264.0], abs=0.05)
    assert [line for line in root.iter(f"{SVG}line") if line.get("class") == "diagonal"]
    assert "10 questions" in bins[-1].find(f"{SVG}title").text


def test_both_reports_give_the_confidence_calibration_per_occupied_bin():
    text = render_markdown(SUMMARY, [])
    assert "## Calibration de la confiance" in text and "(ECE) 0.061" in text and "Brier 0.120" in text
    assert "| 90–100 % | 10 | 0.950 | 1.000 |" in text and "| 10–20 % |" not in text  # empty bins left out
    page = render_html(SUMMARY, [])
    assert "<h2>Calibration de la confiance</h2>" in page and "<td>80–90 %</td><td>5</td>" in page
    assert page.count('class="bin"') == 4
    no_confidence = {k: v for k, v in SUMMARY.items() if k != "confidence_calibration"}
    assert "Calibration de la confiance" not in render_markdown(no_confidence, []) + render_html(no_confidence, [])
