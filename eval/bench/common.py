"""Helpers every benchmark shares: the printed table, peak memory, percentiles."""

from __future__ import annotations

import math
import resource
from collections.abc import Sequence


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (VmHWM when the kernel gives it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (works for one value too)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def print_table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    """A two-column Markdown table under a title."""
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
