"""The French texts of the test documents (fictional places, firms and people).

Each PDF document is a list of blocks built with the helpers below; paragraphs
are lists of sentences, so that sentence boundaries are known exactly and the
expected sentences of `NAME.expected.json` are verbatim. `make_documents.py`
renders the blocks with the producer named for each document.

Footnote calls are written `{1}` inside a sentence; the expected sentence has
the call removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    kind: str  # title, subtitle, h1, h2, h3, p, ul, table, pagebreak
    text: str = ""
    sentences: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""
    break_before: bool = False


def TITLE(text: str) -> Block:
    return Block("title", text)


def SUBTITLE(text: str) -> Block:
    return Block("subtitle", text)


def H1(text: str, *, break_before: bool = False) -> Block:
    return Block("h1", text, break_before=break_before)


def H2(text: str, *, break_before: bool = False) -> Block:
    return Block("h2", text, break_before=break_before)


def H3(text: str) -> Block:
    return Block("h3", text)


def P(*sentences: str, break_before: bool = False) -> Block:
    return Block("p", sentences=list(sentences), break_before=break_before)


def UL(*items: str) -> Block:
    return Block("ul", items=list(items))


def TABLE(caption: str, *rows: list[str]) -> Block:
    """First row is the header row."""
    return Block("table", rows=[list(r) for r in rows], caption=caption)


# =====================================================================
# 1. Chromium, A5, running header/footer templates, document outline.
#    No <title>: the PDF metadata title is the HTML file name.
# =====================================================================

MUNICIPAL_HEADER = "Commune de Saint-Aubin-sur-Loire — Rapport d'activité des services"
MUNICIPAL_FOOTER = "Rapport d'activité 2024 · page {n} / {m}"

MUNICIPAL = [
    SUBTITLE("Commune de Saint-Aubin-sur-Loire"),
    TITLE("Rapport d'activité 2024"),
    SUBTITLE("Présenté au conseil municipal du 27 mars 2025"),
    H1("Le mot du maire"),
    P("L'année 2024 a été marquée par l'ouverture de la nouvelle maison de santé et par la fin des travaux de la rue des Tanneurs.",
      "Ce rapport rend compte du travail des agents municipaux, service par service, et des moyens que la commune y a consacrés.",
      "Il est mis à la disposition des habitants en mairie, à la médiathèque et sur le site internet de la commune."),
    P("Je remercie les bénévoles des associations, qui ont assuré avec nous l'accueil des visiteurs lors des fêtes de la Loire en juillet.",
      "Leur engagement montre qu'une commune de 6 800 habitants peut porter des projets ambitieux sans augmenter les taux d'imposition."),
    H1("Partie 1 — Les services à la population"),
    H2("1.1 État civil et élections"),
    P("Le service de l'état civil a enregistré 74 naissances, 31 mariages et 52 décès au cours de l'année.",
      "Les demandes de cartes d'identité et de passeports ont atteint 1 912 dossiers, soit une hausse de 18 % par rapport à 2023.",
      "Cette hausse s'explique par l'ouverture d'un second poste de recueil des empreintes, qui attire des habitants des communes voisines.",
      "Le délai moyen pour obtenir un rendez-vous est passé de six semaines à seize jours."),
    P("Les élections européennes du 9 juin et les élections législatives anticipées des 30 juin et 7 juillet ont mobilisé 96 assesseurs et secrétaires de bureau.",
      "Les sept bureaux de vote ont ouvert à l'heure, et les résultats ont été transmis à la préfecture avant 22 heures à chaque scrutin.",
      "La commission de contrôle des listes électorales s'est réunie trois fois et a radié 143 électeurs ayant quitté la commune."),
    H2("1.2 Petite enfance et écoles"),
    P("La crèche des Saules a accueilli 48 enfants pour un taux d'occupation de 87 %, contre 81 % l'année précédente.",
      "Le relais petite enfance accompagne désormais 39 assistantes maternelles agréées, qui proposent ensemble 121 places d'accueil.",
      "Une réunion d'information sur les métiers de la petite enfance a réuni une trentaine de personnes en octobre."),
    P("Les trois écoles publiques comptent 612 élèves répartis en 26 classes à la rentrée de septembre.",
      "Le restaurant scolaire a servi 71 400 repas, dont 34 % de produits issus de l'agriculture biologique.",
      "La part des produits locaux, achetés à moins de 80 kilomètres, a atteint 41 % grâce au nouveau marché passé avec la légumerie départementale.",
      "Le tarif du repas reste fixé à 3,20 euros pour les familles dont le quotient familial est le plus élevé.",
      break_before=True),
    P("Le centre de loisirs a ouvert 112 jours et a accueilli en moyenne 64 enfants le mercredi.",
      "Les séjours d'été au bord de l'océan ont permis à 56 enfants de partir une semaine, dont 22 pour la première fois."),
    H1("Partie 2 — Le cadre de vie", break_before=True),
    H2("2.1 Voirie et mobilités"),
    P("La rénovation de la rue des Tanneurs s'est achevée en septembre, après huit mois de travaux conduits en trois tranches.",
      "La chaussée a été rétrécie à 5,50 mètres pour élargir les trottoirs et créer une piste cyclable bidirectionnelle de 780 mètres.",
      "Le coût total de l'opération s'élève à 1,42 million d'euros, dont 38 % ont été financés par le département et la région."),
    P("Le service technique a rebouché 2 300 nids-de-poule et repeint 6,5 kilomètres de marquage au sol.",
      "Le nouveau parking relais de la gare, ouvert en avril, compte 120 places et 24 emplacements sécurisés pour les vélos.",
      "Sa fréquentation moyenne atteint 83 % en semaine, ce qui confirme le besoin exprimé par les navetteurs lors de la concertation de 2022.",
      "Une extension de quarante places est à l'étude pour 2026."),
    H2("2.2 Espaces verts et propreté"),
    P("Les jardiniers municipaux entretiennent 46 hectares d'espaces verts sans produit phytosanitaire depuis 2017.",
      "En 2024, 1 150 arbres et arbustes ont été plantés, principalement le long du mail de la Loire et dans la cour de l'école Jules-Ferry.",
      "La tonte différenciée a été étendue à huit nouveaux sites, ce qui a réduit de 22 % le temps consacré à la tonte."),
    P("Les agents de la propreté urbaine ont collecté 212 tonnes de déchets sur la voie publique, dont 19 tonnes de dépôts sauvages.",
      "Une brigade verte de deux agents assermentés a dressé 37 procès-verbaux pour abandon de déchets.",
      "Les dépôts sauvages ont diminué de 15 % dans les quartiers où des caméras ont été installées."),
    H1("Partie 3 — Les finances communales", break_before=True),
    H2("3.1 Le fonctionnement"),
    P("Les dépenses réelles de fonctionnement se sont élevées à 8,74 millions d'euros, en hausse de 4,1 % sur un an.",
      "Les charges de personnel en représentent 56 %, soit 4,89 millions d'euros pour 142 agents en équivalent temps plein.",
      "La hausse du prix de l'énergie a pesé lourdement : la facture d'électricité et de gaz a atteint 612 000 euros, contre 398 000 euros en 2022.",
      "Le plan de sobriété adopté en 2023 a néanmoins permis de réduire les consommations de 12 %."),
    P("Les recettes réelles de fonctionnement ont atteint 10,21 millions d'euros.",
      "L'épargne brute, qui mesure la capacité de la commune à financer ses investissements sans emprunter, s'établit ainsi à 1,47 million d'euros."),
    H2("3.2 L'investissement"),
    P("Les dépenses d'équipement ont atteint 4,05 millions d'euros, un niveau record pour la commune.",
      "Elles ont été financées par l'épargne, par 1,36 million d'euros de subventions et par un emprunt de 900 000 euros sur vingt ans.",
      "L'encours de la dette s'élève à 6,3 millions d'euros au 31 décembre, soit 926 euros par habitant.",
      "La capacité de désendettement reste inférieure à cinq années, bien en dessous du seuil d'alerte de douze années."),
    P("Le programme pluriannuel d'investissement prévoit la rénovation thermique du gymnase en 2025 et l'agrandissement de la médiathèque en 2026.",
      "Ces deux opérations représentent un montant estimé à 5,8 millions d'euros."),
]

MUNICIPAL_SENTENCE_PICKS = [
    "Le délai moyen pour obtenir un rendez-vous est passé de six semaines à seize jours.",
    "La crèche des Saules a accueilli 48 enfants pour un taux d'occupation de 87 %, contre 81 % l'année précédente.",
    "Les dépôts sauvages ont diminué de 15 % dans les quartiers où des caméras ont été installées.",
    "L'encours de la dette s'élève à 6,3 millions d'euros au 31 décembre, soit 926 euros par habitant.",
]

# =====================================================================
# 2. Chromium, two CSS columns, header/footer templates, soft hyphens in
#    long words (the narrow justified columns break some of them).
# =====================================================================

NOTE_HEADER = "Note scientifique n° 2025-03 · Observatoire de la Loire moyenne"
NOTE_FOOTER = "Rapport technique de l'Observatoire · page {n} / {m}"

NOTE = [
    TITLE("Températures de l'eau et oxygène dissous pendant l'étiage 2024"),
    SUBTITLE("Claire Béranger, Youssef Haddad et Inès Morvan — Observatoire de la Loire moyenne"),
    P("Cette note présente les mesures de température et d'oxygène dissous relevées toutes les dix minutes sur quatre stations entre le 1er juillet et le 30 septembre 2024.",
      "La température de l'eau a dépassé 27 °C pendant 19 jours à la station de Blois, un record depuis l'ouverture du réseau en 2009.",
      "Les teneurs en oxygène sont restées supérieures au seuil de 5 mg/l sauf pendant deux épisodes nocturnes en août."),
    H1("1. Introduction"),
    P("Les étiages sévères de 2019 et de 2022 ont rappelé la sensibilité de la Loire moyenne aux vagues de chaleur.",
      "Lorsque le débit baisse, l'eau se réchauffe plus vite, et la photosynthèse des algues provoque de fortes variations d'oxygène entre le jour et la nuit.",
      "Les poissons migrateurs, comme l'alose et le saumon, supportent mal ces conditions et cessent de remonter le fleuve au-delà de 26 °C.",
      "Le suivi en continu permet de détecter ces épisodes et d'alerter les services chargés de la gestion des débits."),
    P("Cette note décrit le réseau de mesure, les méthodes de contrôle des données et les principaux résultats de l'été 2024.",
      "Elle ne traite pas des concentrations en nutriments, qui feront l'objet d'une publication séparée."),
    H1("2. Matériel et méthodes"),
    H2("2.1 Les stations de mesure"),
    P("Le réseau compte quatre stations installées à Gien, Orléans, Blois et Tours, sur un linéaire de 190 kilomètres.",
      "Chaque station est équipée d'une sonde multiparamètre immergée à un mètre sous la surface, fixée à une bouée ancrée au fond.",
      "Les données sont transmises par le réseau de téléphonie mobile vers un serveur de l'Observatoire toutes les heures.",
      "Les sondes sont nettoyées et étalonnées toutes les trois semaines par les techniciens de l'équipe."),
    H2("2.2 Contrôle de la qualité des données"),
    P("Les séries brutes ont été corrigées de la dérive des capteurs en comparant chaque mesure aux valeurs de référence relevées lors des visites d'entretien.",
      "Les valeurs aberrantes, dues le plus souvent à un encrassement ou à un choc contre la bouée, ont été supprimées par un filtre médian sur une fenêtre de deux heures.",
      "Au total, 3,8 % des mesures ont été écartées, dont la moitié à la station de Tours à la suite d'une panne de batterie en juillet.",
      "Les lacunes de moins de six heures ont été comblées par interpolation linéaire, les autres ont été laissées vides."),
    H1("3. Résultats"),
    H2("3.1 Température de l'eau"),
    P("La température moyenne de l'eau sur la période a été de 24,6 °C à Gien et de 25,9 °C à Tours.",
      "Le maximum absolu, 28,4 °C, a été atteint à Blois le 13 août à 17 h 40, pour un débit de 48 mètres cubes par seconde.",
      "L'écart entre l'amont et l'aval du réseau est resté compris entre 0,8 et 1,7 °C, selon l'ensoleillement et la vitesse du courant.",
      "Les nuits n'ont apporté qu'un faible refroidissement, de l'ordre de 1,2 °C en moyenne, pendant la vague de chaleur de la mi-août."),
    H2("3.2 Oxygène dissous"),
    P("Les concentrations en oxygène dissous ont suivi un cycle quotidien marqué, avec des maxima en fin d'après-midi et des minima peu avant l'aube.",
      "À Orléans, l'amplitude quotidienne a dépassé 6 mg/l pendant douze jours consécutifs, signe d'une forte activité des algues.",
      "Le seuil de 5 mg/l a été franchi deux fois, les nuits du 12 et du 14 août, pendant quatre heures au total.",
      "Aucune mortalité de poissons n'a été signalée pendant ces deux épisodes."),
    H1("4. Discussion"),
    P("Les températures observées en 2024 confirment la tendance au réchauffement mesurée depuis quinze ans, de l'ordre de 0,4 °C par décennie.",
      "Elles restent toutefois inférieures aux projections les plus pessimistes publiées après l'été 2022."),
    P("Le débit apparaît comme le premier facteur d'aggravation : à ensoleillement égal, chaque baisse de dix mètres cubes par seconde augmente la température maximale de 0,6 °C.",
      "Les soutiens d'étiage assurés par les barrages de l'amont jouent donc un rôle déterminant pendant les vagues de chaleur.",
      break_before=True),
    P("Nous recommandons de maintenir le réseau de mesure en continu et d'ajouter une station à l'aval de Tours en 2026."),
    P("Les auteurs remercient les agents de la fédération de pêche pour leur aide lors des campagnes de terrain."),
]

NOTE_SOFT_HYPHENS = {
    # word -> word with soft hyphens (U+00AD) where Chromium may break it
    "photosynthèse": "photo\u00adsyn\u00adthèse",
    "concentrations": "concen\u00adtra\u00adtions",
    "multiparamètre": "multi\u00adpara\u00admètre",
    "interpolation": "inter\u00adpo\u00adla\u00adtion",
    "ensoleillement": "enso\u00adleil\u00adle\u00adment",
    "refroidissement": "refroi\u00addis\u00adse\u00adment",
    "températures": "tempé\u00adra\u00adtures",
    "température": "tempé\u00adra\u00adture",
    "d'aggravation": "d'aggra\u00advation",
    "l'Observatoire": "l'Obser\u00adva\u00adtoire",
    "déterminant": "déter\u00admi\u00adnant",
    "techniciens": "tech\u00adni\u00adciens",
    "maintenir": "main\u00adtenir",
    "migrateurs": "migra\u00adteurs",
    "quotidienne": "quoti\u00addienne",
    "quotidien": "quoti\u00addien",
    "encrassement": "encras\u00adse\u00adment",
    "consécutifs": "consé\u00adcu\u00adtifs",
    "téléphonie": "télé\u00adpho\u00adnie",
    "références": "réfé\u00adrences",
    "référence": "réfé\u00adrence",
    "publication": "publi\u00adca\u00adtion",
    "récemment": "récem\u00adment",
    "sensibilité": "sensi\u00adbi\u00adlité",
    "d'entretien": "d'entre\u00adtien",
}

NOTE_SENTENCE_PICKS = [
    "Le seuil de 5 mg/l a été franchi deux fois, les nuits du 12 et du 14 août, pendant quatre heures au total.",
    "Les soutiens d'étiage assurés par les barrages de l'amont jouent donc un rôle déterminant pendant les vagues de chaleur.",
]

# =====================================================================
# 3. fpdf2 annual report: running header/footer, outline (bookmarks),
#    page labels (i, ii then 1, 2...), a table, footnotes at the page foot.
#    Metadata title is a word-processor file name.
# =====================================================================

ANNUAL_HEADER = "Coopérative laitière des Monts du Forez · Rapport annuel 2024"
ANNUAL_FOOTER = "Rapport annuel 2024 · page {label}"

ANNUAL_COVER = [
    "Coopérative laitière des Monts du Forez",
    "Rapport annuel 2024",
    "Assemblée générale du 14 mai 2025",
]

ANNUAL = [
    H1("Partie 1 — L'exercice 2024"),
    H2("1.1 Le message du président"),
    P("L'exercice 2024 a été difficile pour nos 212 exploitations adhérentes, confrontées à une sécheresse de printemps puis à un automne très pluvieux.",
      "La collecte de lait a pourtant progressé de 2,3 % pour atteindre 61,8 millions de litres, grâce à l'arrivée de neuf nouveaux producteurs.",
      "Le prix moyen payé aux adhérents s'est établi à 486 euros les mille litres, soit le niveau le plus élevé de notre histoire{1}.",
      "Le conseil d'administration a choisi de maintenir ce prix malgré la baisse des cours du beurre au second semestre."),
    P("Notre fromagerie de Saint-Anthème a fêté ses cinquante ans en septembre.",
      "Plus de 3 000 visiteurs ont participé aux journées portes ouvertes, qui ont aussi permis de recruter quatre apprentis.",
      "La fourme de Montbrison, notre produit phare, a reçu une médaille d'or au concours général agricole pour la troisième année consécutive."),
    H2("1.2 Les chiffres clés"),
    P("Le chiffre d'affaires consolidé atteint 94,6 millions d'euros, en hausse de 5,8 % par rapport à 2023.",
      "Le résultat net s'élève à 2,1 millions d'euros, dont 1,4 million sera reversé aux adhérents sous forme de ristournes."),
    TABLE("Tableau 1 — Les chiffres clés de la coopérative",
          ["Indicateur", "2023", "2024", "Évolution"],
          ["Lait collecté (millions de litres)", "60,4", "61,8", "+2,3 %"],
          ["Chiffre d'affaires (millions d'euros)", "89,4", "94,6", "+5,8 %"],
          ["Résultat net (millions d'euros)", "1,7", "2,1", "+23,5 %"],
          ["Salariés (équivalent temps plein)", "318", "331", "+4,1 %"],
          ["Exploitations adhérentes", "207", "212", "+2,4 %"]),
    P("La part des fromages sous appellation d'origine protégée représente désormais 47 % des volumes transformés.",
      "Les ventes en magasins de producteurs et sur les marchés ont progressé de 11 %, portées par l'ouverture d'une boutique à Saint-Étienne.",
      "Les exportations, surtout vers l'Allemagne et la Belgique, restent stables à 8 % du chiffre d'affaires."),
    H1("Partie 2 — Les engagements de la coopérative", break_before=True),
    H2("2.1 La transition agroécologique"),
    P("Depuis 2021, la coopérative verse une prime de 15 euros les mille litres aux exploitations qui garantissent au moins 150 jours de pâturage par an.",
      "En 2024, 164 exploitations ont perçu cette prime, contre 121 trois ans plus tôt.",
      "L'empreinte carbone moyenne du litre de lait a baissé de 9 % depuis 2019, selon le diagnostic réalisé dans chaque ferme avec la chambre d'agriculture{2}.",
      "Nous visons une baisse de 20 % en 2030, en misant sur l'autonomie fourragère et la réduction des achats de tourteaux de soja."),
    P("La méthanisation des effluents de la fromagerie, mise en service en mars, couvre 35 % des besoins en chaleur du site.",
      "Elle évite le transport de 9 000 mètres cubes de lactosérum par an vers une usine de la vallée du Rhône."),
    H2("2.2 Les salariés et la sécurité"),
    P("La coopérative emploie 331 salariés en équivalent temps plein, dont 58 % dans les ateliers de fabrication.",
      "Le taux de fréquence des accidents du travail a diminué de 18 % grâce au remplacement des anciennes tables de moulage.",
      "Un accord d'intéressement signé en juin associe les salariés aux résultats pour la première fois.",
      "Il prévoit le versement d'une prime pouvant atteindre 4 % de la masse salariale si les objectifs de qualité et de sécurité sont atteints."),
    P("La formation a représenté 6 200 heures, principalement consacrées à l'hygiène alimentaire, à la conduite des nouvelles lignes de conditionnement et au management.",
      "Onze salariés ont obtenu un certificat de qualification professionnelle de fromager."),
    H1("Partie 3 — Les perspectives", break_before=True),
    P("Le plan stratégique 2025-2030 prévoit 28 millions d'euros d'investissements, dont 17 millions pour la modernisation de la fromagerie de Saint-Anthème.",
      "La nouvelle cave d'affinage, dont les travaux commenceront à l'automne, portera la capacité de stockage de 1 400 à 2 300 tonnes de fromage.",
      "Nous voulons également développer une gamme de yaourts au lait de pâturage, vendue dans les cantines scolaires de la Loire et du Puy-de-Dôme."),
    P("Ces projets ne réussiront qu'avec l'engagement de chacun, adhérents comme salariés.",
      "Le conseil d'administration vous invite à en débattre lors de l'assemblée générale du 14 mai."),
]

ANNUAL_FOOTNOTES = {
    1: "Prix moyen pondéré toutes qualités confondues, hors primes de pâturage et hors ristournes.",
    2: "Diagnostic CAP'2ER réalisé sur 186 exploitations entre 2019 et 2024.",
}

ANNUAL_SENTENCE_PICKS = [
    "Le prix moyen payé aux adhérents s'est établi à 486 euros les mille litres, soit le niveau le plus élevé de notre histoire.",
    "Le chiffre d'affaires consolidé atteint 94,6 millions d'euros, en hausse de 5,8 % par rapport à 2023.",
    "La part des fromages sous appellation d'origine protégée représente désormais 47 % des volumes transformés.",
    "Un accord d'intéressement signé en juin associe les salariés aux résultats pour la première fois.",
]

# =====================================================================
# 4. fpdf2 visitor guide: words hyphenated at line ends (soft hyphens),
#    ligature characters (ﬁ ﬂ) in the text layer, letter-spaced headings.
# =====================================================================

GUIDE_HEADER = "Guide de visite · Les moulins de la vallée de la Sèvre"
GUIDE_FOOTER = "Office de tourisme du Haut-Bocage · page {n} / {m}"

GUIDE = [
    TITLE("Les moulins de la vallée de la Sèvre"),
    SUBTITLE("Guide de visite — édition 2025"),
    H1("Partie 1 — Histoire des moulins"),
    P("Au milieu du XIXe siècle, la vallée de la Sèvre comptait plus de quarante moulins sur moins de trente kilomètres de rivière.",
      "Les plus anciens, attestés dès le XIIIe siècle, appartenaient aux abbayes qui prélevaient une part de chaque sac de farine moulue.",
      "Après la Révolution, les moulins furent vendus comme biens nationaux et passèrent aux mains de familles de meuniers qui les modernisèrent.",
      "Beaucoup furent transformés en filatures ou en ateliers de tissage, car la force de l'eau permettait d'actionner les métiers sans charbon."),
    H2("1.1 Le travail du meunier"),
    P("Le meunier réglait l'écartement des meules selon la qualité du grain et la finesse de farine demandée par ses clients.",
      "Il surveillait le niveau du bief, ce canal qui conduit l'eau vers la roue, et ouvrait les vannes pour éviter les inondations pendant les crues.",
      "Son métier exigeait une connaissance fine de la rivière, mais aussi des talents de mécanicien pour entretenir les engrenages en bois de cormier.",
      "Les contrats de mouture fixaient la rémunération du meunier, souvent un seizième de la farine produite."),
    H2("1.2 Le déclin et la renaissance"),
    P("La concurrence des grandes minoteries industrielles entraîna la fermeture de la plupart des moulins entre 1920 et 1960.",
      "Les bâtiments furent abandonnés ou transformés en habitations, et les roues disparurent faute d'entretien.",
      "Depuis les années 1990, une association de passionnés a restauré six moulins, dont deux produisent de nouveau de la farine chaque semaine.",
      "Leur réhabilitation a bénéficié du soutien de la Fondation du patrimoine et de nombreux bénévoles du canton."),
    H1("Partie 2 — Les sites à visiter", break_before=True),
    H2("2.1 Le moulin de la Fleuriais"),
    P("Le moulin de la Fleuriais, bâti en 1742, est le seul de la vallée à avoir conservé sa roue à aubes d'origine.",
      "La visite guidée dure une heure et permet d'assister à la mise en route des meules, suivie d'une dégustation de pain cuit au feu de bois.",
      "Le site est accessible aux personnes à mobilité réduite au rez-de-chaussée, mais les étages ne sont desservis que par des escaliers étroits.",
      "Une boutique propose des farines de blé ancien, de sarrasin et de seigle, ainsi que des ouvrages sur l'histoire locale."),
    H2("2.2 Le moulin de Bécheneau"),
    P("Le moulin de Bécheneau abrite un petit musée consacré au tissage, avec un métier à bras du XVIIIe siècle encore en état de fonctionner.",
      "Les enfants peuvent y fabriquer un bracelet de fil de lin et découvrir les différentes étapes de la filature.",
      "Un sentier de découverte de quatre kilomètres relie Bécheneau à la Fleuriais en longeant la rivière et ses anciennes écluses.",
      "Les panneaux installés le long du chemin présentent la faune et la flore des bords de la Sèvre, notamment la loutre, revenue dans la vallée en 2015."),
    H1("Partie 3 — Informations pratiques"),
    P("Les moulins sont ouverts du 1er avril au 31 octobre, tous les jours sauf le lundi, de 10 heures à 18 heures.",
      "Le billet combiné pour les deux sites coûte 9 euros pour les adultes et 5 euros pour les enfants de six à seize ans.",
      "Les groupes de plus de quinze personnes doivent réserver leur visite au moins quinze jours à l'avance auprès de l'office de tourisme, par téléphone ou par courriel.",
      "Des places de stationnement sont réservées aux autocars près de la Fleuriais, à deux cents mètres de l'entrée du site."),
    P("En juillet et en août, des visites à la lanterne sont proposées le jeudi soir, et la fête des meuniers réunit chaque année plus de deux mille personnes le troisième dimanche d'août.",
      "Le programme complet des animations est disponible à l'office de tourisme et dans les mairies du canton."),
]


GUIDE_SENTENCE_PICKS = [
    "Son métier exigeait une connaissance fine de la rivière, mais aussi des talents de mécanicien pour entretenir les engrenages en bois de cormier.",
    "Leur réhabilitation a bénéficié du soutien de la Fondation du patrimoine et de nombreux bénévoles du canton.",
    "Les enfants peuvent y fabriquer un bracelet de fil de lin et découvrir les différentes étapes de la filature.",
]

# =====================================================================
# 5. fpdf2 bulletin with one scanned page (an image, no text layer).
# =====================================================================

BULLETIN_HEADER = "Bulletin de l'association Vélo en Ville · n° 58 · printemps 2025"
BULLETIN_FOOTER = "Vélo en Ville · page {n} / {m}"

BULLETIN = [
    TITLE("Bulletin de printemps"),
    H1("Partie 1 — La vie de l'association"),
    P("Notre association compte 684 adhérents au 1er mars, soit 97 de plus qu'il y a un an.",
      "Cette croissance doit beaucoup à l'atelier de réparation participatif, ouvert le samedi matin dans l'ancienne caserne des pompiers.",
      "Les bénévoles y ont aidé à remettre en état 1 240 vélos en 2024, dont 310 ont été donnés à des familles par l'intermédiaire du centre social."),
    P("L'assemblée générale du 25 janvier a réuni 142 adhérents, un record de participation.",
      "Elle a approuvé les comptes de l'exercice, qui présentent un excédent de 3 800 euros, et élu cinq nouveaux membres au conseil d'administration.",
      "Les débats ont surtout porté sur la sécurité des trajets scolaires et sur le stationnement des vélos dans les immeubles anciens.",
      "Une motion demandant la création d'une rue scolaire devant chaque école primaire a été adoptée à l'unanimité."),
    H2("1.1 Les ateliers et les sorties"),
    P("Les sorties du dimanche ont repris en mars avec un parcours de 35 kilomètres le long du canal, suivi par une soixantaine de cyclistes.",
      "Le programme du printemps prévoit une balade nocturne en avril, une sortie familiale vers la base de loisirs en mai et un week-end itinérant en juin.",
      "Chaque sortie est encadrée par au moins deux bénévoles formés aux premiers secours.",
      "Les participants qui n'ont pas de vélo peuvent en emprunter un à l'atelier, à condition de le réserver la veille."),
    P("L'atelier propose aussi des séances de remise en selle pour les adultes qui n'ont pas pédalé depuis longtemps.",
      "Quarante-deux personnes en ont bénéficié l'an dernier, la plupart des femmes de plus de cinquante ans.",
      "Les cours ont lieu dans la cour de l'école Paul-Bert, prêtée par la ville le mercredi après-midi."),
    H2("1.2 Le baromètre des villes cyclables"),
    P("Les résultats du baromètre des villes cyclables, publiés en février, classent notre ville au 27e rang des villes de taille moyenne.",
      "La note globale progresse légèrement, de 2,9 à 3,1 sur 6, mais reste pénalisée par le manque de continuité des aménagements.",
      "Les répondants saluent la nouvelle passerelle sur la rivière et regrettent le stationnement des voitures sur les bandes cyclables."),
    "SCAN",
    H1("Partie 2 — Nos propositions pour 2026", break_before=True),
    P("À un an des élections municipales, l'association publiera en septembre un questionnaire adressé à toutes les listes candidates.",
      "Nous demanderons notamment un plan de continuité cyclable reliant les quartiers au centre en moins de quinze minutes.",
      "Le budget consacré au vélo devrait atteindre au moins trente euros par habitant et par an, contre onze euros aujourd'hui.",
      "Les réponses seront publiées sur notre site et présentées lors d'une réunion publique en octobre."),
    P("Nous proposerons aussi la création de 1 500 arceaux de stationnement supplémentaires, répartis dans tous les quartiers.",
      "Les gares et les équipements sportifs doivent être équipés en priorité, car les vols y sont les plus fréquents."),
]

# The scanned page: its text is only in the picture, never in the text layer.
BULLETIN_SCAN_LINES = [
    "Vélo en Ville · n° 58 · printemps 2025",
    "",
    "Tribune libre",
    "",
    "Depuis que j'ai vendu ma voiture, je fais mes courses",
    "avec une remorque achetée d'occasion à l'atelier.",
    "Il m'a fallu trois semaines pour m'habituer aux côtes",
    "du quartier de la Madeleine, et je ne reviendrais",
    "en arrière pour rien au monde.",
    "",
    "Mes enfants vont à l'école à vélo depuis la rentrée.",
    "Nous attendons avec impatience la rue scolaire promise",
    "devant l'école des Tilleuls.",
    "",
    "Martine R., adhérente depuis 2019",
]

BULLETIN_SENTENCE_PICKS = [
    "Les résultats du baromètre des villes cyclables, publiés en février, classent notre ville au 27e rang des villes de taille moyenne.",
    "Nous demanderons notamment un plan de continuité cyclable reliant les quartiers au centre en moins de quinze minutes.",
]

# =====================================================================
# 6. LibreOffice Writer (flat ODT): page style with header and footer
#    fields, real footnotes, a table, Heading 1/2 exported as bookmarks.
# =====================================================================

COMMISSION_HEADER = "Conseil départemental de la Mayenne · Commission des routes et des mobilités"
COMMISSION_FOOTER = "Rapport de la commission · page {n} / {m}"

COMMISSION = [
    TITLE("Évaluation du schéma départemental des aires de covoiturage"),
    SUBTITLE("Rapport présenté à la séance plénière du 16 juin 2025"),
    H1("Partie 1 — Le contexte"),
    P("Le schéma départemental des aires de covoiturage a été adopté en 2018 pour une durée de six ans.",
      "Il prévoyait l'aménagement de quarante aires réparties sur l'ensemble du territoire, en priorité aux échangeurs de l'autoroute et aux carrefours des routes les plus fréquentées.",
      "Le présent rapport dresse le bilan de ce schéma et propose les orientations du schéma suivant, qui couvrira la période 2025-2031."),
    P("Dans un département rural où 83 % des actifs se rendent au travail en voiture, le covoiturage est l'une des rares solutions pour réduire le coût des déplacements.",
      "Il permet aussi de limiter les émissions de gaz à effet de serre, qui proviennent pour un tiers des transports dans notre département{1}."),
    H1("Partie 2 — Le bilan du schéma 2018-2024"),
    H2("2.1 Les aires réalisées"),
    P("Trente-quatre aires ont été aménagées sur les quarante prévues, pour un total de 1 096 places de stationnement.",
      "Les six aires non réalisées se heurtaient à des difficultés foncières ou à l'opposition des riverains.",
      "Le coût moyen d'une place s'établit à 2 350 euros, éclairage et abri compris, soit un peu moins que l'estimation initiale."),
    TABLE("Tableau 1 — Taux d'occupation des aires selon leur taille",
          ["Taille de l'aire", "Nombre d'aires", "Places", "Taux d'occupation"],
          ["Moins de 20 places", "15", "214", "46 %"],
          ["De 20 à 49 places", "13", "418", "68 %"],
          ["50 places et plus", "6", "464", "91 %"]),
    P("Les grandes aires situées aux échangeurs de l'autoroute sont saturées dès 7 h 30 en semaine.",
      "À l'inverse, plusieurs petites aires éloignées des grands axes restent presque vides, ce qui invite à revoir leur signalisation.",
      "Les comptages réalisés en novembre 2024 montrent que 72 % des véhicules stationnés appartiennent à des habitants du département."),
    H2("2.2 Les services associés"),
    P("Vingt aires sont desservies par une ligne de car régionale, ce qui permet aux covoitureurs de poursuivre leur trajet en transport collectif.",
      "Des abris sécurisés pour les vélos ont été installés sur douze aires, mais ils ne sont utilisés que par une quarantaine d'abonnés.",
      "La plateforme de mise en relation lancée en 2021 compte 5 400 inscrits, dont un tiers l'utilisent au moins une fois par mois{2}.",
      "Les trajets domicile-travail représentent l'essentiel des annonces publiées sur la plateforme.",
      "Les conducteurs déclarent partager en moyenne 2,4 trajets par semaine."),
    H1("Partie 3 — Les orientations du prochain schéma"),
    H2("3.1 Agrandir les aires saturées"),
    P("La commission propose d'agrandir en priorité les six aires dont le taux d'occupation dépasse 85 %, pour un total de 380 places supplémentaires.",
      "Ces extensions devront limiter l'artificialisation des sols, en recourant à des revêtements perméables et en plantant des haies.",
      "Le coût de ce programme est estimé à 1,1 million d'euros, dont la moitié pourrait être financée par l'État et la région."),
    H2("3.2 Mieux relier les aires aux transports collectifs", break_before=True),
    P("Le prochain schéma devra mieux articuler le covoiturage avec les lignes de car et les gares.",
      "La commission recommande de créer des arrêts de car sur les huit aires qui en sont dépourvues et de coordonner les horaires avec les principaux employeurs.",
      "Elle propose enfin d'expérimenter une voie réservée au covoiturage sur la rocade de Laval aux heures de pointe, après une étude de faisabilité."),
    P("Ces orientations seront soumises à la concertation des communes et des intercommunalités à l'automne.",
      "Le projet de schéma 2025-2031 sera présenté à l'assemblée départementale en décembre, accompagné d'un programme d'investissement pluriannuel.",
      "Un bilan annuel de la fréquentation des aires sera publié chaque printemps à partir de 2026."),
]

COMMISSION_FOOTNOTES = {
    1: "Inventaire territorial des émissions de gaz à effet de serre, observatoire régional de l'énergie, édition 2023.",
    2: "Données de la plateforme au 31 décembre 2024, transmises par le prestataire.",
}

COMMISSION_SENTENCE_PICKS = [
    "Il permet aussi de limiter les émissions de gaz à effet de serre, qui proviennent pour un tiers des transports dans notre département.",
    "Les grandes aires situées aux échangeurs de l'autoroute sont saturées dès 7 h 30 en semaine.",
    "La plateforme de mise en relation lancée en 2021 compte 5 400 inscrits, dont un tiers l'utilisent au moins une fois par mois.",
]

# =====================================================================
# 7. LibreOffice Writer: title page without header/footer (first-page
#    style), then a running header/footer, lists, three heading levels.
#    The metadata title is empty.
# =====================================================================

PLAN_HEADER = "Communauté de communes du Pays de Vitré · Plan climat"
PLAN_FOOTER = "Rapport d'étape du plan climat · page {n} / {m}"

PLAN_COVER = [
    "Communauté de communes du Pays de Vitré",
    "Plan climat-air-énergie territorial",
    "Rapport d'étape à mi-parcours",
    "Juin 2025",
]

PLAN = [
    TITLE("Plan climat-air-énergie territorial : rapport d'étape à mi-parcours"),
    H1("Partie 1 — Où en sommes-nous ?"),
    P("Le plan climat-air-énergie territorial a été adopté en décembre 2021 pour six ans.",
      "Il fixe trois objectifs pour 2030 : réduire de 40 % les émissions de gaz à effet de serre par rapport à 2010, diviser par deux la consommation d'énergie fossile et produire localement un tiers de l'énergie consommée.",
      "Ce rapport d'étape, prévu par la loi à mi-parcours, fait le point sur les 42 actions du plan."),
    H2("1.1 Les émissions de gaz à effet de serre"),
    P("Les émissions du territoire sont estimées à 612 000 tonnes équivalent CO2 en 2023, en baisse de 14 % par rapport à 2010.",
      "L'agriculture en représente 52 %, les transports 24 %, le résidentiel 11 % et l'industrie 9 %.",
      "La baisse observée vient surtout de l'industrie, qui a remplacé ses chaudières au fioul par des pompes à chaleur et des chaudières au bois.",
      "Les émissions des transports, en revanche, n'ont pas diminué, car le nombre de kilomètres parcourus en voiture continue d'augmenter.",
      "Le méthane issu de l'élevage représente à lui seul 38 % des émissions agricoles, ce qui fait de l'alimentation des troupeaux un levier important."),
    H2("1.2 La production d'énergie renouvelable"),
    P("La production locale d'énergie renouvelable atteint 412 gigawattheures par an, soit 17 % de la consommation du territoire.",
      "Elle provient principalement du bois, de la méthanisation agricole et des éoliennes installées au nord du territoire.",
      "Le photovoltaïque progresse rapidement : la puissance installée a triplé depuis 2021, grâce aux toitures des bâtiments agricoles et des zones d'activités."),
    H3("1.2.1 Les projets en cours"),
    UL("trois unités de méthanisation en construction à Argentré, Étrelles et Louvigné ;",
       "un parc photovoltaïque de 12 hectares sur l'ancienne carrière de la Bonneterie ;",
       "un réseau de chaleur au bois pour le centre aquatique et le lycée de Vitré."),
    P("Une fois achevés, ces projets porteraient la part d'énergie renouvelable à 24 % de la consommation en 2027.",
      "L'objectif d'un tiers en 2030 reste donc atteignable, à condition que les projets éoliens en attente d'autorisation aboutissent."),
    H1("Partie 2 — Les actions à renforcer", break_before=True),
    H2("2.1 La rénovation des logements"),
    P("Le guichet de la rénovation énergétique a reçu 2 140 ménages depuis son ouverture, dont 486 ont engagé des travaux.",
      "Le nombre de rénovations complètes reste toutefois faible, avec 61 chantiers en trois ans alors que le plan en prévoyait 150 par an.",
      "Les ménages renoncent souvent en raison du reste à charge, qui dépasse 20 000 euros pour une maison des années 1970.",
      "La communauté de communes propose de doubler l'aide aux ménages modestes et de créer une avance remboursable sans intérêt."),
    H2("2.2 Les mobilités du quotidien"),
    P("Les transports sont le secteur où le plan a le moins progressé.",
      "Le service de location de vélos électriques a loué 380 vélos pour une durée moyenne de cinq mois, et un sur quatre a ensuite été acheté par son utilisateur.",
      "La ligne de transport à la demande, ouverte en 2023 dans les communes rurales, transporte 1 900 voyageurs par mois.",
      "Ces résultats encourageants restent modestes au regard des 95 000 déplacements quotidiens en voiture recensés par l'enquête de 2022."),
    H3("2.2.1 Les propositions"),
    UL("aménager les liaisons cyclables entre Vitré et les six communes de la première couronne ;",
       "créer deux nouvelles lignes de transport à la demande vers les zones d'activités ;",
       "soutenir les plans de mobilité des employeurs de plus de cinquante salariés."),
    P("Ces propositions seront soumises au conseil communautaire du 3 juillet.",
      "Leur coût est estimé à 4,6 millions d'euros sur trois ans, en partie couvert par le fonds vert de l'État."),
]

COMMISSION_TITLE = "Évaluation du schéma départemental des aires de covoiturage"
