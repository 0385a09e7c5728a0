"""Cleaning rules, each shown on a real excerpt of the bundled corpus."""

from __future__ import annotations

import re
import unicodedata

import pytest

from ingest.clean import clean_document, clean_fragment, normalize_chars
from ingest.models import SourceDocument
from ingest.sentences import sentences

from .conftest import AEC, ALL_DOCS, EXTRAITS, HDI, KRATZ, PAGE, collapse

NAVIGATION = (
    "(BUTTON)", "(menu)", "Retour au niveau précédent", "Fermer le menu", "Lancer la recherche",
    "Mentions légales", "Aller au contenu", "Plan du site", "Mis à jour le", "Partager",
    "retour en haut de page", "Rechercher", "Afficher les réseaux sociaux", "Thinkhubstudio",
    "Les vidéos de la DGE", "Tourisme de montagne", "Agrandissement de la taille",
)


def raw_block(raw: str, startswith: str) -> str:
    """The blank-line-delimited block of a raw file that starts with `startswith`."""
    for block in re.split(r"\n[ \t]*\n", raw):
        if collapse(block).startswith(startswith):
            return block
    raise AssertionError(f"no block starting with {startswith!r}")


# ------------------------------------------------------------ web navigation


@pytest.mark.parametrize("doc_id", [PAGE, EXTRAITS])
def test_dge_navigation_is_removed(clean_docs, doc_id):
    text = clean_docs[doc_id].text
    for marker in NAVIGATION:
        assert marker not in text, marker


def test_dge_article_is_kept_whole(clean_docs, raw_text):
    raw = raw_text(PAGE)
    text = clean_docs[PAGE].text
    article = raw[raw.index("\nL'intelligence artificielle au service de la santé\n\n   ©"):
                  raw.index("Liens et téléchargements")]
    kept = 0
    for block in re.split(r"\n[ \t]*\n", article):
        for line in re.split(r"\n\s*(?=[*-] )", block):  # one bullet item at a time
            quote = clean_fragment(re.sub(r"^\s*[*-]\s+", "", collapse(line)))
            if quote.startswith("©") or not quote:
                continue
            assert quote in text
            kept += 1
    assert kept > 30
    assert text.startswith("L'intelligence artificielle au service de la santé\n\n")
    assert "Trois instituts 3IA (Instituts Interdisciplinaires d’Intelligence Artificielle) Nice" in text
    assert text.rstrip().endswith("construire la médecine du futur.")


def test_hard_wrapped_lines_are_joined_into_paragraphs(clean_docs, raw_text):
    raw = raw_text(PAGE)
    assert "rôle central dans la\n   révolution médicale" in raw
    paragraph = ("L’intelligence artificielle est appelée à jouer un rôle central dans la révolution "
                 "médicale en cours. Issues du secteur médical et des patients, avec l’avènement des "
                 "objets connectés de santé, les données de santé permettent d’améliorer "
                 "considérablement les diagnostics de nombreuses pathologies.")
    assert f"\n{paragraph}\n" in clean_docs[PAGE].text


def test_wrapped_heading_is_one_line(clean_docs):
    titles = [h.title for h in clean_docs[PAGE].headings]
    assert ("Des outils d’aide au diagnostic, à la décision et à l’interprétation de plus en plus "
            "performants") in titles


def test_excerpt_fragments_are_not_glued_together(clean_docs, raw_text):
    assert "L’Etat a un devoir de garantir\n--\n   et en absence" in raw_text(EXTRAITS)
    text = clean_docs[EXTRAITS].text
    assert "devoir de garantir et en absence" not in text
    assert "L’Etat a un devoir de garantir" in text and "et en absence de cardiologue." in text


# ---------------------------------------------------------- footnotes, URLs


def test_footnote_lines_move_to_footnotes_and_split_sentence_is_rejoined(clean_docs, raw_text):
    raw = raw_text(KRATZ)
    assert "Quel est l’état actuel de l’IA et des données\n\n¹ <https://france-biotech.fr" in raw
    doc = clean_docs[KRATZ]
    assert "Quel est l’état actuel de l’IA et des données en santé ? Quelles initiatives" in doc.text
    assert any("france-biotech.fr" in note for note in doc.footnotes)
    assert "france-biotech" not in doc.text
    # Also when the next part starts with a capital letter: "Règlement / Général".
    assert "comme le Règlement Général sur la Protection des Données (RGPD)" in doc.text


def test_blank_line_inside_sentence_is_rejoined(clean_docs, raw_text):
    assert "tels que Facebook\n\navec son laboratoire FAIR" in raw_text(HDI)
    assert "tels que Facebook avec son laboratoire FAIR, Samsung" in clean_docs[HDI].text


def test_end_of_line_hyphenation_is_undone(clean_docs, raw_text):
    assert "en routine cli-\n\nnique à grande échelle" in raw_text(HDI)
    text = clean_docs[HDI].text
    assert "en routine clinique à grande échelle" in text
    assert "startup canadienne BlueDot" in text


def test_reference_list_goes_to_footnotes(clean_docs):
    doc = clean_docs[HDI]
    assert any("Graphics Processing Unit" in note for note in doc.footnotes)
    assert "Graphics Processing Unit" not in doc.text
    assert "arxiv.org" not in doc.text


def test_source_lines_and_running_footer_are_removed(clean_docs, raw_text):
    footer = "AEC Partners – L'intelligence artificielle dans les industries de santé – Septembre 2020"
    assert raw_text(AEC).count(footer) > 40
    doc = clean_docs[AEC]
    assert footer not in doc.text
    assert "Sources : Recherches secondaires" not in doc.text
    assert any(note.startswith("Sources : Recherches secondaires") for note in doc.footnotes)


def test_repeated_agenda_slides_are_dropped(clean_docs, raw_text):
    assert raw_text(AEC).count("\nAgenda\n") >= 10
    assert clean_docs[AEC].text.count("\nAgenda\n") <= 3


def test_table_rows_stay_on_their_own_lines(clean_docs):
    assert "\nCancer ✓ 12\nMaladies cardiovasculaires 9\n" in clean_docs[AEC].text


def test_inline_url_is_removed_but_sentence_kept(clean_docs, raw_text):
    assert "(voir tableau III <https://arxiv.org/pdf/2310.05694.pdf>)" in raw_text(HDI)
    assert "Il existe de nombreux LLM pour la santé (voir tableau III) dont les performances" in \
        clean_docs[HDI].text


# ------------------------------------------------------------- inline rules


def test_markdown_emphasis_is_removed(clean_docs, raw_text):
    assert "- **Explorer l'état de l'art** de l'intégration" in raw_text(HDI)
    assert "- Explorer l'état de l'art de l'intégration de l'intelligence artificielle" in \
        clean_docs[HDI].text


def test_sup_footnote_calls_are_removed(clean_docs, raw_text):
    assert 'la technologie dite "GPU<sup>1</sup>", Processeur' in raw_text(HDI)
    text = clean_docs[HDI].text
    assert 'la technologie dite "GPU", Processeur de calcul' in text
    assert "détection des densités de tissus mous et des calcifications." in text


def test_unicode_superscript_calls_are_removed(clean_docs, raw_text):
    raw = raw_text(KRATZ)
    assert "de France Biotech¹, l’étude" in raw and "baromètre PulseLife³ plus" in raw
    text = clean_docs[KRATZ].text
    assert "de France Biotech, l’étude de référence" in text
    assert "D'après le baromètre PulseLife plus d'un soignant" in text
    assert "Société Francophone de Santé Numérique (SFSN), société savante" in text
    assert not re.search("[⁰¹²³⁴⁵⁶⁷⁸⁹]", text)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("**Gras** et *italique* et _souligné_", "Gras et italique et souligné"),
        ("snake_case_name reste", "snake_case_name reste"),
        ("l’IA<sup>12 13</sup>. Puis", "l’IA. Puis"),
        ("sanitaire²⁵,²⁶. Une autre", "sanitaire. Une autre"),
        ("Voir [le site](https://exemple.fr/page) ici", "Voir le site ici"),
        ("Source (<https://bit.ly/x>) - fin", "Source - fin"),
        ("lien https://exemple.fr/a_b?c=1. Suite", "lien. Suite"),
        ("2^{ème} année et ^aAuteur", "2ème année et Auteur"),
        ("prix \\$150 et \\* note", "prix $150 et note"),
        ("a\u00a0b\u202fc\u2009d\te", "a b c d e"),
        ("Cafe\u0301 « guillemets » et l’apostrophe", "Café « guillemets » et l’apostrophe"),
        ("texte<b>gras</b> <ul style=\"x\">• un• deux", "texte gras • un • deux"),
        ("  beaucoup   d'espaces \n ici ", "beaucoup d'espaces ici"),
    ],
)
def test_clean_fragment(raw, expected):
    assert clean_fragment(raw) == expected


def test_clean_text_is_nfc_and_keeps_curly_quotes(clean_docs):
    for doc in clean_docs.values():
        assert unicodedata.is_normalized("NFC", doc.text)
        assert "\u00a0" not in doc.text and "\u202f" not in doc.text and "\t" not in doc.text
    assert "L’intelligence artificielle est appelée" in clean_docs[PAGE].text


# ------------------------------------------------------------ quotability


def prose_sentences(raw: str, limit: int) -> list[str]:
    """Whole sentences from prose paragraphs of a raw file (no lists, tables,
    headings, navigation, source lines), whitespace-collapsed."""
    found: list[str] = []
    for block in re.split(r"\n[ \t]*\n", raw):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines or any(re.match(r"\s*([-*+o#@•]|\d+\.|\(|--|Sources?\b|Cibles)", l) or "\t" in l
                            for l in lines):
            continue
        for sentence in sentences(collapse(block)):
            if len(sentence.split()) >= 6 and sentence[-1] in ".!?":
                found.append(sentence)
    # Spread the sample over the whole file.
    step = max(1, len(found) // limit)
    return found[::step][:limit]


@pytest.mark.parametrize("doc_id", ALL_DOCS)
def test_raw_sentences_cleaned_the_same_way_are_found_verbatim(clean_docs, raw_text, doc_id):
    raw = raw_text(doc_id)
    if doc_id in (PAGE, EXTRAITS):  # the article, not the site's menus
        raw = raw[raw.index("\nL'intelligence artificielle au service de la santé\n\n"):
                  raw.index("Liens et téléchargements")]
        raw = raw.replace("\n--\n", "\n\n")  # excerpt separators
    sample = prose_sentences(raw, limit=40)
    assert len(sample) >= (12 if doc_id == EXTRAITS else 30)
    text = clean_docs[doc_id].text
    missing = [s for s in sample if clean_fragment(s) not in text]
    assert not missing


# ------------------------------------------------------------ page mapping


def test_page_starts_are_remapped_to_clean_text():
    pages = ["Titre un\nLe texte de la page un.", "Le texte de la\npage deux **continue**.",
             "Troisième page<sup>3</sup> ici."]
    separator = "\n\n\n"
    text = separator.join(pages)
    starts = (0, len(pages[0]) + 3, len(pages[0]) + len(pages[1]) + 6)
    doc = clean_document(SourceDocument("d", "Titre", "d.pdf", "pdf", text, starts, "h"))
    assert len(doc.page_starts) == 3
    assert doc.page_at(doc.text.index("Le texte de la page deux")) == 2
    assert doc.page_at(doc.text.index("Troisième page ici.")) == 3
    assert doc.page_at(0) == 1
    assert doc.chars_in == len(text)


def test_web_nav_rules_on_a_synthetic_dump():
    dump = "\n".join([
        "   Aller au contenu principal", "", "   (menu) Menu", "     * Accueil", "     * Secteurs",
        "     * (BUTTON) Retour au niveau précédent", "       (BUTTON) Fermer le menu X", "",
        "Mon article", "", "   Un premier paragraphe assez long pour être du contenu réel",
        "   et qui continue sur une deuxième ligne.", "", "Une section", "",
        "   Encore du texte utile, avec une phrase complète et plusieurs mots ici.", "",
        "   Partager", "     * Mentions légales", "     * Plan du site",
    ])
    doc = clean_document(SourceDocument("web", "Web", "web.txt", "txt", dump, (), "h"))
    assert doc.text == (
        "Mon article\n\nUn premier paragraphe assez long pour être du contenu réel et qui continue "
        "sur une deuxième ligne.\n\nUne section\n\nEncore du texte utile, avec une phrase complète "
        "et plusieurs mots ici."
    )
    assert [(h.level, h.title) for h in doc.headings] == [(1, "Mon article"), (2, "Une section")]


def test_hyphenation_respects_words_the_document_spells_with_a_hyphen():
    text = ("Titre du rapport\n"
            "Le porte-parole du ministère a parlé de l’intelli-\n"
            "gence artificielle. Un autre porte-\n"
            "parole a confirmé la décision.")
    doc = clean_document(SourceDocument("h", "Titre", "h.pdf", "pdf", text, (0,), "x"))
    assert "l’intelligence artificielle." in doc.text
    assert "Un autre porte-parole a confirmé" in doc.text
    assert [h.title for h in doc.headings] == ["Titre du rapport"]


def test_html_page_end_to_end(tmp_path):
    from ingest.pipeline import load_and_clean

    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>IA</title></head><body><nav>Accueil | Contact</nav><article>"
        "<h1>L’IA à l’hôpital</h1><p>Les <b>algorithmes</b> aident<sup>1</sup> au tri des "
        "urgences.</p><h2>Limites</h2><ul><li>Biais des données.</li><li>Coût élevé.</li></ul>"
        "</article></body></html>", encoding="utf-8")
    doc = load_and_clean(page)
    assert doc.text == ("L’IA à l’hôpital\n\nLes algorithmes aident au tri des urgences.\n\n"
                        "Limites\n\n- Biais des données.\n- Coût élevé.")
    assert [(h.level, h.title) for h in doc.headings] == [(1, "L’IA à l’hôpital"), (2, "Limites")]


def test_headings_a_loader_found_replace_the_guessed_ones():
    from ingest.models import Heading

    text = ("Partie 1 — Le contexte\n\nTableau 1 — Taux d'occupation\n\n"
            "Taille de l'aire | Places\n\nMoins de 20 places | 214\n\n"
            "Le schéma a été adopté en 2018 pour six ans.")
    guessed = clean_document(SourceDocument("d", "D", "d.pdf", "pdf", text, (0,), "h"))
    assert [h.title for h in guessed.headings] == ["Moins de 20 places | 214"]  # a table row guessed
    given = clean_document(SourceDocument("d", "D", "d.pdf", "pdf", text, (0,), "h",
                                          headings=(Heading(1, "Partie 1 — Le contexte", 0),)))
    assert [(h.level, h.title) for h in given.headings] == [(1, "Partie 1 — Le contexte")]
    assert given.text == guessed.text


# ------------------------------------------------- rules the fast paths must keep


def _clean(text: str) -> str:
    return clean_document(SourceDocument("d", "Titre", "d.txt", "txt", text)).text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("texte ( voir : ) suite", "texte suite"),  # empty parentheses
        ("(pas vide) ()", "(pas vide)"),
        ("a<SUP>2</SUP> b", "a b"),  # <sup> in any case
        ("a\u2028b\x1cc", "a b c"),  # every Unicode whitespace is a space
        ("fin . Et a , b", "fin. Et a, b"),
        ("a ... b", "a ... b"),  # an ellipsis keeps its space
        ("intel\u00adli\u200bgence\ufeff", "intelligence"),  # soft hyphen, zero-width, BOM
        ("x_y et _z_", "x_y et z"),
        ("un•deux", "un • deux"),
        ("a\\_b", "a_b"),
        ("¹début", "début"),
    ],
)
def test_clean_fragment_rules_apply_only_where_their_marks_are(raw, expected):
    assert clean_fragment(raw) == expected


def test_normalize_chars_keeps_tabs_only_when_asked():
    assert normalize_chars("a\tb\u00a0c\u00ad") == "a b c"
    assert normalize_chars("a\tb\u00a0c\u00ad", keep_tabs=True) == "a\tb c"
    assert normalize_chars("Cafe\u0301") == "Café"


def test_hyphenation_is_undone_at_the_end_of_a_long_wrapped_paragraph():
    lines = "\n".join(f"ligne numéro {i} du long paragraphe qui continue" for i in range(50))
    text = _clean("Un texte\n" + lines + " intelli-\ngence artificielle.")
    assert text.endswith("ligne numéro 49 du long paragraphe qui continue intelligence artificielle.")
    assert "\n" not in text.split("Un texte", 1)[1].strip()  # one paragraph


def test_wrapped_lines_are_joined_with_a_space_whatever_they_end_with():
    text = _clean("Une phrase coupée par la ligne\nqui continue, voir www.exemple.fr/page\n"
                  "puis la suite ; et la note^a\nencore la suite.")
    assert text == "Une phrase coupée par la ligne qui continue, voir puis la suite ; et la note encore la suite."


def test_joining_does_not_clean_the_paragraph_again_at_every_line(monkeypatch):
    """Each wrapped line used to re-clean the whole paragraph built so far (quadratic)."""
    from ingest import clean

    cleaned_chars = 0
    original = clean.clean_fragment

    def counting(text: str) -> str:
        nonlocal cleaned_chars
        cleaned_chars += len(text)
        return original(text)

    monkeypatch.setattr(clean, "clean_fragment", counting)
    raw = "Titre\n" + "\n".join(f"la ligne {i} d'un très long paragraphe sans fin" for i in range(2000))
    _clean(raw)
    assert cleaned_chars < 20 * len(raw)


def test_table_of_contents_lines_are_dropped_and_numbers_in_prose_kept():
    text = _clean("Sommaire\n\nIntroduction ........ 12\nMéthode\t p. 14\nConclusion …… 20\n\n"
                  "Le total des dépenses est de 12\n\nAvant <a href='#x'>Annexe ........ 31</a>\n\n"
                  "Fin du texte avec des mots.")
    assert text == "Sommaire\n\nLe total des dépenses est de 12\n\nFin du texte avec des mots."


def _deck(slide: str, count: int = 6) -> str:
    return "\n\n\n".join(slide.format(i=i) for i in range(count))


def test_a_running_footer_closing_every_slide_is_dropped():
    text = _clean(_deck("Titre de la diapositive {i}\n\nContenu numéro {i} de la présentation, avec une phrase.\n"
                        "Mission santé numérique 2024 rapport"))
    assert "Mission santé" not in text
    assert "Contenu numéro 5 de la présentation" in text


def test_a_repeated_line_that_does_not_close_slides_is_kept():
    text = _clean(_deck("Titre {i}\n\nMission santé numérique 2024 rapport\n"
                        "Contenu numéro {i} de la présentation, avec une phrase."))
    assert text.count("Mission santé numérique 2024 rapport") == 6


def test_a_slide_repeating_earlier_lines_is_dropped():
    agenda = "Ordre du jour\n\nPremier point\nDeuxième point"
    text = _clean(f"{agenda}\n\n\nContenu de la partie, avec une phrase complète ici.\n\n\n{agenda}\n\n\nFin.")
    assert text.count("Premier point") == 1 and text.endswith("Fin.")
