"""Evaluation reports: `summary.json`, a self-contained HTML page and Markdown.

The HTML embeds its charts as inline SVG (no script, no network), and escapes
every piece of question, answer and passage text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

HEADLINE = (
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


def svg_bars(values: dict[str, float], *, width: int = 560, title: str = "") -> str:
    """A horizontal bar chart (values in 0..1) as inline SVG."""
    row, label_width = 22, 150
    height = row * len(values) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value) in enumerate(values.items()):
        y = 24 + i * row
        bar = max(0.0, min(1.0, float(value))) * (width - label_width - 50)
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{html.escape(str(label))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="14" fill="#4c78a8"/>')
        parts.append(f'<text x="{label_width + bar + 4:.1f}" y="{y + 14}" font-size="11">{float(value):.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_histogram(values: Sequence[float], *, bins: int = 12, width: int = 560, title: str = "") -> str:
    """A histogram of latencies (seconds) as inline SVG."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / span * bins))] += 1
    height, top = 160, max(counts)
    bar_width = (width - 40) / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" role="img">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for i, count in enumerate(counts):
        h = count / top * height
        parts.append(f'<rect x="{20 + i * bar_width:.1f}" y="{20 + height - h:.1f}" '
                     f'width="{bar_width - 2:.1f}" height="{h:.1f}" fill="#f58518"/>')
    parts.append(f'<text x="20" y="{height + 36}" font-size="11">{low:.2f} s</text>')
    parts.append(f'<text x="{width - 60}" y="{height + 36}" font-size="11">{high:.2f} s</text>')
    parts.append("</svg>")
    return "".join(parts)


def _metrics_table(summary: dict) -> list[tuple[str, str, str]]:
    baseline = summary.get("baseline", {}).get("metrics", {})
    rows = []
    for key, label in HEADLINE:
        if key in summary.get("metrics", {}):
            rows.append((label, _interval(summary["metrics"][key]), _interval(baseline.get(key))))
    return rows


def render_markdown(summary: dict, worst: Sequence[dict]) -> str:
    lines = [f"# Évaluation — {summary.get('set', '?')} ({summary.get('n', 0)} questions)", "",
             f"Créé le {summary.get('created', '?')} · mode {summary.get('mode', '?')} · "
             f"index {summary.get('index_version', '?')}", "",
             "| métrique | assistant [IC 95 %] | base naïve LangChain |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in _metrics_table(summary)]
    lat = summary.get("latency", {})
    lines += ["", f"Latence : p50 {_fmt(lat.get('p50'))} s, p95 {_fmt(lat.get('p95'))} s", "",
              "## Par type de question", "", "| type | n | hit@5 | fidélité | faits clés | abstention correcte |",
              "|---|---|---|---|---|---|"]
    for qtype, row in sorted(summary.get("by_type", {}).items()):
        lines.append(f"| {qtype} | {row.get('n', '')} | {_fmt(row.get('hit@5'))} | {_fmt(row.get('faithfulness'))} "
                     f"| {_fmt(row.get('key_fact_recall'))} | {_fmt(row.get('abstention_correct'))} |")
    lines += ["", "## Questions les plus faibles", ""]
    for row in worst:
        lines += [f"### {row['id']} ({row['type']}) — score {row['score']:.2f}", "",
                  f"**Question :** {row['question']}", "", f"**Réponse :** {row['answer']}", "",
                  f"**Référence :** {row['reference_answer']}", ""]
    return "\n".join(lines) + "\n"


def render_html(summary: dict, worst: Sequence[dict]) -> str:
    esc = html.escape
    table = "".join(f"<tr><td>{esc(a)}</td><td>{esc(b)}</td><td>{esc(c)}</td></tr>"
                    for a, b, c in _metrics_table(summary))
    by_type = summary.get("by_type", {})
    type_rows = "".join(
        f"<tr><td>{esc(t)}</td><td>{r.get('n', '')}</td><td>{_fmt(r.get('hit@5'))}</td>"
        f"<td>{_fmt(r.get('faithfulness'))}</td><td>{_fmt(r.get('key_fact_recall'))}</td>"
        f"<td>{_fmt(r.get('abstention_correct'))}</td></tr>"
        for t, r in sorted(by_type.items()))
    charts = [
        svg_bars({t: r.get("hit@5", 0.0) or 0.0 for t, r in sorted(by_type.items())}, title="Hit@5 par type"),
        svg_bars({t: r.get("key_fact_recall", 0.0) or 0.0 for t, r in sorted(by_type.items())},
                 title="Rappel des faits clés par type"),
        svg_bars({f"hit@{k}": v for k, v in summary.get("hit_at_k", {}).items()}, title="Courbe hit@k"),
        svg_histogram(summary.get("latencies", []), title="Latence par question"),
    ]
    worst_html = "".join(
        f"<details><summary>{esc(r['id'])} ({esc(r['type'])}) — score {r['score']:.2f} — {esc(r['question'])}</summary>"
        f"<p><b>Réponse :</b> {esc(r['answer'])}</p><p><b>Référence :</b> {esc(r['reference_answer'])}</p>"
        + "".join(f"<blockquote>{esc(p)}</blockquote>" for p in r.get("passages", [])[:3])
        + "</details>"
        for r in worst)
    lat = summary.get("latency", {})
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Évaluation — {esc(str(summary.get('set', '')))}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}
blockquote{{color:#444;border-left:3px solid #ccc;margin:.5em 0;padding-left:.8em}}</style></head>
<body><h1>Évaluation — {esc(str(summary.get('set', '')))} ({summary.get('n', 0)} questions)</h1>
<p>Créé le {esc(str(summary.get('created', '')))} · mode {esc(str(summary.get('mode', '')))} ·
latence p50 {_fmt(lat.get('p50'))} s, p95 {_fmt(lat.get('p95'))} s</p>
<table><tr><th>métrique</th><th>assistant [IC 95 %]</th><th>base naïve LangChain</th></tr>{table}</table>
<h2>Par type de question</h2>
<table><tr><th>type</th><th>n</th><th>hit@5</th><th>fidélité</th><th>faits clés</th><th>abstention correcte</th></tr>{type_rows}</table>
<h2>Graphiques</h2>{''.join(charts)}
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
