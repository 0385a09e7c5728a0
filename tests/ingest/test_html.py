"""Web pages: main content, headings put back, chrome dropped, tables as rows, declared charsets."""

from __future__ import annotations

from ingest.html import page_text, walk
from ingest.loaders import decode_html

ARTICLE = """<html><head><title>Le Journal - La piscine rouvrira en septembre</title></head><body>
<div class="menu"><a href="/">Accueil</a> <a href="/sports">Sports</a> <a href="/agenda">Agenda des sorties</a></div>
<div class="article">
<h1>La piscine rouvrira en septembre</h1>
<div class="auteur">Par Julien Marchetti | Publié le 12 mars 2025</div>
<div class="partage"><a href="#">Partager sur Facebook</a> <a href="#">Envoyer par e-mail</a></div>
<div class="chapo">Fermée depuis dix-huit mois pour travaux, la piscine accueillera de nouveau les nageurs à la rentrée.</div>
<div class="para">Les travaux de rénovation de la piscine entrent dans leur dernière phase, avec un nouveau bassin.</div>
<h2>Un chantier de 6,2 millions d'euros</h2>
<div class="para">Le coût total des travaux atteint 6,2 millions d'euros, soit 700 000 euros de plus que prévu.</div>
<div class="encart-pub">Publicité - Votre cuisine sur mesure à prix d'usine chez Cuisines Durand.</div>
<h2>Des horaires élargis</h2>
<div class="para">À la réouverture, la piscine sera ouverte sept jours sur sept, de 7 heures à 21 heures.</div>
<p class="fr-text--sm">Mise à jour le 3 février 2025 - Direction de l'information</p>
</div>
<div class="a-lire-aussi"><div>À lire aussi</div><div><a href="/a1">Le marché de Noël battra son record</a></div></div>
<div id="cookie-banner">Nous utilisons des cookies pour mesurer l'audience. <a>Tout accepter</a></div>
</body></html>"""


def test_the_main_content_keeps_its_headings_and_drops_the_chrome():
    page = page_text(ARTICLE)
    assert page.title == "La piscine rouvrira en septembre"
    assert [(h.level, h.title) for h in page.headings] == [
        (1, "La piscine rouvrira en septembre"), (2, "Un chantier de 6,2 millions d'euros"),
        (2, "Des horaires élargis")]
    for heading in page.headings:
        assert page.text[heading.start:].startswith("#" * heading.level + " " + heading.title)
    assert "Fermée depuis dix-huit mois" in page.text and "sept jours sur sept" in page.text
    for chrome in ("Agenda des sorties", "Partager sur Facebook", "Publicité", "Mise à jour le",
                   "Le marché de Noël", "cookies"):
        assert chrome not in page.text, chrome


def test_tables_are_rows_of_cells_with_a_title_row_as_text():
    text, headings = walk("""<table><caption>Dépenses (en euros)</caption>
        <tr><th>Politique</th><th>Budget 2025</th></tr>
        <tr><td>Enfance et jeunesse</td><td>2&nbsp;965&nbsp;000</td></tr>
        <tr><th>Total général</th><td></td></tr></table>""")
    assert text.split("\n\n") == ["Dépenses (en euros)", "Politique | Budget 2025",
                                  "Enfance et jeunesse | 2 965 000", "Total général"]
    assert headings == ()


def test_list_items_are_dash_lines():
    text, _ = walk("<p>Trois gestes :</p><ul><li>un nid</li><li>de la boue</li></ul>")
    assert text == "Trois gestes :\n\n- un nid\n- de la boue"


def test_a_short_page_is_read_whole_without_its_navigation():
    page = page_text("""<html><head><title>Page santé</title></head><body>
        <header>Logo du site</header><nav><a href="/x">Menu secret</a></nav>
        <h1>L'IA en santé</h1><p>Premier paragraphe.</p><footer>Mentions légales</footer></body></html>""")
    assert page.text == "# L'IA en santé\n\nPremier paragraphe."
    assert page.title == "L'IA en santé"


def test_the_declared_charset_is_honoured():
    markup = '<html><head><meta charset="iso-8859-15"></head><body><p>Le cœur à 12 €.</p></body></html>'
    assert "Le cœur à 12 €." in decode_html(markup.encode("iso-8859-15"))
    http_equiv = ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
                  "<p>L’été</p>").encode("cp1252")
    assert "L’été" in decode_html(http_equiv)


def test_a_wrong_declaration_falls_back_to_guessing():
    markup = '<meta charset="utf-8"><p>Données à 5 €</p>'.encode("cp1252")
    assert "Données à 5 €" in decode_html(markup)


DOCBOOK = """<html><head><title>Chapitre 1. Didacticiels</title></head><body>
<div class="navheader"><table><tr><td><a href="pr01.html">Précédent</a></td><td><a href="ch02.html">Suivant</a></td></tr></table></div>
<div class="chapter"><h1 class="title">Chapitre 1. Didacticiels GNU/Linux</h1>
<p>Je pense qu’apprendre un système d’exploitation est comme apprendre une nouvelle langue étrangère.
Bien que les livres de didacticiels et de documentation soient utiles, vous devez pratiquer vous-même.</p>
<p>Lorsque l’écran est corrompu après que vous ayez fait des choses amusantes comme « <code class="literal">cat
<em class="replaceable"><code>un-fichier-binaire</code></em></code> » entrez « <code class="literal">reset</code> »
à l’invite de commande. Il est possible que vous ne voyiez pas ce que vous tapez.</p>
<p>Users are recommended to use the new <span class="citerefentry"><span class="refentrytitle">apt</span>(8)</span>
command for interactive usage and use the <span class="citerefentry"><span class="refentrytitle">apt-get</span>(8)</span>
commands in the shell script.</p>
<ul><li><p>vous pouvez basculer entre les consoles virtuelles en pressant la touche Alt de gauche et,
simultanément, l’une des touches <span class="keycap"><strong>F1</strong></span> à <span class="keycap"><strong>F6</strong></span></p></li>
<li><p><code class="literal">dpkg</code></p></li></ul>
<p>Le système démarre avec le message de bienvenue qui se trouve dans « <code class="literal">/etc/motd</code> » et
présente une invite de commande comme celle-ci, où vous pouvez taper vos premières commandes.</p>
</div>
<div class="navfooter"><table><tr><td>Accueil</td><td>Chapitre 2. Gestion des paquets Debian</td></tr></table></div>
</body></html>"""


def test_the_text_is_the_pages_own_even_where_the_extractor_reorders_inline_markup():
    text = page_text(DOCBOOK).text
    assert "comme « cat un-fichier-binaire » entrez « reset » à l’invite de commande." in text
    assert "use the new apt(8) command for interactive usage" in text
    assert "l’une des touches F1 à F6" in text and "- dpkg" in text
    assert "Précédent" not in text and "Chapitre 2. Gestion des paquets" not in text
