"""The five HTML test pages and what is expected of each.

Each entry gives the markup, the encoding its bytes are written in, and the
expectations written to `NAME.expected.json`: body sentences (verbatim) with
the heading path below the page title, boilerplate strings that must never
reach a chunk, the meaningful title, and table rows as « cell | cell ».
"""

from __future__ import annotations

# ----------------------------------------------------------------------------
# 1. A government page in the style of the DSFR (système de design de l'État).
# ----------------------------------------------------------------------------

DSFR = """<!DOCTYPE html>
<html lang="fr" data-fr-scheme="system">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>Chèque rénovation énergétique : conditions et démarches | Ministère de la Transition écologique</title>
<link rel="stylesheet" href="/dsfr/dsfr.min.css">
<script type="module" src="/dsfr/dsfr.module.min.js"></script>
</head>
<body>
<div class="fr-skiplinks">
  <nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list">
      <li><a class="fr-link" href="#contenu">Contenu</a></li>
      <li><a class="fr-link" href="#header-navigation">Menu</a></li>
      <li><a class="fr-link" href="#footer">Pied de page</a></li>
    </ul>
  </nav>
</div>
<header role="banner" class="fr-header">
  <div class="fr-header__body">
    <div class="fr-container">
      <div class="fr-header__body-row">
        <div class="fr-header__brand fr-enlarge-link">
          <div class="fr-header__brand-top">
            <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
          </div>
          <div class="fr-header__service">
            <a href="/" title="Accueil - Ministère de la Transition écologique"><p class="fr-header__service-title">Ministère de la Transition écologique</p></a>
            <p class="fr-header__service-tagline">Agir pour un logement plus sobre</p>
          </div>
        </div>
        <div class="fr-header__tools">
          <div class="fr-header__tools-links"><ul class="fr-btns-group"><li><a class="fr-btn fr-icon-account-line" href="/connexion">Se connecter à mon espace</a></li></ul></div>
          <div class="fr-header__search fr-modal" id="modal-search">
            <div class="fr-search-bar" role="search"><label class="fr-label" for="search-input">Rechercher</label><input class="fr-input" placeholder="Rechercher sur le site" type="search" id="search-input"><button class="fr-btn" title="Rechercher">Rechercher</button></div>
          </div>
        </div>
      </div>
    </div>
  </div>
  <div class="fr-header__menu fr-modal" id="modal-menu">
    <div class="fr-container">
      <nav class="fr-nav" id="header-navigation" role="navigation" aria-label="Menu principal">
        <ul class="fr-nav__list">
          <li class="fr-nav__item"><a class="fr-nav__link" href="/aides">Aides et financements</a></li>
          <li class="fr-nav__item"><a class="fr-nav__link" href="/travaux" aria-current="page">Travaux de rénovation</a></li>
          <li class="fr-nav__item"><a class="fr-nav__link" href="/artisans">Trouver un artisan certifié</a></li>
          <li class="fr-nav__item"><a class="fr-nav__link" href="/actualites">Actualités du ministère</a></li>
        </ul>
      </nav>
    </div>
  </div>
</header>
<main id="contenu" role="main">
  <div class="fr-container">
    <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
      <button class="fr-breadcrumb__button" aria-expanded="false" aria-controls="breadcrumb-1">Voir le fil d'Ariane</button>
      <div class="fr-collapse" id="breadcrumb-1">
        <ol class="fr-breadcrumb__list">
          <li><a class="fr-breadcrumb__link" href="/">Accueil</a></li>
          <li><a class="fr-breadcrumb__link" href="/aides">Aides et financements</a></li>
          <li><a class="fr-breadcrumb__link" aria-current="page">Chèque rénovation énergétique</a></li>
        </ol>
      </div>
    </nav>
    <h1>Chèque rénovation énergétique : conditions et démarches</h1>
    <p class="fr-text--lead">Le chèque rénovation énergétique aide les propriétaires à financer l'isolation et le changement de chauffage de leur résidence principale.</p>
    <p>Il est versé après les travaux, sur présentation des factures, et peut se cumuler avec les certificats d'économies d'énergie.</p>
    <div class="fr-callout">
      <h3 class="fr-callout__title">Bon à savoir</h3>
      <p class="fr-callout__text">Depuis le 1er janvier 2025, la demande doit être déposée avant la signature du devis.</p>
    </div>
    <h2>Qui peut en bénéficier ?</h2>
    <p>Le chèque est ouvert aux propriétaires occupants et aux propriétaires bailleurs, quel que soit leur revenu.</p>
    <p>Le logement doit avoir été construit depuis au moins quinze ans et être occupé à titre de résidence principale.</p>
    <ul>
      <li>les maisons individuelles et les appartements en copropriété ;</li>
      <li>les logements loués nus ou meublés pour une durée d'au moins six ans ;</li>
      <li>les logements des départements et régions d'outre-mer.</li>
    </ul>
    <h2>Quels travaux sont financés ?</h2>
    <h3>Isolation</h3>
    <p>L'isolation des combles perdus est prise en charge à hauteur de 25 euros par mètre carré, dans la limite de 100 mètres carrés.</p>
    <p>L'isolation des murs par l'extérieur ouvre droit à une aide de 75 euros par mètre carré pour les ménages aux revenus modestes.</p>
    <h3>Chauffage</h3>
    <p>Le remplacement d'une chaudière au fioul par une pompe à chaleur air-eau donne droit à une aide forfaitaire de 4 000 euros.</p>
    <p>Les chaudières au gaz, même à très haute performance énergétique, ne sont plus financées.</p>
    <h2>Comment faire la demande ?</h2>
    <ol>
      <li>Créez votre compte sur la plateforme en ligne.</li>
      <li>Déposez votre demande avec le devis d'un artisan certifié RGE.</li>
      <li>Réalisez les travaux dans un délai de deux ans.</li>
      <li>Transmettez les factures pour obtenir le versement.</li>
    </ol>
    <p>Le versement intervient en moyenne six semaines après la transmission des factures.</p>
    <div class="fr-share">
      <p class="fr-share__title">Partager la page</p>
      <ul class="fr-btns-group">
        <li><a class="fr-btn--facebook fr-btn" href="https://www.facebook.com/sharer.php">Partager sur Facebook</a></li>
        <li><a class="fr-btn--twitter-x fr-btn" href="https://x.com/intent/post">Partager sur X (anciennement Twitter)</a></li>
        <li><a class="fr-btn--mail fr-btn" href="mailto:?subject=Chèque">Partager par email</a></li>
      </ul>
    </div>
    <p class="fr-text--sm">Mise à jour le 3 février 2025 - Direction de l'information légale et administrative</p>
  </div>
</main>
<footer class="fr-footer" role="contentinfo" id="footer">
  <div class="fr-container">
    <div class="fr-footer__body">
      <div class="fr-footer__content">
        <p class="fr-footer__content-desc">Le site officiel d'information sur les aides à la rénovation énergétique des logements.</p>
        <ul class="fr-footer__content-list">
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://www.info.gouv.fr">info.gouv.fr</a></li>
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://www.service-public.fr">service-public.fr</a></li>
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://www.legifrance.gouv.fr">legifrance.gouv.fr</a></li>
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://www.data.gouv.fr">data.gouv.fr</a></li>
        </ul>
      </div>
    </div>
    <div class="fr-footer__bottom">
      <ul class="fr-footer__bottom-list">
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/plan-du-site">Plan du site</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : partiellement conforme</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/mentions-legales">Mentions légales</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/donnees-personnelles">Données personnelles et gestion des cookies</a></li>
      </ul>
      <div class="fr-footer__bottom-copy"><p>Sauf mention explicite de propriété intellectuelle détenue par des tiers, les contenus de ce site sont proposés sous licence etalab-2.0</p></div>
    </div>
  </div>
</footer>
</body>
</html>
"""

DSFR_EXPECTED = {
    "title": "Chèque rénovation énergétique : conditions et démarches",
    "sentences": [
        {"text": "Le chèque rénovation énergétique aide les propriétaires à financer l'isolation et le changement de chauffage de leur résidence principale.", "section": []},
        {"text": "Depuis le 1er janvier 2025, la demande doit être déposée avant la signature du devis.", "section": ["Bon à savoir"]},
        {"text": "Le chèque est ouvert aux propriétaires occupants et aux propriétaires bailleurs, quel que soit leur revenu.", "section": ["Qui peut en bénéficier ?"]},
        {"text": "les logements loués nus ou meublés pour une durée d'au moins six ans ;", "section": ["Qui peut en bénéficier ?"], "list_item": True},
        {"text": "L'isolation des combles perdus est prise en charge à hauteur de 25 euros par mètre carré, dans la limite de 100 mètres carrés.", "section": ["Quels travaux sont financés ?", "Isolation"]},
        {"text": "Le remplacement d'une chaudière au fioul par une pompe à chaleur air-eau donne droit à une aide forfaitaire de 4 000 euros.", "section": ["Quels travaux sont financés ?", "Chauffage"]},
        {"text": "Déposez votre demande avec le devis d'un artisan certifié RGE.", "section": ["Comment faire la demande ?"], "list_item": True},
        {"text": "Le versement intervient en moyenne six semaines après la transmission des factures.", "section": ["Comment faire la demande ?"]},
    ],
    "boilerplate": [
        "Agir pour un logement plus sobre", "Se connecter à mon espace", "Rechercher sur le site",
        "Aides et financements", "Travaux de rénovation", "Trouver un artisan certifié",
        "Actualités du ministère", "Voir le fil d'Ariane", "Pied de page",
        "Partager la page", "Partager sur Facebook", "Partager sur X", "Partager par email",
        "Mise à jour le 3 février 2025",
        "Le site officiel d'information sur les aides à la rénovation énergétique des logements.",
        "legifrance.gouv.fr", "Plan du site", "Accessibilité : partiellement conforme",
        "Mentions légales", "Données personnelles et gestion des cookies", "licence etalab-2.0",
    ],
    "headings": ["Chèque rénovation énergétique : conditions et démarches", "Qui peut en bénéficier ?",
                 "Quels travaux sont financés ?", "Isolation", "Chauffage", "Comment faire la demande ?"],
}

# ----------------------------------------------------------------------------
# 2. A <div> soup news page: cookie banner, menu, share links, related
#    articles, newsletter box, footer -- no semantic sectioning tags at all.
# ----------------------------------------------------------------------------

SOUP = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Le Courrier du Val - La piscine intercommunale rouvrira en septembre</title>
<style>.cookie{position:fixed;bottom:0}.menu a{margin:0 8px}.inter{font-weight:bold;font-size:1.2em}</style>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}</script>
</head>
<body>
<div id="cookie-banner" class="cookie">
  <div class="cookie-text">Nous utilisons des cookies pour mesurer l'audience et vous proposer des contenus adaptés à vos centres d'intérêt.</div>
  <div class="cookie-buttons"><a href="#" class="btn">Tout accepter</a> <a href="#" class="btn">Tout refuser</a> <a href="#" class="btn">Personnaliser mes choix</a></div>
</div>
<div id="top">
  <div class="logo"><a href="/"><img src="/logo.png" alt="Le Courrier du Val">Le Courrier du Val</a></div>
  <div class="baseline">L'actualité de votre vallée depuis 1946</div>
  <div class="menu">
    <a href="/">Accueil</a> <a href="/actualites">Actualités</a> <a href="/sports">Sports</a>
    <a href="/culture">Culture et loisirs</a> <a href="/agenda">Agenda des sorties</a>
    <a href="/annonces">Petites annonces</a> <a href="/abonnement">S'abonner au journal</a>
  </div>
  <div class="ariane"><a href="/">Accueil</a> &gt; <a href="/actualites">Actualités</a> &gt; <a href="/actualites/vallee">Vie de la vallée</a></div>
</div>
<div id="page">
  <div class="colonne-gauche">
    <div class="article">
      <h1>La piscine intercommunale rouvrira en septembre</h1>
      <div class="auteur">Par Julien Marchetti | Publié le 12 mars 2025 à 18h05</div>
      <div class="partage">
        <a href="https://www.facebook.com/sharer">Partager sur Facebook</a>
        <a href="https://x.com/share">Partager sur X</a>
        <a href="mailto:">Envoyer par e-mail</a>
        <a href="#" onclick="window.print()">Imprimer l'article</a>
      </div>
      <div class="chapo">Fermée depuis dix-huit mois pour travaux, la piscine des Eaux-Vives accueillera de nouveau les nageurs à la rentrée.</div>
      <div class="texte">
        <div class="para">Les travaux de rénovation de la piscine des Eaux-Vives entrent dans leur dernière phase.</div>
        <div class="para">Le bassin sportif de 25 mètres a été entièrement recarrelé et le bassin d'apprentissage a été agrandi de 40 mètres carrés.
        La charpente, attaquée par l'humidité, a été remplacée par une structure en bois lamellé-collé.</div>
        <h2>Un chantier de 6,2 millions d'euros</h2>
        <div class="para">Le coût total des travaux atteint 6,2 millions d'euros, soit 700 000 euros de plus que prévu.
        Ce dépassement s'explique par la découverte d'amiante dans les faux plafonds des vestiaires, qu'il a fallu désamianter avant de poursuivre.
        La communauté de communes a obtenu une subvention supplémentaire de l'Agence nationale du sport pour couvrir une partie du surcoût.</div>
        <div class="encart-pub">Publicité - Votre cuisine sur mesure à prix d'usine chez Cuisines Durand, route de Nantes.</div>
        <h2>Des horaires élargis</h2>
        <div class="para">À la réouverture, la piscine sera ouverte sept jours sur sept, avec des créneaux de 7 heures à 21 heures en semaine.
        Les scolaires disposeront du bassin chaque matin, et les clubs de natation et de plongée le soir à partir de 19 heures.</div>
        <div class="para">Le tarif de l'entrée adulte passera de 4,10 euros à 4,50 euros, mais un abonnement annuel à 180 euros sera créé pour les habitants de la communauté de communes.</div>
        <div class="citation">« Nous voulions une piscine ouverte à tous, du bébé nageur au nageur de compétition », explique la vice-présidente chargée des sports.</div>
      </div>
      <div class="tags">Mots-clés : <a href="/tag/piscine">piscine</a> <a href="/tag/travaux">travaux</a> <a href="/tag/sport">sport</a></div>
    </div>
    <div class="a-lire-aussi">
      <div class="titre-bloc">À lire aussi</div>
      <div class="lien-article"><a href="/a1">Le marché de Noël battra son record de fréquentation</a></div>
      <div class="lien-article"><a href="/a2">Un nouveau médecin généraliste s'installe à Montreuil-Bellay</a></div>
      <div class="lien-article"><a href="/a3">Les travaux du pont de la Dive prendront fin en avril</a></div>
    </div>
  </div>
  <div class="colonne-droite">
    <div class="newsletter">
      <div class="titre-bloc">Recevez notre lettre d'information</div>
      <div>Chaque matin, l'essentiel de l'actualité de la vallée dans votre boîte mail.</div>
      <form><input type="email" placeholder="Votre adresse e-mail"><button>Je m'inscris</button></form>
    </div>
    <div class="les-plus-lus">
      <div class="titre-bloc">Les plus lus</div>
      <div class="lien-article"><a href="/b1">Accident sur la départementale 347 : deux blessés légers</a></div>
      <div class="lien-article"><a href="/b2">Football : le SC Vallée s'impose dans le derby</a></div>
    </div>
  </div>
</div>
<div id="bas-de-page">
  <div class="liens"><a href="/contact">Nous contacter</a> | <a href="/mentions">Mentions légales</a> | <a href="/cgv">Conditions générales de vente</a> | <a href="/cookies">Gestion des cookies</a></div>
  <div class="copyright">© 2025 Le Courrier du Val - Tous droits réservés - Reproduction interdite</div>
</div>
</body>
</html>
"""

SOUP_EXPECTED = {
    "title": "La piscine intercommunale rouvrira en septembre",
    "sentences": [
        {"text": "Fermée depuis dix-huit mois pour travaux, la piscine des Eaux-Vives accueillera de nouveau les nageurs à la rentrée.", "section": []},
        {"text": "Les travaux de rénovation de la piscine des Eaux-Vives entrent dans leur dernière phase.", "section": []},
        {"text": "La charpente, attaquée par l'humidité, a été remplacée par une structure en bois lamellé-collé.", "section": []},
        {"text": "Ce dépassement s'explique par la découverte d'amiante dans les faux plafonds des vestiaires, qu'il a fallu désamianter avant de poursuivre.", "section": ["Un chantier de 6,2 millions d'euros"]},
        {"text": "À la réouverture, la piscine sera ouverte sept jours sur sept, avec des créneaux de 7 heures à 21 heures en semaine.", "section": ["Des horaires élargis"]},
        {"text": "Le tarif de l'entrée adulte passera de 4,10 euros à 4,50 euros, mais un abonnement annuel à 180 euros sera créé pour les habitants de la communauté de communes.", "section": ["Des horaires élargis"]},
    ],
    "boilerplate": [
        "Nous utilisons des cookies", "Tout accepter", "Tout refuser", "Personnaliser mes choix",
        "L'actualité de votre vallée depuis 1946", "Culture et loisirs", "Agenda des sorties",
        "Petites annonces", "S'abonner au journal", "Vie de la vallée",
        "Partager sur Facebook", "Partager sur X", "Envoyer par e-mail", "Imprimer l'article",
        "Publicité - Votre cuisine sur mesure", "Mots-clés", "À lire aussi",
        "Le marché de Noël battra son record de fréquentation",
        "Un nouveau médecin généraliste s'installe à Montreuil-Bellay",
        "Les travaux du pont de la Dive prendront fin en avril",
        "Recevez notre lettre d'information", "l'essentiel de l'actualité de la vallée",
        "Je m'inscris", "Les plus lus", "Accident sur la départementale 347",
        "le SC Vallée s'impose dans le derby", "Nous contacter", "Conditions générales de vente",
        "Gestion des cookies", "Tous droits réservés", "Reproduction interdite",
    ],
    "headings": ["La piscine intercommunale rouvrira en septembre", "Un chantier de 6,2 millions d'euros",
                 "Des horaires élargis"],
}

# ----------------------------------------------------------------------------
# 3. A page whose bytes are ISO-8859-15 (declared in <meta charset>):
#    œ is byte 0xBD and € is byte 0xA4 there (½ and ¤ in Windows-1252).
# ----------------------------------------------------------------------------

LATIN9 = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="iso-8859-15">
<title>Les Restos du Bœuf Solidaire - Bilan de la campagne d'hiver</title>
</head>
<body>
<div class="bandeau"><a href="/">Accueil</a> · <a href="/benevoles">Devenir bénévole</a> · <a href="/dons">Faire un don en ligne</a></div>
<h1>Bilan de la campagne d'hiver 2024-2025</h1>
<p>Les bénévoles ont le cœur à l'ouvrage : la campagne d'hiver s'est achevée le 15 mars avec 48 600 repas servis.</p>
<p>Chaque repas nous coûte en moyenne 12 € grâce aux dons des producteurs et des commerces du quartier.</p>
<h2>Nos besoins pour l'été</h2>
<p>Nous recherchons des bénévoles pour la distribution du samedi matin et pour l'atelier de cuisine, où chacun apprend à préparer des œufs brouillés ou un bœuf bourguignon.</p>
<p>Un don de 50 € permet de financer une semaine de paniers pour une famille de quatre personnes, et ne vous coûte que 12,50 € après réduction d'impôt.</p>
<h2>Remerciements</h2>
<p>Nous remercions la Fondation Œuvres du Cœur pour son soutien de 8 000 € et les élèves du lycée hôtelier pour leurs menus de fête.</p>
<p>La prochaine campagne commencera le 24 novembre : chaque panier coûtera 3 € aux familles inscrites.</p>
<div class="pied">Association loi 1901 · 12 rue des Lilas · Mentions légales · Contactez-nous</div>
</body>
</html>
"""

LATIN9_EXPECTED = {
    "title": "Bilan de la campagne d'hiver",
    "sentences": [
        {"text": "Les bénévoles ont le cœur à l'ouvrage : la campagne d'hiver s'est achevée le 15 mars avec 48 600 repas servis.", "section": []},
        {"text": "Chaque repas nous coûte en moyenne 12 € grâce aux dons des producteurs et des commerces du quartier.", "section": []},
        {"text": "Nous recherchons des bénévoles pour la distribution du samedi matin et pour l'atelier de cuisine, où chacun apprend à préparer des œufs brouillés ou un bœuf bourguignon.", "section": ["Nos besoins pour l'été"]},
        {"text": "Un don de 50 € permet de financer une semaine de paniers pour une famille de quatre personnes, et ne vous coûte que 12,50 € après réduction d'impôt.", "section": ["Nos besoins pour l'été"]},
        {"text": "Nous remercions la Fondation Œuvres du Cœur pour son soutien de 8 000 € et les élèves du lycée hôtelier pour leurs menus de fête.", "section": ["Remerciements"]},
        {"text": "La prochaine campagne commencera le 24 novembre : chaque panier coûtera 3 € aux familles inscrites.", "section": ["Remerciements"]},
    ],
    "boilerplate": ["Devenir bénévole", "Faire un don en ligne", "Association loi 1901", "12 rue des Lilas",
                    "Mentions légales", "Contactez-nous", "c½ur", "¤", "½"],
    "headings": ["Bilan de la campagne d'hiver 2024-2025", "Nos besoins pour l'été", "Remerciements"],
}

# ----------------------------------------------------------------------------
# 4. A page with tables (a caption, a header row, numbers with NBSP).
# ----------------------------------------------------------------------------

TABLES = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Budget primitif 2025 | Ville de Montreuil-Bellay</title>
</head>
<body>
<header><a href="/">Ville de Montreuil-Bellay</a>
<nav><ul><li><a href="/mairie">Ma mairie</a></li><li><a href="/demarches">Mes démarches</a></li><li><a href="/sortir">Sortir et bouger</a></li></ul></nav>
</header>
<main>
<h1>Budget primitif 2025</h1>
<p>Le conseil municipal a adopté le budget primitif 2025 le 20 mars, par 23 voix pour et 6 voix contre.</p>
<p>Il s'équilibre à 14,8 millions d'euros, dont 10,3 millions pour le fonctionnement et 4,5 millions pour l'investissement.</p>
<h2>Les dépenses de fonctionnement par politique publique</h2>
<p>L'enfance et la jeunesse restent le premier poste de dépenses, devant l'entretien de la voirie.</p>
<table>
<caption>Dépenses de fonctionnement (en euros)</caption>
<thead><tr><th>Politique publique</th><th>Budget 2024</th><th>Budget 2025</th><th>Évolution</th></tr></thead>
<tbody>
<tr><td>Enfance et jeunesse</td><td>2&nbsp;840&nbsp;000</td><td>2&nbsp;965&nbsp;000</td><td>+4,4 %</td></tr>
<tr><td>Voirie et espaces publics</td><td>1&nbsp;920&nbsp;000</td><td>1&nbsp;875&nbsp;000</td><td>-2,3 %</td></tr>
<tr><td>Culture et patrimoine</td><td>1&nbsp;110&nbsp;000</td><td>1&nbsp;160&nbsp;000</td><td>+4,5 %</td></tr>
<tr><td>Sport et vie associative</td><td>860&nbsp;000</td><td>905&nbsp;000</td><td>+5,2 %</td></tr>
</tbody>
</table>
<h2>Les principaux investissements</h2>
<p>La rénovation de l'école Jacques-Prévert représente à elle seule près d'un tiers des investissements de l'année.</p>
<table>
<thead><tr><th>Projet</th><th>Montant</th><th>Livraison</th></tr></thead>
<tbody>
<tr><td>Rénovation de l'école Jacques-Prévert</td><td>1&nbsp;450&nbsp;000</td><td>2026</td></tr>
<tr><td>Piste cyclable de la route de Saumur</td><td>620&nbsp;000</td><td>2025</td></tr>
<tr><td>Éclairage public à LED</td><td>380&nbsp;000</td><td>2025</td></tr>
</tbody>
</table>
<p>Les taux des impôts locaux ne changent pas pour la neuvième année consécutive.</p>
</main>
<footer><p>Ville de Montreuil-Bellay · Place du Marché · Tél. 02 41 52 33 86</p><p><a href="/plan">Plan du site</a> · <a href="/mentions">Mentions légales</a></p></footer>
</body>
</html>
"""

TABLES_EXPECTED = {
    "title": "Budget primitif 2025",
    "sentences": [
        {"text": "Le conseil municipal a adopté le budget primitif 2025 le 20 mars, par 23 voix pour et 6 voix contre.", "section": []},
        {"text": "Il s'équilibre à 14,8 millions d'euros, dont 10,3 millions pour le fonctionnement et 4,5 millions pour l'investissement.", "section": []},
        {"text": "L'enfance et la jeunesse restent le premier poste de dépenses, devant l'entretien de la voirie.", "section": ["Les dépenses de fonctionnement par politique publique"]},
        {"text": "La rénovation de l'école Jacques-Prévert représente à elle seule près d'un tiers des investissements de l'année.", "section": ["Les principaux investissements"]},
        {"text": "Les taux des impôts locaux ne changent pas pour la neuvième année consécutive.", "section": ["Les principaux investissements"]},
        {"text": "Dépenses de fonctionnement (en euros)", "section": ["Les dépenses de fonctionnement par politique publique"], "caption": True},
    ],
    "tables": [
        "Politique publique | Budget 2024 | Budget 2025 | Évolution",
        "Enfance et jeunesse | 2 840 000 | 2 965 000 | +4,4 %",
        "Voirie et espaces publics | 1 920 000 | 1 875 000 | -2,3 %",
        "Culture et patrimoine | 1 110 000 | 1 160 000 | +4,5 %",
        "Sport et vie associative | 860 000 | 905 000 | +5,2 %",
        "Projet | Montant | Livraison",
        "Rénovation de l'école Jacques-Prévert | 1 450 000 | 2026",
        "Piste cyclable de la route de Saumur | 620 000 | 2025",
        "Éclairage public à LED | 380 000 | 2025",
    ],
    "boilerplate": ["Ma mairie", "Mes démarches", "Sortir et bouger", "Place du Marché", "02 41 52 33 86",
                    "Plan du site", "Mentions légales"],
    "headings": ["Budget primitif 2025", "Les dépenses de fonctionnement par politique publique",
                 "Les principaux investissements"],
}

# ----------------------------------------------------------------------------
# 5. A magazine article in <article>, with a byline, share bar, tags and a
#    comments section inside the <article> element (as some CMSs emit it).
# ----------------------------------------------------------------------------

ARTICLE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta property="og:title" content="Pourquoi les hirondelles disparaissent de nos villages">
<title>Pourquoi les hirondelles disparaissent de nos villages – Nature &amp; Territoires</title>
</head>
<body>
<header class="site-header"><div class="site-title">Nature &amp; Territoires</div>
<nav><a href="/">Accueil</a> <a href="/faune">Faune sauvage</a> <a href="/jardin">Jardiner au naturel</a> <a href="/dossiers">Nos dossiers</a></nav></header>
<main>
<article class="post">
  <header class="entry-header">
    <h1 class="entry-title">Pourquoi les hirondelles disparaissent de nos villages</h1>
    <p class="byline">Par Hélène Carrère · 4 avril 2025 · 6 min de lecture</p>
  </header>
  <div class="share-bar"><a href="#">Partager sur Facebook</a> <a href="#">Partager sur LinkedIn</a> <a href="#">Copier le lien</a></div>
  <div class="entry-content">
    <p>En trente ans, la France a perdu près de la moitié de ses hirondelles de fenêtre, selon les suivis réalisés par les ornithologues bénévoles.</p>
    <p>Ce déclin touche aussi bien les villes que les campagnes, et il s'accélère depuis le début des années 2010.</p>
    <h2>Moins d'insectes, moins de nids</h2>
    <p>Les hirondelles se nourrissent exclusivement d'insectes qu'elles capturent en vol, et la raréfaction de ces proies les prive de nourriture.</p>
    <p>La rénovation des façades détruit aussi de nombreux nids, alors que leur destruction est interdite par la loi.</p>
    <blockquote><p>Un couple d'hirondelles revient chaque année au même nid s'il le retrouve intact.</p></blockquote>
    <h2>Comment les aider ?</h2>
    <p>Installer des nids artificiels sous les avant-toits permet aux couples de s'installer sans attendre de trouver de la boue.</p>
    <ul>
      <li>Poser une planchette sous les nids pour protéger la façade des fientes.</li>
      <li>Laisser une flaque de boue au jardin pendant le printemps.</li>
      <li>Signaler les colonies à la ligue de protection des oiseaux de votre département.</li>
    </ul>
    <p>Ces gestes simples suffisent souvent à maintenir une colonie pendant plusieurs décennies.</p>
  </div>
  <footer class="entry-footer"><span class="tags">Publié dans <a href="/faune">Faune sauvage</a>, <a href="/oiseaux">Oiseaux</a></span> <span class="author-box">Hélène Carrère est journaliste scientifique et naturaliste amateur.</span></footer>
  <section id="comments" class="comments-area">
    <h2 class="comments-title">3 réponses à « Pourquoi les hirondelles disparaissent de nos villages »</h2>
    <ol class="comment-list">
      <li class="comment"><div class="comment-author">Gérard L. <span class="says">dit :</span></div><div class="comment-metadata">5 avril 2025 à 9 h 12</div><div class="comment-content"><p>Chez nous, dans le Gers, nous avions douze nids sous le hangar et il n'en reste que deux cette année.</p></div><div class="reply"><a href="#">Répondre</a></div></li>
      <li class="comment"><div class="comment-author">Sophie <span class="says">dit :</span></div><div class="comment-metadata">5 avril 2025 à 14 h 40</div><div class="comment-content"><p>Merci pour cet article, j'ai posé trois nids artificiels l'an dernier et deux sont occupés.</p></div><div class="reply"><a href="#">Répondre</a></div></li>
      <li class="comment"><div class="comment-author">Marc <span class="says">dit :</span></div><div class="comment-metadata">6 avril 2025 à 8 h 03</div><div class="comment-content"><p>Les pesticides sont les premiers responsables, il faudrait le dire plus clairement.</p></div><div class="reply"><a href="#">Répondre</a></div></li>
    </ol>
    <div id="respond" class="comment-respond"><h3 class="comment-reply-title">Laisser un commentaire</h3><form><p>Votre adresse e-mail ne sera pas publiée.</p><textarea></textarea><input type="submit" value="Publier le commentaire"></form></div>
  </section>
</article>
</main>
<footer class="site-footer"><p>© 2025 Nature &amp; Territoires · Magazine indépendant · <a href="/contact">Contact</a></p></footer>
</body>
</html>
"""

ARTICLE_EXPECTED = {
    "title": "Pourquoi les hirondelles disparaissent de nos villages",
    "sentences": [
        {"text": "En trente ans, la France a perdu près de la moitié de ses hirondelles de fenêtre, selon les suivis réalisés par les ornithologues bénévoles.", "section": []},
        {"text": "Ce déclin touche aussi bien les villes que les campagnes, et il s'accélère depuis le début des années 2010.", "section": []},
        {"text": "La rénovation des façades détruit aussi de nombreux nids, alors que leur destruction est interdite par la loi.", "section": ["Moins d'insectes, moins de nids"]},
        {"text": "Un couple d'hirondelles revient chaque année au même nid s'il le retrouve intact.", "section": ["Moins d'insectes, moins de nids"]},
        {"text": "Installer des nids artificiels sous les avant-toits permet aux couples de s'installer sans attendre de trouver de la boue.", "section": ["Comment les aider ?"]},
        {"text": "Laisser une flaque de boue au jardin pendant le printemps.", "section": ["Comment les aider ?"], "list_item": True},
        {"text": "Ces gestes simples suffisent souvent à maintenir une colonie pendant plusieurs décennies.", "section": ["Comment les aider ?"]},
    ],
    "boilerplate": [
        "Faune sauvage", "Jardiner au naturel", "Nos dossiers", "6 min de lecture",
        "Partager sur Facebook", "Partager sur LinkedIn", "Copier le lien",
        "Publié dans", "Hélène Carrère est journaliste scientifique",
        "3 réponses à", "dit :", "nous avions douze nids sous le hangar",
        "j'ai posé trois nids artificiels l'an dernier", "Les pesticides sont les premiers responsables",
        "Répondre", "Laisser un commentaire", "Votre adresse e-mail ne sera pas publiée",
        "Magazine indépendant",
    ],
    "headings": ["Pourquoi les hirondelles disparaissent de nos villages", "Moins d'insectes, moins de nids",
                 "Comment les aider ?"],
}

# name -> (markup, encoding of the bytes, expectations)
PAGES = {
    "html-dsfr-cheque-renovation": (DSFR, "utf-8", DSFR_EXPECTED),
    "html-div-soup-piscine": (SOUP, "utf-8", SOUP_EXPECTED),
    "html-iso-8859-15-restos": (LATIN9, "iso-8859-15", LATIN9_EXPECTED),
    "html-tables-budget": (TABLES, "utf-8", TABLES_EXPECTED),
    "html-article-commentaires": (ARTICLE, "utf-8", ARTICLE_EXPECTED),
}
