"""Build the support judge's validation set from the bundled corpus.

Each pair is a realistic passage (a window of 100–250 words of cleaned corpus
text around an *anchor* sentence) and a claim, labelled supported or not:

Positives
  true_sentence     the anchor sentence verbatim
  trimmed_sentence  the anchor without its leading connector (« Enfin, », …)
  paraphrase        a hand-written faithful rewording (the hard positives)

Negatives
  changed_number    the anchor with one number changed (seeded)
  swapped_entity    the anchor with a name replaced by another (hand-picked pair)
  negation_added    hand-written: the anchor negated
  negation_removed  hand-written: the anchor's negation dropped
  partial_mix       hand-written: a true half joined to an invented half
  other_passage     a sentence from another document, the most similar by
                    content words among a seeded pick of the top five

Anchors and every hand-written claim live in the sidecar
`eval/datasets/judge_pairs_handwritten.jsonl`; this script adds the automatic
variants and the passages. It is deterministic: same corpus, same sidecar and
same seed give the same file. Pairs are split dev/test by anchor (never by
pair, since pairs of one anchor share their passage).

    python -m eval.build_judge_pairs            # writes eval/datasets/judge_pairs.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from assistant.settings import BUNDLED_CORPUS
from eval.matching import clean_fragment, content_stems, extract_numbers, match_words, judge_sentences

DATASETS = Path(__file__).resolve().parent / "datasets"
HANDWRITTEN = DATASETS / "judge_pairs_handwritten.jsonl"
OUTPUT = DATASETS / "judge_pairs.jsonl"
SEED = 13

MIN_PASSAGE_WORDS = 100
MAX_PASSAGE_WORDS = 250
OTHER_PASSAGE_EVERY = 3  # one `other_passage` negative for every third anchor

TWINS = {
    "dge-ia-au-service-de-la-sante-page": "dge-ia-au-service-de-la-sante-extraits",
    "dge-ia-au-service-de-la-sante-extraits": "dge-ia-au-service-de-la-sante-page",
}
"""Documents that repeat each other: never a source of `other_passage` claims."""

CONNECTORS = (
    "Par ailleurs", "Ainsi", "Enfin", "Cependant", "En effet", "Par exemple", "De plus",
    "Parallèlement", "D'autre part", "D’autre part", "En outre", "Toutefois", "Néanmoins",
)


# --------------------------------------------------------------------------
# Corpus: paragraphs and sentences
# --------------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[-•*✓]|\d+[.)])\s+")


def paragraphs(raw: str) -> list[str]:
    """Cleaned paragraphs of a raw corpus file.

    Blank lines separate blocks; inside a block a bullet line starts a new
    item and other lines continue the current one. Site-navigation blocks
    (`(BUTTON)`) are dropped and Markdown heading marks removed.
    """
    result: list[str] = []
    for block in re.split(r"\n\s*\n", raw):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines or any("(BUTTON)" in line for line in lines):
            continue
        items: list[list[str]] = []
        for line in lines:
            if _BULLET.match(line) or line.startswith("#") or not items:
                items.append([_BULLET.sub("", line.lstrip("# "))])
            else:
                items[-1].append(line)
        for item in items:
            text = clean_fragment(" ".join(item))
            if text:
                result.append(text)
    return result


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int
    words: int  # whitespace-separated words, for passage sizes
    match: tuple[str, ...]  # normalised words, for locating anchors
    stems: frozenset[str]  # content stems, for finding similar sentences


def document_sentences(doc_id: str, corpus: Path = BUNDLED_CORPUS) -> list[Sentence]:
    raw = (corpus / f"{doc_id}.txt").read_text(encoding="utf-8")
    return [
        Sentence(
            sentence,
            index,
            len(sentence.split()),
            tuple(match_words(sentence)),
            frozenset(content_stems(sentence)),
        )
        for index, paragraph in enumerate(paragraphs(raw))
        for sentence in judge_sentences(paragraph)
    ]


def locate(sentences: list[Sentence], anchor: str) -> tuple[int, int]:
    """Indices of the first and last sentence spanned by the anchor text."""
    needle = match_words(anchor)
    words: list[str] = []
    owner: list[int] = []
    for index, sentence in enumerate(sentences):
        words.extend(sentence.match)
        owner.extend([index] * len(sentence.match))
    for start in range(len(words) - len(needle) + 1):
        if words[start : start + len(needle)] == needle:
            return owner[start], owner[start + len(needle) - 1]
    raise ValueError(f"anchor not found in corpus: {anchor[:80]!r}")


def window(sentences: list[Sentence], first: int, last: int, rng: random.Random) -> str:
    """A passage of 100–250 words around sentences `first..last`, at a random offset."""
    target = rng.randint(120, 230)
    anchor_words = sum(s.words for s in sentences[first : last + 1])
    budget_before = rng.randint(0, max(0, target - anchor_words))
    start, end, total = first, last, anchor_words
    while start > 0 and budget_before >= sentences[start - 1].words:
        start -= 1
        budget_before -= sentences[start].words
        total += sentences[start].words
    while end + 1 < len(sentences) and total < target:
        if total + sentences[end + 1].words > MAX_PASSAGE_WORDS:
            break
        end += 1
        total += sentences[end].words
    while start > 0 and total < MIN_PASSAGE_WORDS:
        if total + sentences[start - 1].words > MAX_PASSAGE_WORDS:
            break
        start -= 1
        total += sentences[start].words
    parts: list[str] = []
    for index in range(start, end + 1):
        if index > start:
            same = sentences[index].paragraph == sentences[index - 1].paragraph
            parts.append(" " if same else "\n\n")
        parts.append(sentences[index].text)
    return "".join(parts)


# --------------------------------------------------------------------------
# Automatic variants
# --------------------------------------------------------------------------

_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w\-/.,])"  # not inside a word, a range or a decimal
    r"(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)"  # integer part, maybe grouped by thousands
    r"(?:,(\d+))?"  # decimal part
    r"(?=(?:ème|er|e)?\b|%)"  # ordinals (`12ème`) and percentages are numbers too
)
"""A number an automatic `changed_number` variant may alter (not `3IA`, `COVID-19`)."""


def _format_like(value: float, decimals: int, grouped: bool, sep: str) -> str:
    if decimals:
        return f"{value:.{decimals}f}".replace(".", ",")
    text = str(int(value))
    if grouped and len(text) > 3:
        groups = []
        while text:
            groups.insert(0, text[-3:])
            text = text[:-3]
        text = sep.join(groups)
    return text


def _perturb(match: re.Match[str], rng: random.Random) -> str:
    """A different, plausible value written like the original (years ±1–3, others scaled)."""
    integer_part, fraction = match.group(1), match.group(2) or ""
    grouped = not integer_part.isdigit()
    sep = next((c for c in integer_part if not c.isdigit()), " ")
    value = float(re.sub(r"\D", "", integer_part) + ("." + fraction if fraction else ""))
    for _ in range(20):
        if not fraction and 1900 <= value <= 2100:
            new = value + rng.choice([-3, -2, -1, 1, 2, 3])
        elif fraction:
            new = round(value * rng.choice([0.6, 0.75, 1.3, 1.5, 2.0]), len(fraction))
        elif value < 10:
            new = max(1, value + rng.choice([-2, -1, 1, 2, 3]))
        else:
            new = value * rng.choice([0.5, 0.7, 1.3, 1.6, 2.0])
            granularity = 10 ** (len(str(int(value))) - len(str(int(value)).rstrip("0")))
            new = max(granularity, round(new / granularity) * granularity)
        if new != value:
            return _format_like(new, len(fraction), grouped, sep)
    raise ValueError(f"could not perturb {match.group()!r}")


def change_number(sentence: str, passage: str, rng: random.Random) -> str | None:
    """The sentence with one number changed to a value absent from the passage."""
    candidates = list(_NUMBER_IN_TEXT.finditer(sentence))
    if not candidates:
        return None
    passage_numbers = set(extract_numbers(passage))
    for match in rng.sample(candidates, len(candidates)):
        for _ in range(5):
            new = _perturb(match, rng)
            if extract_numbers(new)[0] not in passage_numbers:
                end = match.end(2) if match.group(2) else match.end(1)
                return sentence[: match.start()] + new + sentence[end:]
    return None


def trim_connector(sentence: str) -> str | None:
    """The sentence without a leading discourse connector, or None."""
    for connector in CONNECTORS:
        prefix = connector + ", "
        if sentence.startswith(prefix):
            rest = sentence[len(prefix) :]
            return rest[0].upper() + rest[1:]
    return None


def swap_entity(sentence: str, old: str, new: str, passage: str) -> str:
    """The sentence with `old` replaced by `new`, which must not occur in the passage."""
    if old not in sentence:
        raise ValueError(f"swap source {old!r} not in anchor {sentence[:60]!r}")
    new_words = " ".join(match_words(new))
    if f" {new_words} " in " " + " ".join(match_words(passage)) + " ":
        raise ValueError(f"swap target {new!r} already in the passage")
    return sentence.replace(old, new, 1)


def _is_prose(sentence: Sentence) -> bool:
    text = sentence.text
    return (
        14 <= sentence.words <= 45
        and "http" not in text
        and "|" not in text
        and not re.match(r"^\d+\s*-", text)
        and text[-1:] in ".!?"
        and sum(c.isupper() for c in text) < 0.15 * len(text)
    )


def other_passage_claim(
    anchor: str, passage: str, pool: list[tuple[str, Sentence]], doc_id: str, rng: random.Random
) -> str:
    """A prose sentence from another document, close in content words to the anchor."""
    excluded = {doc_id, TWINS.get(doc_id, "")}
    anchor_stems = set(content_stems(anchor))
    passage_text = " " + " ".join(match_words(passage)) + " "
    scored: list[tuple[float, str]] = []
    for other_doc, sentence in pool:
        if other_doc in excluded:
            continue
        if " " + " ".join(sentence.match) + " " in passage_text:
            continue
        stems = sentence.stems
        union = anchor_stems | stems
        score = len(anchor_stems & stems) / len(union) if union else 0.0
        scored.append((score, sentence.text))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return rng.choice(scored[:5])[1]


# --------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------


def load_handwritten(path: Path = HANDWRITTEN) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _pairs_for_anchor(
    record: dict[str, Any],
    sentences: list[Sentence],
    pool: list[tuple[str, Sentence]],
    index: int,
    seed: int,
) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"{seed}-{record['group']}")
    anchor = record["sentence"]
    first, last = locate(sentences, anchor)
    passage = window(sentences, first, last, rng)

    def pair(kind: str, claim: str, supported: bool, n: int = 0) -> dict[str, Any]:
        suffix = f"-{n}" if n else ""
        return {
            "id": f"{record['group']}-{kind}{suffix}",
            "group": record["group"],
            "doc_id": record["doc_id"],
            "kind": kind,
            "supported": supported,
            "claim": claim,
            "passage": passage,
        }

    yield pair("true_sentence", anchor, True)
    trimmed = trim_connector(anchor)
    if trimmed:
        yield pair("trimmed_sentence", trimmed, True)
    for n, paraphrase in enumerate(record["paraphrases"]):
        yield pair("paraphrase", paraphrase, True, n)
    changed = record.get("number") or change_number(anchor, passage, rng)
    if changed:
        yield pair("changed_number", changed, False)
    for n, (old, new) in enumerate(record["swaps"]):
        yield pair("swapped_entity", swap_entity(anchor, old, new, passage), False, n)
    for kind in ("negation_added", "negation_removed"):
        if record.get(kind):
            yield pair(kind, record[kind], False)
    if record.get("mix"):
        yield pair("partial_mix", record["mix"], False)
    if index % OTHER_PASSAGE_EVERY == 0:
        claim = other_passage_claim(anchor, passage, pool, record["doc_id"], rng)
        yield pair("other_passage", claim, False)


def build_pairs(seed: int = SEED, corpus: Path = BUNDLED_CORPUS) -> list[dict[str, Any]]:
    """Every validation pair, with a seeded dev/test split by anchor."""
    records = load_handwritten()
    doc_ids = sorted({path.stem for path in corpus.glob("*.txt")})
    sentences = {doc_id: document_sentences(doc_id, corpus) for doc_id in doc_ids}
    pool = [(doc_id, s) for doc_id in doc_ids for s in sentences[doc_id] if _is_prose(s)]

    groups = sorted(record["group"] for record in records)
    random.Random(seed).shuffle(groups)
    dev = set(groups[: len(groups) // 2])

    pairs: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        for item in _pairs_for_anchor(record, sentences[record["doc_id"]], pool, index, seed):
            item["split"] = "dev" if item["group"] in dev else "test"
            pairs.append(item)
    return pairs


def write_pairs(pairs: list[dict[str, Any]], path: Path = OUTPUT) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for item in pairs:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    pairs = build_pairs(args.seed)
    write_pairs(pairs, args.out)
    kinds = Counter((p["kind"], p["supported"]) for p in pairs)
    splits = Counter(p["split"] for p in pairs)
    print(f"{len(pairs)} pairs -> {args.out}  ({dict(splits)})")
    for (kind, supported), count in sorted(kinds.items()):
        print(f"  {kind:<18} {'+' if supported else '-'} {count}")


if __name__ == "__main__":
    main()
