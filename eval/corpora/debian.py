"""A French corpus of another domain, from Debian's French documentation.

    python -m eval.corpora.debian --out DIR [--size small|large] [--jobs 2]

`small` (the question-answering corpus of `eval/datasets/debian.jsonl`): the
HTML chapters of the *Référence Debian* in French (package
`debian-reference-fr`): the preface, chapters 1–12 and the appendix, copied as
`debian-reference-<part>.html` (document ids `debian-reference-ch05`, …). The
table of contents (`index.fr.html`) is left out: it repeats every heading.

`large` (the ingestion benchmark corpus): `small` plus French manual pages of
`manpages-fr`, rendered to plain UTF-8 text (`man -l` + `col -b -x`, 80
columns, no hyphenation, no justification; running header and footer lines
dropped) as `man-<name>-<section>.txt`. Pages are taken in a fixed order (name,
then section) until their text, whitespace-collapsed, reaches
`LARGE_MAN_TEXT_BYTES` (3 MB of UTF-8) on its own; the debian-reference text
comes on top. Only regular pages owned by `manpages-fr` are used (not the pages
other packages install under `/usr/share/man/fr`, not symbolic links), so the
selection depends on the package's version only.

Debian packages needed: `debian-reference-fr` (small); also `manpages-fr` and
`man-db` (which brings `groff-base` and `bsdextrautils`, i.e. `man`, `groff`
and `col`) for large. A missing package stops the build with a French message
naming the `apt-get install` command; this module never calls apt itself.

The folder gets a `SOURCES.md` whose table gives each file's title (read by
`ingest.pipeline.read_sources_titles`) and which records the package versions.
Output is deterministic: same package versions, same bytes.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REFERENCE_PACKAGE = "debian-reference-fr"
MANPAGES_PACKAGE = "manpages-fr"
RENDER_PACKAGES = ("man-db", "groff-base", "bsdextrautils")
REFERENCE_DIR = Path("/usr/share/debian-reference")
MAN_DIR = Path("/usr/share/man/fr")
LARGE_MAN_TEXT_BYTES = 3_000_000
MAN_WIDTH = "80"
MARKER = "<!-- eval.corpora.debian -->"
SIZES = ("small", "large")


class MissingPackages(RuntimeError):
    """A Debian package the corpus needs is not installed (the message is in French)."""

    def __init__(self, packages: list[str], detail: str = "") -> None:
        self.packages = packages
        command = "apt-get install -y " + " ".join(packages)
        text = (f"Paquet(s) Debian manquant(s) : {', '.join(packages)}. "
                f"Installez-les avec : {command}")
        if detail:
            text += f" ({detail})"
        super().__init__(text)
        self.command = command


@dataclass
class Entry:
    """One file of the built corpus."""

    name: str
    title: str
    description: str
    package: str
    text_bytes: int = 0  # whitespace-collapsed UTF-8 text (man pages only)


@dataclass
class BuildResult:
    out: Path
    size: str
    entries: list[Entry] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def bytes_on_disk(self) -> int:
        return sum((self.out / e.name).stat().st_size for e in self.entries)


# ------------------------------------------------------------------ packages


def package_version(package: str) -> str | None:
    """The installed version of a Debian package, or None."""
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}\t${Version}", package],
            capture_output=True, text=True, check=False,
        )
    except OSError:
        return None
    if done.returncode != 0 or "\t" not in done.stdout:
        return None
    status, version = done.stdout.split("\t", 1)
    return version.strip() if status.strip().endswith(" installed") else None


def check_packages(size: str) -> dict[str, str]:
    """Versions of the packages `size` needs; raises `MissingPackages` (French message)."""
    needed = [REFERENCE_PACKAGE]
    if size == "large":
        needed += [MANPAGES_PACKAGE, *RENDER_PACKAGES]
    if shutil.which("dpkg-query") is None:
        raise MissingPackages(needed, "dpkg-query introuvable : ce module suppose un système Debian")
    versions = {name: package_version(name) for name in needed}
    missing = [name for name, version in versions.items() if version is None]
    if size == "large":
        for tool, package in (("man", "man-db"), ("groff", "groff-base"), ("col", "bsdextrautils")):
            if shutil.which(tool) is None and package not in missing:
                missing.append(package)
    if missing:
        raise MissingPackages(missing)
    if not any(REFERENCE_DIR.glob("ch[0-9][0-9].fr.html")):  # installed, files excluded (dpkg path-exclude)
        raise MissingPackages([REFERENCE_PACKAGE], f"paquet installé mais aucun chapitre HTML dans "
                                                   f"{REFERENCE_DIR} : ajoutez --reinstall")
    return {name: version for name, version in versions.items() if version}


# ------------------------------------------------------------ the reference


def reference_files() -> list[tuple[str, Path]]:
    """(part, path) of the preface, the chapters and the appendices, in reading order."""
    parts = [("pr01", REFERENCE_DIR / "pr01.fr.html")]
    parts += [(p.name.split(".")[0], p) for p in sorted(REFERENCE_DIR.glob("ch[0-9][0-9].fr.html"))]
    parts += [(p.name.split(".")[0], p) for p in sorted(REFERENCE_DIR.glob("ap[a-z].fr.html"))]
    return [(part, path) for part, path in parts if path.is_file()]


def _clean_cell(text: str) -> str:
    """Text fit for a Markdown table cell and an italic title."""
    text = unicodedata.normalize("NFKC", text).replace("\xa0", " ")
    text = re.sub(r"[|*`]", " ", text)
    return " ".join(text.split())


def html_title(path: Path) -> str:
    markup = path.read_text(encoding="utf-8", errors="replace")
    found = re.search(r"<title>(.*?)</title>", markup, re.S | re.I)
    return _clean_cell(html.unescape(found.group(1))) if found else path.stem


def copy_reference(out: Path) -> list[Entry]:
    entries = []
    for part, path in reference_files():
        name = f"debian-reference-{part}.html"
        shutil.copyfile(path, out / name)
        entries.append(Entry(
            name=name,
            title=f"Référence Debian — {html_title(path)}",
            description=f"{path.name}, HTML du manuel d'administration Debian (Osamu Aoki), traduction française",
            package=REFERENCE_PACKAGE,
        ))
    return entries


# ---------------------------------------------------------------- man pages


def man_pages() -> list[tuple[str, str, Path]]:
    """(name, section, path) of the regular pages of manpages-fr, sorted by name then section."""
    try:
        listing = subprocess.run(["dpkg-query", "-L", MANPAGES_PACKAGE], capture_output=True,
                                 text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError) as error:
        raise MissingPackages([MANPAGES_PACKAGE], str(error)) from error
    pages = []
    for line in listing:
        path = Path(line.strip())
        match = re.fullmatch(r"(.+)\.(\d\w*)\.gz", path.name)
        if not match or MAN_DIR not in path.parents or path.is_symlink() or not path.is_file():
            continue
        pages.append((match.group(1), match.group(2), path))
    return sorted(pages, key=lambda page: (page[0], page[1]))


_HEADER = re.compile(r"^\S.*\(\d\w*\)\s*$")


def render_man_page(path: Path) -> str:
    """A man page as plain UTF-8 text: `man -l`, then `col -b -x`; running header/footer dropped."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("MAN_KEEP_FORMATTING", "MANOPT", "MANPAGER", "PAGER", "GROFF_SGR")}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", MANWIDTH=MAN_WIDTH)
    man = subprocess.run(
        ["man", "--no-hyphenation", "--no-justification", "-l", str(path)],
        capture_output=True, env=env, check=False,
    )
    if man.returncode != 0:
        raise RuntimeError(f"man a échoué ({man.returncode}) : {man.stderr.decode(errors='replace')[:200]}")
    col = subprocess.run(["col", "-b", "-x"], input=man.stdout, capture_output=True, env=env, check=True)
    text = col.stdout.decode("utf-8", errors="replace")
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if lines and _HEADER.match(lines[0]):
        lines.pop(0)
    if lines and _HEADER.match(lines[-1]):
        lines.pop()
    return "\n".join(lines).strip("\n") + "\n"


def man_description(text: str, name: str) -> str:
    """`ls - Afficher le contenu de répertoires` from the NOM section."""
    found = re.search(r"^(?:NOM|NAME)\s*\n((?:[ \t]+\S.*\n?)+)", text, re.M)
    if not found:
        return name
    line = " ".join(found.group(1).split())
    return _clean_cell(line.split(" - ", 1)[1] if " - " in line else line)[:160]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-zA-Z0-9]+", "-", ascii_name).strip("-").lower() or "page"


def collapsed_bytes(text: str) -> int:
    return len(" ".join(text.split()).encode("utf-8"))


def write_man_pages(out: Path, budget: int, jobs: int, skipped: list[tuple[str, str]]) -> list[Entry]:
    pages = man_pages()
    entries: list[Entry] = []
    used: set[str] = set()
    total = 0
    batch = max(1, jobs) * 4
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for start in range(0, len(pages), batch):
            group = pages[start:start + batch]
            futures = [pool.submit(render_man_page, path) for _, _, path in group]
            for (name, section, path), future in zip(group, futures):
                if total >= budget:
                    break
                try:
                    text = future.result()
                except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
                    skipped.append((path.name, str(error)))
                    continue
                size = collapsed_bytes(text)
                if size == 0:
                    skipped.append((path.name, "page vide après rendu"))
                    continue
                stem = f"man-{_slug(name)}-{section}"
                n = 2
                while stem in used:
                    stem = f"man-{_slug(name)}-{section}-{n}"
                    n += 1
                used.add(stem)
                (out / f"{stem}.txt").write_text(text, encoding="utf-8")
                entries.append(Entry(
                    name=f"{stem}.txt",
                    title=_clean_cell(f"{name}({section}) — {man_description(text, name)}"),
                    description=f"page de manuel {path.relative_to(MAN_DIR.parent)} rendue en texte",
                    package=MANPAGES_PACKAGE,
                    text_bytes=size,
                ))
                total += size
            if total >= budget:
                break
    return entries


# ------------------------------------------------------------------- output


def prepare_folder(out: Path) -> None:
    """Create `out`, or clear a previous build of this module; refuse any other non-empty folder."""
    if out.exists() and any(out.iterdir()):
        sources = out / "SOURCES.md"
        if not (sources.is_file() and MARKER in sources.read_text(encoding="utf-8", errors="replace")):
            raise FileExistsError(f"{out} n'est pas vide et n'a pas été produit par eval.corpora.debian ; "
                                  "choisissez un dossier vide.")
        for path in out.iterdir():
            if path.is_file() and (path.name == "SOURCES.md" or re.fullmatch(
                    r"(debian-reference-.+\.html|man-.+\.txt)", path.name)):
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)


def write_sources(result: BuildResult) -> None:
    versions = ", ".join(f"`{name}` {version}" for name, version in sorted(result.versions.items()))
    man = [e for e in result.entries if e.package == MANPAGES_PACKAGE]
    lines = [
        MARKER,
        "# Corpus Debian (documentation française)",
        "",
        f"Built by `python -m eval.corpora.debian --size {result.size}` from installed Debian packages: "
        f"{versions}. Never used for tuning: it checks that the assistant generalises beyond the health reports.",
        "",
        f"- {sum(e.package == REFERENCE_PACKAGE for e in result.entries)} HTML parts of the *Référence Debian* "
        f"(`{REFERENCE_DIR}/*.fr.html`, copied unchanged; the table of contents `index.fr.html` left out). "
        "The French translation is incomplete: some sections, table rows and a few chapter titles "
        "(chapter 4, chapter 7) are still in English.",
    ]
    if man:
        lines.append(
            f"- {len(man)} manual pages of `{MANPAGES_PACKAGE}` (taken by name, then section, until their text "
            f"reaches {LARGE_MAN_TEXT_BYTES:,} bytes whitespace-collapsed; {sum(e.text_bytes for e in man):,} bytes), "
            f"rendered with `man --no-hyphenation --no-justification -l PAGE | col -b -x` "
            f"(LC_ALL=C.UTF-8, MANWIDTH={MAN_WIDTH}), running header and footer lines dropped."
        )
    for name, reason in result.skipped:
        lines.append(f"- skipped `{name}`: {reason}")
    lines += ["", "| file | what it is | package |", "|---|---|---|"]
    for entry in result.entries:
        version = result.versions.get(entry.package, "?")
        lines.append(f"| `{entry.name}` | *{entry.title}* — {entry.description} | {entry.package} {version} |")
    (result.out / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_corpus(out: Path | str, size: str = "small", *, jobs: int = 2,
                 man_budget: int = LARGE_MAN_TEXT_BYTES) -> BuildResult:
    """Build the `small` or `large` Debian corpus in `out` (see the module docstring)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    started = time.perf_counter()
    versions = check_packages(size)
    out = Path(out)
    prepare_folder(out)
    result = BuildResult(out=out, size=size, versions=versions)
    result.entries = copy_reference(out)
    if size == "large":
        result.entries += write_man_pages(out, man_budget, jobs, result.skipped)
    write_sources(result)
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.corpora.debian", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder (empty or a previous build)")
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--jobs", type=int, default=2, help="man pages rendered in parallel (large)")
    args = parser.parse_args(argv)
    try:
        result = build_corpus(args.out, args.size, jobs=args.jobs)
    except MissingPackages as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except FileExistsError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    man = [e for e in result.entries if e.package == MANPAGES_PACKAGE]
    print(f"{args.out}: {len(result.entries)} files ({len(result.entries) - len(man)} debian-reference, "
          f"{len(man)} man pages), {result.bytes_on_disk / 1e6:.2f} MB on disk"
          + (f", man text {sum(e.text_bytes for e in man) / 1e6:.2f} MB" if man else "")
          + f", {result.seconds:.1f} s; versions: "
          + ", ".join(f"{k} {v}" for k, v in sorted(result.versions.items())))
    for name, reason in result.skipped:
        print(f"  skipped {name}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
