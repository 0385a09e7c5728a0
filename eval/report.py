"""Evaluation reports: `summary.json`, a self-contained HTML page and Markdown.

The HTML embeds its charts as inline SVG (no script, no network), and escapes
every piece of question, answer and passage text.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HEADLINE = (
    ("hit@1", "Hit@1"),
    ("hit@5", "Hit@5"),
    ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"),
    ("faithfulness", "Fidélité"),
    ("citation_precision", "Précision des citations"),
    ("citation_recall", "Rappel des citations"),
    ("key_fact_recall", "Rappel des faits clés"),
    ("abstention_precision", "Précision d'abstention"),
    ("abstention_recall", "Rappel d'abstention"),
    ("false_abstention_rate", "Fausses abstentions"),
)


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "—"


def _interval(metric: dict | None) -> str:
    if not metric:
        return "—"
    return f"{_fmt(metric.get('mean'))} [{_fmt(metric.get('low'))}, {_fmt(metric.get('high'))}]"


IN_SECONDS = {"latency"}  # figures in seconds, never drawn on the 0..1 axis
AXIS_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)  # gridlines of the 0..1 axis of the bar charts
HISTOGRAM_BINS = 12  # latency histogram bins
BAR_COLOUR, WHISKER_COLOUR, HISTOGRAM_COLOUR = "#4c78a8", "#222222", "#f58518"


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: a label, a value in 0..1 and, when known, its interval."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None


def bars_from(figures: dict[str, object], labels: dict[str, str] | None = None) -> list[Bar]:
    """Bars from `{name: {"mean", "low", "high"}}` (or `{name: value}`), skipping missing values."""
    bars = []
    for name, figure in figures.items():
        stats = figure if isinstance(figure, dict) else {"mean": figure}
        mean = stats.get("mean")
        if not isinstance(mean, (int, float)):
            continue
        low, high = stats.get("low"), stats.get("high")
        bars.append(Bar((labels or {}).get(name, str(name)), float(mean),
                        float(low) if isinstance(low, (int, float)) else None,
                        float(high) if isinstance(high, (int, float)) else None))
    return bars


def _clip(value: float) -> float:
    return max(0.0, min(1.0, value))


def svg_bars(bars: Sequence[Bar], *, width: int = 620, title: str = "", axis_label: str = "") -> str:
    """A horizontal bar chart of values in 0..1 as inline SVG: an x axis with
    ticks and gridlines, and each bar's 95 % interval drawn as a whisker."""
    row, label_width, right_margin, top = 22, 170, 50, 24
    plot = width - label_width - right_margin
    axis_y = top + row * len(bars) + 4
    height = axis_y + 38
    esc = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{esc(title)}">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{esc(title)}</text>']
    for tick in AXIS_TICKS:  # gridlines, tick marks and tick labels
        x = label_width + tick * plot
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" '
                     f'stroke="#dddddd" stroke-width="1"/>')
        parts.append(f'<line class="tick" x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" '
                     f'stroke="#000000"/>')
        parts.append(f'<text class="tick-label" x="{x:.1f}" y="{axis_y + 16}" font-size="10" '
                     f'text-anchor="middle">{tick:g}</text>')
    parts.append(f'<line class="axis" x1="{label_width}" y1="{axis_y}" x2="{label_width + plot}" '
                 f'y2="{axis_y}" stroke="#000000"/>')
    parts.append(f'<line class="axis" x1="{label_width}" y1="{top}" x2="{label_width}" y2="{axis_y}" '
                 f'stroke="#000000"/>')
    if axis_label:
        parts.append(f'<text x="{label_width + plot / 2:.1f}" y="{axis_y + 32}" font-size="11" '
                     f'text-anchor="middle">{esc(axis_label)}</text>')
    for i, bar in enumerate(bars):
        y = top + i * row
        length = _clip(bar.value) * plot
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{esc(bar.label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="14" '
                     f'fill="{BAR_COLOUR}"/>')
        end = length
        if bar.low is not None and bar.high is not None:
            x_low, x_high = label_width + _clip(bar.low) * plot, label_width + _clip(bar.high) * plot
            middle = y + 10
            parts.append(f'<g class="whisker" stroke="{WHISKER_COLOUR}" stroke-width="1.2">'
                         f'<line x1="{x_low:.1f}" y1="{middle}" x2="{x_high:.1f}" y2="{middle}"/>'
                         f'<line x1="{x_low:.1f}" y1="{middle - 5}" x2="{x_low:.1f}" y2="{middle + 5}"/>'
                         f'<line x1="{x_high:.1f}" y1="{middle - 5}" x2="{x_high:.1f}" y2="{middle + 5}"/>'
                         f'<title>{esc(bar.label)} : {bar.value:.3f} [{bar.low:.3f}, {bar.high:.3f}]</title></g>')
            end = max(end, x_high - label_width)
        parts.append(f'<text x="{label_width + end + 4:.1f}" y="{y + 14}" font-size="11">{bar.value:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1-2-5 tick step giving about `target_ticks` ticks over `span`."""
    raw = span / target_ticks if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def svg_histogram(values: Sequence[float], *, bins: int = HISTOGRAM_BINS, width: int = 620, title: str = "",
                  axis_label: str = "secondes") -> str:
    """A histogram (e.g. latencies in seconds) as inline SVG, with both axes ticked and labelled."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / span * bins))] += 1
    left, top, plot_height = 44, 24, 160
    plot_width = width - left - 16
    axis_y = top + plot_height
    tallest = max(counts)
    count_step = max(1, int(_nice_step(tallest)))
    y_max = count_step * math.ceil(tallest / count_step)
    esc = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{axis_y + 40}" role="img" '
             f'aria-label="{esc(title)}">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{esc(title)}</text>']
    for count in range(0, y_max + 1, count_step):  # y axis: question counts
        y = axis_y - count / y_max * plot_height
        parts.append(f'<line class="tick" x1="{left - 4}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" stroke="#000000"/>')
        parts.append(f'<text class="tick-label" x="{left - 6}" y="{y + 3:.1f}" font-size="10" '
                     f'text-anchor="end">{count}</text>')
    bar_width = plot_width / bins
    for i, count in enumerate(counts):
        h = count / y_max * plot_height
        parts.append(f'<rect x="{left + i * bar_width:.1f}" y="{axis_y - h:.1f}" '
                     f'width="{bar_width - 2:.1f}" height="{h:.1f}" fill="{HISTOGRAM_COLOUR}"/>')
    step = _nice_step(span)
    tick = math.ceil(low / step) * step
    while tick <= high + 1e-9:  # x axis: seconds
        x = left + (tick - low) / span * plot_width
        parts.append(f'<line class="tick" x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#000000"/>')
        parts.append(f'<text class="tick-label" x="{x:.1f}" y="{axis_y + 15}" font-size="10" '
                     f'text-anchor="middle">{tick:g}</text>')
        tick += step
    parts.append(f'<line class="axis" x1="{left}" y1="{axis_y}" x2="{left + plot_width}" y2="{axis_y}" stroke="#000000"/>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{axis_y}" stroke="#000000"/>')
    parts.append(f'<text x="{left + plot_width / 2:.1f}" y="{axis_y + 32}" font-size="11" '
                 f'text-anchor="middle">{esc(axis_label)}</text>')
    parts.append(f'<text x="10" y="{top + plot_height / 2:.1f}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 10 {top + plot_height / 2:.1f})">questions</text>')
    parts.append("</svg>")
    return "".join(parts)


def _mean(figure: object) -> object:
    """A figure's mean, whether stored as `{"mean", "low", "high"}` or as a bare number."""
    return figure.get("mean") if isinstance(figure, dict) else figure


def _headline_keys(metrics: dict) -> list[tuple[str, str]]:
    """(key, label) of the metrics present: the known ones in order, then any other by name."""
    known = [(key, label) for key, label in HEADLINE if key in metrics]
    labelled = {key for key, _ in HEADLINE}
    return known + [(key, key) for key in sorted(metrics) if key not in labelled]


def _metrics_table(summary: dict) -> list[tuple[str, ...]]:
    """Rows: label, the run's figure [CI], each split's figure [CI] (several splits), the baseline's."""
    metrics = summary.get("metrics", {})
    baseline = summary.get("baseline", {}).get("metrics", {})
    splits = summary.get("by_split", {})
    return [
        (label, _interval(metrics[key]), *(_interval(splits[s].get(key)) for s in sorted(splits)),
         _interval(baseline.get(key)))
        for key, label in _headline_keys(metrics)
    ]


def _table_header(summary: dict) -> list[str]:
    splits = sorted(summary.get("by_split", {}))
    return ["métrique", "assistant [IC 95 %]", *(f"split {s} [IC 95 %]" for s in splits), "base naïve LangChain"]


def _floor_lines(summary: dict) -> list[tuple[str, str, str, str]]:
    """(metric, bound compared, limit, verdict) for each gated metric, when the run holds its split."""
    lines = []
    for line in summary.get("floors", {}).get("status", []):
        compared = "borne basse" if line["bound"] == "low" else "borne haute"
        limit = ("plancher " if line["kind"] == "floor" else "plafond ") + _fmt(line["limit"])
        lines.append((line["metric"], f"{compared} {_fmt(line['value'])}", limit,
                      "tenu" if line["holds"] else "FRANCHI"))
    return lines


def _type_cells(row: dict) -> list[str]:
    return [_fmt(_mean(row.get(key))) for key in ("hit@5", "faithfulness", "key_fact_recall", "abstention_correct")]


def _calibration_sentence(calibration: dict) -> str:
    return (f"La « confiance » d'une réponse est la probabilité, estimée par le filtre d'abstention, "
            f"que les rapports répondent à la question. Sur {calibration['n']} questions : erreur de "
            f"calibration attendue (ECE) {_fmt(calibration['ece'])}, score de Brier {_fmt(calibration['brier'])}.")


def _calibration_rows(calibration: dict) -> list[tuple[str, str, str, str]]:
    """One row per non-empty bin of the reliability diagram."""
    return [(f"{round(100 * b['low'])}–{round(100 * b['high'])} %", str(b["n"]), _fmt(b["mean_probability"]),
             _fmt(b["observed_rate"])) for b in calibration["bins"] if b["n"]]


def svg_reliability(calibration: dict, *, size: int = 320, title: str = "") -> str:
    """A reliability diagram as inline SVG: per bin, the share of questions the reports
    answer (bar, with its count) against the announced confidence; the diagonal is
    perfect calibration."""
    margin, top = 44, 24
    plot = size - margin - 12
    bottom = top + plot
    esc = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{bottom + 40}" role="img" '
             f'aria-label="{esc(title)}">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{esc(title)}</text>']
    for tick in AXIS_TICKS:
        x, y = margin + tick * plot, bottom - tick * plot
        parts.append(f'<line class="grid" x1="{margin}" y1="{y:.1f}" x2="{margin + plot}" y2="{y:.1f}" '
                     f'stroke="#dddddd"/>')
        parts.append(f'<text class="tick-label" x="{margin - 4}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{tick:g}</text>')
        parts.append(f'<text class="tick-label" x="{x:.1f}" y="{bottom + 14}" font-size="10" '
                     f'text-anchor="middle">{tick:g}</text>')
    for b in calibration["bins"]:
        if not b["n"]:
            continue
        x, width = margin + b["low"] * plot, (b["high"] - b["low"]) * plot
        height = _clip(b["observed_rate"]) * plot
        parts.append(f'<rect class="bin" x="{x + 1:.1f}" y="{bottom - height:.1f}" width="{width - 2:.1f}" '
                     f'height="{height:.1f}" fill="{BAR_COLOUR}" fill-opacity="0.8">'
                     f'<title>confiance {b["low"]:.1f}–{b["high"]:.1f} : {b["n"]} questions, moyenne '
                     f'{b["mean_probability"]:.3f}, répondues {b["observed_rate"]:.3f}</title></rect>')
        parts.append(f'<text x="{x + width / 2:.1f}" y="{bottom - height - 3:.1f}" font-size="9" '
                     f'text-anchor="middle">{b["n"]}</text>')
    parts.append(f'<line class="diagonal" x1="{margin}" y1="{bottom}" x2="{margin + plot}" y2="{top}" '
                 f'stroke="{WHISKER_COLOUR}" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{margin + plot / 2:.1f}" y="{bottom + 30}" font-size="11" text-anchor="middle">'
                 f'confiance annoncée</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_markdown(summary: dict, worst: Sequence[dict]) -> str:
    header = _table_header(summary)
    lines = [f"# Évaluation — {summary.get('set', '?')} ({summary.get('n', 0)} questions)", "",
             f"Créé le {summary.get('created', '?')} · mode {summary.get('mode', '?')} · "
             f"index {summary.get('index_version', '?')} · split {summary.get('split', '?')}", "",
             "Intervalles à 95 % : Wilson pour les proportions, bootstrap BCa pour les moyennes.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in _metrics_table(summary)]
    floors = _floor_lines(summary)
    if floors:
        lines += ["", f"## Seuils de la CI (split {summary['floors']['split']})", "",
                  "| métrique | valeur comparée | seuil | verdict |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in floors]
    calibration = summary.get("confidence_calibration")
    if calibration:
        lines += ["", "## Calibration de la confiance", "", _calibration_sentence(calibration), "",
                  "| confiance annoncée | questions | confiance moyenne | part des questions auxquelles les rapports répondent |",
                  "|---|---|---|---|"]
        lines += ["| " + " | ".join(cells) + " |" for cells in _calibration_rows(calibration)]
    lat = summary.get("latency", {})
    lines += ["", f"Latence : p50 {_fmt(lat.get('p50'))} s, p95 {_fmt(lat.get('p95'))} s", "",
              "## Par type de question", "", "| type | n | hit@5 | fidélité | faits clés | abstention correcte |",
              "|---|---|---|---|---|---|"]
    for qtype, row in sorted(summary.get("by_type", {}).items()):
        lines.append(f"| {qtype} | {row.get('n', '')} | " + " | ".join(_type_cells(row)) + " |")
    lines += ["", "## Questions les plus faibles", ""]
    for row in worst:
        lines += [f"### {row['id']} ({row['type']}) — score {row['score']:.2f}", "",
                  f"**Question :** {row['question']}", "", f"**Réponse :** {row['answer']}", "",
                  f"**Référence :** {row['reference_answer']}", ""]
    return "\n".join(lines) + "\n"


def charts(summary: dict) -> list[str]:
    """The report's inline SVG charts: headline metrics, two per-type views, the hit@k
    curve (each bar with its 95 % interval whisker), the latency histogram and, when
    the answers carry a confidence, its reliability diagram."""
    metrics = summary.get("metrics", {})
    by_type = summary.get("by_type", {})
    bounded = {key: metrics[key] for key, _ in _headline_keys(metrics) if key not in IN_SECONDS
               and all(0.0 <= metrics[key].get(b, 0.0) <= 1.0 for b in ("mean", "low", "high"))}
    return [
        svg_bars(bars_from(bounded, dict(HEADLINE)), title="Métriques principales (IC 95 %)",
                 axis_label="valeur (0 à 1)"),
        svg_bars(bars_from({t: r.get("hit@5") for t, r in sorted(by_type.items())}),
                 title="Hit@5 par type (IC 95 %)", axis_label="hit@5"),
        svg_bars(bars_from({t: r.get("key_fact_recall") for t, r in sorted(by_type.items())}),
                 title="Rappel des faits clés par type (IC 95 %)", axis_label="rappel des faits clés"),
        svg_bars(bars_from({f"hit@{k}": metrics.get(f"hit@{k}") for k in ("1", "3", "5", "10")}),
                 title="Courbe hit@k (IC 95 %)", axis_label="part des questions"),
        svg_histogram(summary.get("latencies", []), title="Latence par question"),
        *([svg_reliability(summary["confidence_calibration"],
                           title="Calibration de la confiance (part répondue par tranche)")]
          if summary.get("confidence_calibration") else []),
    ]


def render_html(summary: dict, worst: Sequence[dict]) -> str:
    esc = html.escape
    header = "".join(f"<th>{esc(cell)}</th>" for cell in _table_header(summary))
    table = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
                    for row in _metrics_table(summary))
    floors = _floor_lines(summary)
    floors_html = ""
    if floors:
        floors_html = (f"<h2>Seuils de la CI (split {esc(summary['floors']['split'])})</h2><table>"
                       "<tr><th>métrique</th><th>valeur comparée</th><th>seuil</th><th>verdict</th></tr>"
                       + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in line) + "</tr>" for line in floors)
                       + "</table>")
    by_type = summary.get("by_type", {})
    type_rows = "".join(
        f"<tr><td>{esc(t)}</td><td>{r.get('n', '')}</td>" + "".join(f"<td>{c}</td>" for c in _type_cells(r))
        + "</tr>"
        for t, r in sorted(by_type.items()))
    worst_html = "".join(
        f"<details><summary>{esc(r['id'])} ({esc(r['type'])}) — score {r['score']:.2f} — {esc(r['question'])}</summary>"
        f"<p><b>Réponse :</b> {esc(r['answer'])}</p><p><b>Référence :</b> {esc(r['reference_answer'])}</p>"
        + "".join(f"<blockquote>{esc(p)}</blockquote>" for p in r.get("passages", [])[:3])
        + "</details>"
        for r in worst)
    calibration = summary.get("confidence_calibration")
    calibration_html = ""
    if calibration:
        calibration_html = (
            f"<h2>Calibration de la confiance</h2><p>{esc(_calibration_sentence(calibration))}</p><table>"
            "<tr><th>confiance annoncée</th><th>questions</th><th>confiance moyenne</th>"
            "<th>part des questions auxquelles les rapports répondent</th></tr>"
            + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>"
                      for cells in _calibration_rows(calibration))
            + "</table>")
    lat = summary.get("latency", {})
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Évaluation — {esc(str(summary.get('set', '')))}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}
blockquote{{color:#444;border-left:3px solid #ccc;margin:.5em 0;padding-left:.8em}}svg{{display:block;margin:1em 0}}</style></head>
<body><h1>Évaluation — {esc(str(summary.get('set', '')))} ({summary.get('n', 0)} questions)</h1>
<p>Créé le {esc(str(summary.get('created', '')))} · mode {esc(str(summary.get('mode', '')))} ·
split {esc(str(summary.get('split', '')))} · latence p50 {_fmt(lat.get('p50'))} s, p95 {_fmt(lat.get('p95'))} s</p>
<p>Intervalles à 95 % : Wilson pour les proportions, bootstrap BCa pour les moyennes.</p>
<table><tr>{header}</tr>{table}</table>
{floors_html}
<h2>Par type de question</h2>
<table><tr><th>type</th><th>n</th><th>hit@5</th><th>fidélité</th><th>faits clés</th><th>abstention correcte</th></tr>{type_rows}</table>
{calibration_html}
<h2>Graphiques</h2>{''.join(charts(summary))}
<h2>Questions les plus faibles</h2>{worst_html}
</body></html>
"""


def write_report(folder: Path, summary: dict, rows: Sequence[dict], worst: Sequence[dict]) -> Path:
    """Write results.jsonl, summary.json, report.html and report.md into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "results.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "report.html").write_text(render_html(summary, worst), encoding="utf-8")
    (folder / "report.md").write_text(render_markdown(summary, worst), encoding="utf-8")
    return folder
