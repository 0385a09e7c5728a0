"""The `assistant` command line: argument parsing (end-to-end runs live in the reliability tests)."""

from ui.cli import build_parser


def test_bench_takes_its_duration_threads_and_size_from_flags():
    args = build_parser().parse_args(["bench", "load", "--threads", "4", "--seconds", "30"])
    assert (args.what, args.threads, args.seconds) == ("load", 4, 30.0)
    assert build_parser().parse_args(["bench", "memory", "--mb", "5"]).mb == 5.0


def test_bench_flags_default_to_none_so_the_benchmark_picks_its_defaults():
    args = build_parser().parse_args(["bench", "load"])
    assert args.threads is None and args.seconds is None and args.mb is None
