"""Human-readable summary of an ingestion run."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import IngestResult

_COLUMNS = ("document", "chars in", "chars kept", "chunks", "pages", "duplicates")


def format_summary(result: IngestResult) -> str:
    """A per-document table (characters in / kept, chunks, pages, duplicate
    chunks) with totals, the pages that are pictures without text, then the
    skipped files and their reasons."""
    rows = [
        (
            stat.doc_id,
            f"{stat.chars_in:,}".replace(",", " "),
            f"{stat.chars_kept:,}".replace(",", " ") + f" ({_percent(stat.chars_kept, stat.chars_in)})",
            str(stat.chunks),
            "-" if stat.pages is None else str(stat.pages),
            str(stat.duplicates),
        )
        for stat in result.stats
    ]
    total_in = sum(s.chars_in for s in result.stats)
    total_kept = sum(s.chars_kept for s in result.stats)
    rows.append(
        (
            f"TOTAL ({len(result.stats)} documents)",
            f"{total_in:,}".replace(",", " "),
            f"{total_kept:,}".replace(",", " ") + f" ({_percent(total_kept, total_in)})",
            str(sum(s.chunks for s in result.stats)),
            str(sum(s.pages or 0 for s in result.stats)),
            str(sum(s.duplicates for s in result.stats)),
        )
    )
    widths = [max(len(col), *(len(row[i]) for row in rows)) for i, col in enumerate(_COLUMNS)]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:]))
        return "| " + " | ".join([first, *rest]) + " |"

    out = [line(_COLUMNS), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(line(row) for row in rows)
    out.append("")
    scans = [stat for stat in result.stats if stat.image_only_pages]
    if scans:
        out.append("Pages sans texte (images, non indexées) : " + " ; ".join(
            f"{stat.doc_id} p. {', '.join(map(str, stat.image_only_pages))}" for stat in scans))
    if result.skipped:
        out.append(f"Skipped ({len(result.skipped)}):")
        out.extend(f"- {Path(s.path).name}: {s.reason}" for s in result.skipped)
    else:
        out.append("Skipped: none")
    return "\n".join(out)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"
