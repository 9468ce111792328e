"""Automatic French sentences: articles and elision, ordinals, French numbers, secrecy, edge cases."""

from __future__ import annotations

import pytest

from esscore import phrases as p

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("type_", "nom", "code", "attendu"),
    [
        ("commune", "Niort", "79191", "la commune de Niort"),
        ("commune", "Le Mans", "72181", "la commune du Mans"),
        ("commune", "Les Groseillers", "79139", "la commune des Groseillers"),
        ("commune", "La Rochelle", "17300", "la commune de La Rochelle"),
        ("commune", "Angers", "49007", "la commune d'Angers"),
        ("commune", "Île-d'Yeu", "85113", "la commune d'Île-d'Yeu"),
        ("epci", "CA du Niortais", "200041317", "la CA du Niortais"),
        ("epci", "CC du Pays Noyonnais", "246000749", "la CC du Pays Noyonnais"),
        ("epci", "Rennes Métropole", "243500139", "Rennes Métropole"),
        ("epci", "Eurométropole de Strasbourg", "246700488", "l'Eurométropole de Strasbourg"),
        ("departement", "Deux-Sèvres", "79", "le département des Deux-Sèvres"),
        ("departement", "Ain", "01", "le département de l'Ain"),
        ("departement", "Nord", "59", "le département du Nord"),
        ("departement", "Gironde", "33", "le département de la Gironde"),
        ("departement", "Paris", "75", "le département de Paris"),
        ("departement", "La Réunion", "974", "le département de La Réunion"),
        ("region", "Nouvelle-Aquitaine", "75", "la région Nouvelle-Aquitaine"),
        ("france", "France", "FR", "la France"),
    ],
)
def test_designation_uses_the_right_article(type_: str, nom: str, code: str, attendu: str) -> None:
    assert p.designation(type_, nom, code) == attendu


def test_de_contracts_and_elides() -> None:
    assert p.de("le département du Nord") == "du département du Nord"
    assert p.de("la CA du Niortais") == "de la CA du Niortais"
    assert p.de("l'Eurométropole de Strasbourg") == "de l'Eurométropole de Strasbourg"
    assert p.de("Rennes Métropole") == "de Rennes Métropole"
    assert p.de("Orléans Métropole") == "d'Orléans Métropole"


def test_ordinals() -> None:
    assert [p.ordinal(n) for n in (1, 2, 3, 11, 15387)] == ["1er", "2e", "3e", "11e", f"15{NNBSP}387e"]


def test_position_sentence_like_the_roadmap() -> None:
    text = p.phrase_position("employeurs_pour_1000_hab", "epci", "CA du Niortais", "200041317", 4.5,
                             [("region", 3.1)], (2, 9))  # fmt: skip
    assert text == (
        f"Avec 4,5 établissements employeurs de l'ESS pour 1{NNBSP}000 habitants, la CA du Niortais se situe "
        "au-dessus de la moyenne régionale (3,1), et se classe au 2e rang des 9 territoires comparés."
    )


def test_position_groups_references_and_says_mais() -> None:
    text = p.phrase_position("employeurs_pour_1000_hab", "departement", "Deux-Sèvres", "79", 5.0,
                             [("region", 3.4), ("france", 5.1)], None)  # fmt: skip
    assert "au-dessus de la moyenne régionale (3,4), mais au niveau de la moyenne nationale (5,1)" in text
    text = p.phrase_position("part_emploi_prive", "commune", "Niort", "79191", 0.10,
                             [("region", 0.15), ("france", 0.14)], (1, 1))  # fmt: skip
    assert f"en dessous des moyennes régionale (15,0{NNBSP}%) et nationale (14,0{NNBSP}%)" in text
    assert "rang" not in text  # a rank among one territory says nothing


def test_position_for_counts_uses_rank_only_and_singular() -> None:
    text = p.phrase_position("etablissements", "commune", "Les Groseillers", "79139", 1, [("region", 3.0)], (3, 9))
    assert (
        text
        == "Avec 1 établissement de l'ESS, la commune des Groseillers se classe au 3e rang des 9 territoires comparés."
    )
    assert p.phrase_position("etablissements", "commune", "Les Groseillers", "79139", 0) == (
        "Aucun établissement de l'ESS n'est recensé dans la commune des Groseillers."
    )


def test_position_secret_and_missing() -> None:
    assert "secret statistique (s)" in p.phrase_position("salaries_estimes", "commune", "Niort", "79191", "s")
    assert "pas disponible" in p.phrase_position("part_emploi_prive", "commune", "Niort", "79191", None)


def test_emploi_sentence() -> None:
    refs = [("region", "Nouvelle-Aquitaine", "75", 0.153), ("france", "France", "FR", 0.138)]
    text = p.phrase_emploi("epci", "CA du Niortais", "200041317", 0.26, 12300, refs)
    assert text == (
        f"L'ESS représente 26,0{NNBSP}% de l'emploi salarié privé de la CA du Niortais (12{NNBSP}300 salariés "
        f"estimés), contre 15,3{NNBSP}% pour la région Nouvelle-Aquitaine et 13,8{NNBSP}% pour la France."
    )
    assert "secret statistique" in p.phrase_emploi("commune", "Les Groseillers", "79139", "s", "s")
    assert "(1 salarié estimé)" in p.phrase_emploi("commune", "Niort", "79191", 0.01, 1)


def test_familles_sentence() -> None:
    familles = [("Associations", 420), ("Coopératives", 85), ("Mutuelles", 23), ("Fondations", 0)]
    text = p.phrase_familles("epci", "CA du Niortais", "200041317", familles)
    assert text == (
        f"Les associations regroupent 80{NNBSP}% des établissements employeurs de l'ESS de la CA du Niortais, "
        f"devant les coopératives (16{NNBSP}%)."  # « (16 %) » never breaks before « % »
    )
    assert p.phrase_familles("commune", "Les Groseillers", "79139", [("Associations", 0)]).startswith("Aucun")
    one = p.phrase_familles("commune", "Niort", "79191", [("Sociétés commerciales de l'ESS", 1)])
    assert one.startswith(f"Les sociétés commerciales de l'ESS regroupent 100{NNBSP}%")


def test_concentration_sentence() -> None:
    conc = {"commune_principale": "Niort", "part_commune_principale": 0.7, "communes_avec_employeur": 31,
            "communes": 40}  # fmt: skip
    assert p.phrase_concentration("epci", "CA du Niortais", "200041317", conc) == (
        f"Niort concentre 70{NNBSP}% des établissements employeurs de l'ESS de la CA du Niortais{NNBSP}; "
        "31 des 40 communes en accueillent au moins un."
    )
    single = {"commune_principale": "A", "part_commune_principale": 1.0, "communes_avec_employeur": 1, "communes": 1}
    assert p.phrase_concentration("commune", "A", "01001", single) == ""
    none = {"commune_principale": "A", "part_commune_principale": None, "communes_avec_employeur": 0, "communes": 3}
    assert (
        p.phrase_concentration("epci", "CC X", "1", none)
        == "Aucune des 3 communes n'accueille d'établissement employeur de l'ESS."
    )


def test_rang_national() -> None:
    text = p.phrase_rang_national("employeurs_pour_1000_hab", "epci", "CA du Niortais", "200041317", (45, 1255))
    assert text.startswith(f"Parmi les 1{NNBSP}255 EPCI de France, la CA du Niortais est au 45e rang")
    assert p.phrase_rang_national("part_emploi_prive", "france", "France", "FR", (1, 1)) == ""


def test_rank_sentences_name_one_total_and_say_who_is_left_out() -> None:
    """The total is every territory compared (« 34 969 communes », the count used everywhere); those without a
    figure are said to be left out of the ranking, never silently taken out of the total."""
    rang = (14986, 34957, False, 34969)
    text = p.phrase_rang_national("employeurs_pour_1000_hab", "commune", "Paris", "75056", rang, 3.2)
    assert text == (
        f"Parmi les 34{NNBSP}969 communes de France, la commune de Paris est au 14{NNBSP}986e rang pour les "
        f"établissements employeurs de l'ESS pour 1{NNBSP}000 habitants, hors 12 communes sans chiffre (secret "
        "statistique ou chiffre non calculable)."
    )
    one = p.phrase_rang_national("part_emploi_prive", "epci", "CA du Niortais", "200041317", (45, 1254, False, 1255))
    assert one.startswith(f"Parmi les 1{NNBSP}255 EPCI de France,") and "hors 1 EPCI sans chiffre" in one
    full = p.phrase_rang_national("etablissements", "epci", "CA du Niortais", "200041317", (45, 1255, False, 1255))
    assert "hors" not in full
    peers = p.phrase_position("employeurs_pour_1000_hab", "epci", "CA du Niortais", "200041317", 4.5, [],
                              (2, 8, True, 9))  # fmt: skip
    assert peers.endswith("au 2e rang\u00a0ex æquo des 9 territoires comparés, hors 1 sans chiffre (secret "
                          "statistique ou chiffre non calculable).")  # fmt: skip


def test_zero_is_not_ranked() -> None:
    text = p.phrase_position("employeurs_pour_1000_hab", "commune", "Les Groseillers", "79139", 0.0,
                             [("region", 3.4)], (5, 9))  # fmt: skip
    assert text == "Aucun établissement employeur de l'ESS n'est recensé dans la commune des Groseillers."
    assert (
        p.phrase_rang_national("employeurs_pour_1000_hab", "commune", "Les Groseillers", "79139", (5, 34957), 0.0) == ""
    )


def test_minuscule_keeps_acronyms() -> None:
    assert p.minuscule("Part de l'ESS dans l'emploi privé") == "part de l'ESS dans l'emploi privé"
    assert p.minuscule("Établissements employeurs") == "établissements employeurs"
    assert p.minuscule("EPCI") == "EPCI"


# ---------------------------------------------------------------- French typography and agreement (labels)


def test_typography_in_one_place() -> None:
    """A narrow no-break space before « % : ; ! ? » », after « « » and between digit groups: « (14 %) » and
    « Source : » never break across two lines; URLs and words are left alone."""
    from esscore import labels

    assert labels.fmt_pct(0.14, 0) == f"14{NNBSP}%" and labels.fmt_pct(0.1234) == f"12,3{NNBSP}%"
    assert (
        labels.typographie("Source : a ; b (14 %) « x » ?")
        == f"Source{NNBSP}: a{NNBSP}; b (14{NNBSP}%) «{NNBSP}x{NNBSP}»{NNBSP}?"
    )
    assert (
        labels.typographie("pour 1 000 habitants, 12 345 678 €")
        == f"pour 1{NNBSP}000 habitants, 12{NNBSP}345{NNBSP}678 €"
    )
    assert labels.typographie("https://exemple.org/a?b=1 : fin") == f"https://exemple.org/a?b=1{NNBSP}: fin"
    assert labels.typographie("en 2023 100") == "en 2023 100"  # a year then a number: not one number
    assert labels.indicator_label("employeurs_pour_1000_hab") == f"Établissements employeurs pour 1{NNBSP}000 habitants"


def test_dates_and_agreement_in_french() -> None:
    from esscore import labels

    assert labels.fmt_date("2026-12-04") == "4 décembre 2026"
    assert labels.fmt_horodatage("2025-12-05T05:02:31.5") == "5 décembre 2025 à 5 h 02"
    assert labels.fmt_horodatage("2025-12-05") == "5 décembre 2025" and labels.fmt_horodatage(None) == ""
    assert [labels.compte(n, "fiche") for n in (0, 1, 2, 1254)] == [
        "0 fiche",
        "1 fiche",
        "2 fiches",
        f"1{NNBSP}254 fiches",
    ]
    assert labels.accord(1, "écrit") == "écrit" and labels.accord(3, "écrit") == "écrits"


@pytest.mark.parametrize(
    ("alias", "attendu"),
    [
        ("arrondissement municipal « Paris 12e Arrondissement » (75112)",
         f"un arrondissement municipal «{NNBSP}Paris 12e Arrondissement{NNBSP}» (75112), rattaché à Paris (75056)"),
        ("commune déléguée « Sainte-Pezenne » (79257)",
         f"une commune déléguée «{NNBSP}Sainte-Pezenne{NNBSP}» (79257), rattachée à Paris (75056)"),
    ],
)  # fmt: skip
def test_alias_sentence_has_its_article_and_agreement(alias: str, attendu: str) -> None:
    """« Le code demandé est un arrondissement municipal … rattaché à … », never « est arrondissement municipal »
    nor « rattaché(e) »: the page (layout) and the CLI (« esscore territoire ») write it with this function."""
    assert p.alias_rattache(alias, "Paris (75056)") == attendu
