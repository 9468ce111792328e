"""Roadmap files, validation and the frames the follow-up page draws."""

from __future__ import annotations

import copy
import math
import re
from datetime import date
from pathlib import Path

import pytest

from esscore.avancement import actions_frame, indicators_frame, progress_by_axis, timeline_frame
from esscore.errors import DonneesInvalides
from esscore.roadmap import (
    ERREURS_AFFICHEES,
    ETATS,
    LEVIERS,
    MODELE,
    STATUTS,
    FeuilleDeRouteInvalide,
    en_yaml,
    etat_action,
    feuille_depuis_modele,
    find_action,
    identifiant_territoire,
    iter_actions,
    load_roadmap_file,
    read_roadmap,
    validate_roadmap,
    verifier_territoire,
)
from esscore.sources import registre
from esscore.store import default_roadmap_files

FIX = Path(__file__).parent / "fixtures" / "roadmap"
SEEDS = Path(__file__).resolve().parent.parent / "data" / "feuilles_de_route"
AUJOURDHUI = date(2026, 11, 23)


@pytest.fixture(scope="module")
def niort() -> dict:
    return read_roadmap(SEEDS / "niort-2023-2026.yaml")


@pytest.fixture(scope="module")
def cotentin() -> dict:
    return read_roadmap(SEEDS / "cotentin-2014.yaml")


@pytest.fixture()
def valide() -> dict:
    return read_roadmap(FIX / "valide.yaml")


def test_constants() -> None:
    assert STATUTS == ("prévue", "en cours", "réalisée", "abandonnée")
    assert LEVIERS == (
        "Financement",
        "Commande publique",
        "Foncier & immobilier",
        "Accompagnement",
        "Sensibilisation & valorisation",
        "Coopération & filières",
        "Observation & évaluation",
        "Gouvernance & co-construction",
    )


# ------------------------------------------------------------------ example roadmaps


def test_default_files_are_the_two_examples() -> None:
    assert [p.name for p in default_roadmap_files()] == ["cotentin-2014.yaml", "niort-2023-2026.yaml"]


def test_seed_roadmaps_validate_and_are_flagged_as_examples(niort: dict, cotentin: dict) -> None:
    for doc in (niort, cotentin):
        assert doc["exemple"] is True
        assert doc["suivi_fictif"] is True, "the invented follow-up is flagged (banner on the page)"
        assert "fictif" in doc["note"].lower()
        assert doc["source"]["document"] in registre()  # cited in full from data/sources.toml
        df = actions_frame(doc, AUJOURDHUI)
        # a follow-up that shows every state: done, in progress, late, abandoned, planned
        assert {"prévue", "en cours", "réalisée", "abandonnée"} <= set(df["statut"]), set(df["statut"])
        assert df["en_retard"].any() and not df["en_retard"].all()
        assert set(df["levier"]) <= set(LEVIERS)
        assert df["levier"].notna().all()
        # no personal names or e-mail addresses in the example data
        texte = repr(doc)
        assert "@" not in texte


def test_niort_structure_matches_seed(niort: dict) -> None:
    assert niort["id"] == "niort-2023-2026"
    assert niort["territoire"] == "epci:200041317"
    assert niort["periode"] == {"debut": "2023-01-01", "fin": "2026-12-31"}
    assert "3 fois par an" in niort["gouvernance"]
    assert [a["code"] for a in niort["axes"]] == ["A", "B", "C"]
    ops = [op["code"] for a in niort["axes"] for op in a["axes_operationnels"]]
    assert ops == ["A.1", "A.2", "A.3", "B.1", "B.2", "B.3", "C.1", "C.2", "C.3"]
    df = actions_frame(niort, AUJOURDHUI)
    assert df.groupby("axe_op_code").size().to_dict() == {
        "A.1": 4,
        "A.2": 3,
        "A.3": 4,
        "B.1": 4,
        "B.2": 3,
        "B.3": 3,
        "C.1": 3,
        "C.2": 3,
        "C.3": 2,
    }
    assert all(re.fullmatch(rf"{op}\.\d", c) for op, c in zip(df["axe_op_code"], df["action_code"], strict=True))
    # within the seed's period; the fictitious follow-up makes a few actions late (deadline passed, not done)
    assert (df["fin"] <= "2026-12-31").all() and (df["debut"] >= "2023-01-01").all()
    en_retard = df.loc[df["en_retard"], "statut"]
    assert 1 <= len(en_retard) <= 5 and set(en_retard) <= {"prévue", "en cours"}
    fin_2027 = actions_frame(niort, date(2027, 1, 1))
    assert fin_2027["en_retard"].equals(fin_2027["statut"].isin(["prévue", "en cours"]))


def test_cotentin_has_the_five_action_sheets(cotentin: dict) -> None:
    assert cotentin["territoire"] == "departement:50"
    assert "departement:50" in cotentin["note"]
    df = actions_frame(cotentin, AUJOURDHUI)
    assert len(df) == 5
    for n in range(1, 6):
        assert df["description"].str.contains(f"Fiche action n°{n}", regex=False).sum() == 1
    assert df["pilote"].str.contains("Syndicat mixte du Cotentin").all()
    assert (df["fin"] < "2018-01-01").all()  # fictitious 2015-2017 deadlines: the report gives none
    assert df["en_retard"].sum() == 2  # the fiche « en cours » and the « prévue » one
    assert (df["levier"] == "Commande publique").sum() == 1
    ind = indicators_frame(cotentin)
    assert ind["action_code"].nunique() == 5
    assert ind["valeur"].notna().sum() >= 4 and (ind["date"].dropna() < "2018-01-01").all()  # fictitious values
    assert ind["unite"].notna().all()


# ------------------------------------------------------------------ computed states and frames


@pytest.mark.parametrize(
    ("statut", "fin", "attendu"),
    [
        ("prévue", date(2026, 11, 22), "en retard"),
        ("en cours", date(2026, 11, 22), "en retard"),
        ("en cours", date(2026, 11, 23), "en cours"),  # due today is not late yet
        ("réalisée", date(2020, 1, 1), "réalisée"),
        ("abandonnée", date(2020, 1, 1), "abandonnée"),
        ("prévue", None, "prévue"),
    ],
)
def test_etat_action(statut: str, fin: date | None, attendu: str) -> None:
    assert etat_action(statut, fin, AUJOURDHUI) == attendu


def test_actions_frame_late_with_fixed_date(valide: dict) -> None:
    df = actions_frame(valide, date(2025, 9, 1)).set_index("action_code")
    assert df["etat"].to_dict() == {
        "A.1.1": "réalisée",
        "A.1.2": "en retard",
        "A.1.3": "prévue",
        "A.2.1": "abandonnée",
        "B.1.1": "prévue",
        "B.1.2": "en cours",
    }
    assert df.loc["A.1.1", "partenaires"] == "CRESS; Communes"
    assert df.loc["A.1.1", "budget_eur"] == 12000.0
    assert df.loc["B.1.1", "levier"] == "Commande publique", "lever matched case-insensitively"
    plus_tard = actions_frame(valide, date(2026, 1, 1)).set_index("action_code")
    assert plus_tard.loc["B.1.1", "etat"] == "en retard"


def test_progress_by_axis_counts(valide: dict) -> None:
    prog = progress_by_axis(actions_frame(valide, date(2026, 1, 1))).set_index("axe")
    assert list(prog.columns) == ["axe_titre", *ETATS, "total", "taux_realisation"]
    assert prog.loc["A", ["réalisée", "en cours", "prévue", "en retard", "abandonnée", "total"]].tolist() == [
        1,
        0,
        1,
        1,
        1,
        4,
    ]
    assert prog.loc["B", ["réalisée", "en cours", "prévue", "en retard", "abandonnée", "total"]].tolist() == [
        0,
        1,
        0,
        1,
        0,
        2,
    ]
    assert prog.loc["A", "taux_realisation"] == pytest.approx(1 / 3)  # abandoned action left out
    assert prog.loc["B", "taux_realisation"] == 0
    assert progress_by_axis(actions_frame({"axes": []}, AUJOURDHUI)).empty


def test_progress_rate_is_nan_when_everything_abandoned() -> None:
    doc = {
        "axes": [
            {
                "code": "X",
                "titre": "X",
                "axes_operationnels": [
                    {"code": "X.1", "titre": "x", "actions": [{"code": "X.1.1", "statut": "abandonnée"}]}
                ],
            }
        ]
    }
    assert math.isnan(progress_by_axis(actions_frame(doc, AUJOURDHUI))["taux_realisation"].iloc[0])


def test_indicators_frame(valide: dict) -> None:
    ind = indicators_frame(valide)
    i1 = ind[ind["indicateur_code"] == "I1"]
    assert i1["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-30", "2024-12-31"]
    assert i1["valeur"].tolist() == [2.0, 4.0]
    assert i1["cible"].tolist() == [10.0, 10.0]
    i2 = ind[ind["indicateur_code"] == "I2"]
    assert len(i2) == 1 and i2["date"].isna().all() and i2["valeur"].isna().all()
    assert indicators_frame({"axes": []}).empty


def test_timeline_frame(valide: dict) -> None:
    tl = timeline_frame(actions_frame(valide, AUJOURDHUI))
    assert tl["action_code"].tolist() == ["A.1.1", "A.1.2", "A.2.1", "B.1.1", "B.1.2"]
    assert (tl["fin"] >= tl["debut"]).all()
    assert tl.loc[0, "libelle"] == "A.1.1 – Action réalisée"
    assert timeline_frame(actions_frame({"axes": []}, AUJOURDHUI)).empty


# ------------------------------------------------------------------ import: CSV and errors


def test_csv_import_builds_the_nested_document() -> None:
    doc = read_roadmap(FIX / "valide.csv")
    assert doc["id"] == "test-csv"
    assert doc["territoire"] == "departement:50"
    assert doc["exemple"] is False
    assert [a["code"] for a in doc["axes"]] == ["A", "B"]
    df = actions_frame(doc, AUJOURDHUI).set_index("action_code")
    assert list(df.index) == ["A.1.1", "A.2.1", "B.1.1"]
    assert df.loc["A.1.1", "budget_eur"] == 12500.5
    assert df.loc["A.1.1", "partenaires"] == "CRESS; Réseaux de l'ESS"
    assert df.loc["A.1.1", "elu_referent"] == "Vice-président(e) en charge de l'ESS"
    assert df.loc["B.1.1", "budget_eur"] == 0
    ind = indicators_frame(doc)
    assert ind[ind["indicateur_code"] == "I1"]["valeur"].tolist() == [1.0, 3.0]
    assert ind[ind["indicateur_code"] == "I2"]["date"].isna().all()


def test_csv_without_roadmap_columns_gets_id_from_file_name(tmp_path: Path) -> None:
    f = tmp_path / "Ma Feuille 2026.csv"
    f.write_text(
        "axe_code;axe_titre;axe_op_code;axe_op_titre;action_code;action_titre;pilote;elu_referent;"
        "partenaires;levier;budget_eur;debut;fin;statut\n"
        "A;Axe;A.1;Op;A.1.1;Action;;;CRESS;Financement;;2026-01-01;2026-02-01;prévue\n",
        encoding="utf-8",
    )
    doc = read_roadmap(f)
    assert doc["id"] == "ma-feuille-2026"
    assert doc["source"]["document"] == "Ma Feuille 2026.csv"
    assert actions_frame(doc, AUJOURDHUI)["etat"].tolist() == ["en retard"]


def test_invalid_yaml_lists_every_error_with_file_action_and_field() -> None:
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        read_roadmap(FIX / "invalide.yaml")
    msg = str(exc.value)
    assert "invalide.yaml" in msg
    assert len(exc.value.erreurs) == 7
    for attendu in (
        "action A.1.1 : champ « statut » : « terminée » inconnu",
        "action A.1.2 : champ « levier » : « Subventions » inconnu",
        "action A.1.3 : champ « debut » : date « 2024-13-01 » invalide",
        "action A.1.4 : champ « fin »",
        "action A.1.5 : champ « budget_eur » : valeur négative",
        "action A.1.6 : champ « titre » manquant",
        "action A.1.1 : code en double",
    ):
        assert attendu in msg


def test_invalid_csv_errors() -> None:
    with pytest.raises(DonneesInvalides) as exc:
        read_roadmap(FIX / "invalide.csv")
    msg = str(exc.value)
    assert "invalide.csv" in msg
    assert "« beaucoup » n'est pas un nombre" in msg
    assert "« fait » inconnu" in msg
    assert "« 31/12/2025 » invalide" in msg
    assert "action A.1.2 : champ « titre » manquant" in msg


def test_csv_missing_and_unknown_columns(tmp_path: Path) -> None:
    f = tmp_path / "manque.csv"
    f.write_text("axe_code,action_code\nA,A.1\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="colonne\\(s\\) manquante\\(s\\).*axe_titre"):
        load_roadmap_file(f)
    g = tmp_path / "inconnue.csv"
    entete = (FIX / "invalide.csv").read_text(encoding="utf-8").splitlines()[0]
    g.write_text(entete + ",couleur\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="inconnue.*couleur"):
        load_roadmap_file(g)


def test_csv_inconsistent_repeated_action(tmp_path: Path) -> None:
    entete = (FIX / "invalide.csv").read_text(encoding="utf-8").splitlines()[0]
    f = tmp_path / "incoherent.csv"
    f.write_text(
        entete + "\nA,Axe,A.1,Op,A.1.1,Titre 1,,,,,,,,prévue\nA,Axe,A.1,Op,A.1.1,Titre 2,,,,,,,,prévue\n",
        encoding="utf-8",
    )
    with pytest.raises(DonneesInvalides, match="ligne 3 : action A.1.1 : champ « titre »"):
        load_roadmap_file(f)


def test_encoding_size_syntax_and_extension(tmp_path: Path) -> None:
    with pytest.raises(DonneesInvalides, match="latin1.csv.*UTF-8"):
        load_roadmap_file(FIX / "latin1.csv")
    with pytest.raises(DonneesInvalides, match="syntaxe.yaml.*ligne 5"):
        load_roadmap_file(FIX / "syntaxe.yaml")
    gros = tmp_path / "gros.yaml"
    with gros.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024 + 1)
    with pytest.raises(DonneesInvalides, match="gros.yaml.*au-delà de la limite de 5 Mo"):
        load_roadmap_file(gros)
    xlsx = tmp_path / "feuille.xlsx"
    xlsx.write_bytes(b"PK")
    with pytest.raises(DonneesInvalides, match="extension"):
        load_roadmap_file(xlsx)
    with pytest.raises(DonneesInvalides, match="introuvable"):
        load_roadmap_file(tmp_path / "absent.yaml")
    liste = tmp_path / "liste.yaml"
    liste.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="liste.yaml"):
        load_roadmap_file(liste)


def test_validate_rejects_unknown_fields_and_bad_ids(valide: dict) -> None:
    doc = dict(valide)
    doc["id"] = "Pas Un Id"
    doc["axes"][0]["axes_operationnels"][0]["actions"][0]["statu"] = "réalisée"
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        validate_roadmap(doc, "doc.yaml")
    msg = str(exc.value)
    assert "champ « id »" in msg
    assert "action A.1.1 : champ(s) inconnu(s) statu" in msg


def test_validate_is_idempotent_and_json_ready(valide: dict) -> None:
    import json

    again = validate_roadmap(json.loads(json.dumps(valide)), "x")
    assert again == valide
    assert validate_roadmap(valide, "x") is not valide  # a copy, the caller's dict is untouched


def test_readme_csv_example_is_valid(tmp_path: Path) -> None:
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    bloc = re.search(r"```csv\n(.*?)```", readme, re.S)
    assert bloc is not None
    f = tmp_path / "exemple.csv"
    f.write_text(bloc.group(1), encoding="utf-8")
    doc = read_roadmap(f)
    assert doc["id"] == "ma-feuille-2026"
    ind = indicators_frame(doc)
    assert ind["indicateur_code"].tolist() == ["A.1.1-I1", "A.1.1-I2"]
    for levier in LEVIERS:
        assert f"`{levier}`" in readme


# ------------------------------------------------------------------ hostile values (audit, issue 17)


def _avec(valide: dict, **action: object) -> dict:
    doc = copy.deepcopy(valide)
    doc["axes"][0]["axes_operationnels"][0]["actions"][0].update(action)
    return doc


@pytest.mark.parametrize(
    ("budget", "attendu"),
    [
        (1e12, None),
        (1e12 + 1, "hors limites"),
        (1e308, "hors limites"),
        (10**400, "hors limites"),  # beyond a float: OverflowError used to escape
        ("1e13", "hors limites"),
        (math.inf, "nombre fini"),
        ("nan", "nombre fini"),
        ("-inf", "nombre fini"),
        ([1, 2], "n'est pas un nombre"),
    ],
)
def test_numbers_are_bounded_and_finite(valide: dict, budget: object, attendu: str | None) -> None:
    doc = _avec(valide, budget_eur=budget)
    if attendu is None:
        assert find_action(validate_roadmap(doc, "doc.yaml"), "A.1.1")["budget_eur"] == 10**12
        return
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        validate_roadmap(doc, "doc.yaml")
    assert len(exc.value.erreurs) == 1
    assert "action A.1.1 : champ « budget_eur »" in exc.value.erreurs[0] and attendu in exc.value.erreurs[0]
    assert len(exc.value.erreurs[0]) < 300


def test_indicator_values_are_bounded_too(valide: dict) -> None:
    doc = copy.deepcopy(valide)
    ind = find_action(doc, "A.1.1")["indicateurs"][0]
    ind["valeurs"].append({"date": "2025-06-30", "valeur": -1e13})
    ind["valeur_initiale"] = "1e999"
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        validate_roadmap(doc, "doc.yaml")
    msg = str(exc.value)
    assert "indicateur I1, valeur n°3 : champ « valeur » : « -10000000000000.0 » hors limites" in msg
    assert "indicateur I1 : champ « valeur_initiale » : « 1e999 » n'est pas un nombre fini" in msg


def test_huge_values_are_quoted_short(valide: dict) -> None:
    """F1: every quoted value goes through ``apercu``: a megabyte or a nested list never fills the message."""
    imbrique: list = ["lol"] * 9
    for _ in range(8):
        imbrique = [imbrique] * 9  # shared references: 9**9 strings if anything expanded it
    doc = _avec(valide, statut="x" * 1_000_000, debut=imbrique, budget_eur=imbrique, levier="\x1b[31m" + "y" * 5000)
    doc["territoire"] = "epci:" + "1" * 100_000
    doc["axes"][0]["code"] = "A" * 4000
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        validate_roadmap(doc, "doc.yaml")
    msg = str(exc.value)
    assert len(msg) < 3000 and "\x1b" not in msg
    assert "champ « debut » : date « [[[" in msg and "champ « budget_eur »" in msg


def test_error_list_is_capped_but_kept_whole(valide: dict) -> None:
    doc = copy.deepcopy(valide)
    op = doc["axes"][0]["axes_operationnels"][0]
    op["actions"] = [{"code": f"Z.{i}", "titre": "t", "statut": "fait"} for i in range(500)]
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        validate_roadmap(doc, "doc.yaml")
    assert len(exc.value.erreurs) == 500
    assert str(exc.value).count("\n- ") == ERREURS_AFFICHEES and "… et 450 autre(s) erreur(s)" in str(exc.value)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.niortagglo.fr/deliberation.pdf", True),
        ("HTTP://exemple.fr/a?b=c#d", True),
        ("javascript:alert(1)", False),
        ("JavaScript://exemple.fr/%0Aalert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("ftp://exemple.fr/f.pdf", False),
        ("//exemple.fr/sans-schema", False),
        ("https://", False),
        ("http://[", False),
        ("https://exemple.fr/a b", False),
        ("https://exemple.fr/\u202egnp.exe", False),
    ],
)
def test_source_url_must_be_http(valide: dict, url: str, ok: bool) -> None:
    doc = copy.deepcopy(valide)
    doc["source"]["url"] = url
    if ok:
        assert validate_roadmap(doc, "doc.yaml")["source"]["url"] == url
        return
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        validate_roadmap(doc, "doc.yaml")
    assert exc.value.erreurs[0].startswith("feuille de route, source : champ « url »")
    message = exc.value.erreurs[0]
    assert ("http:// ou https://" in message or "U+202E" in message) and "\u202e" not in message


def test_territory_form_is_checked_and_made_canonical(valide: dict) -> None:
    assert validate_roadmap({**valide, "territoire": " EPCI:200041317 "}, "x")["territoire"] == "epci:200041317"
    assert validate_roadmap({**valide, "territoire": "france"}, "x")["territoire"] == "france:FR"
    for mauvais, attendu in (
        ("ville:12", "Type de territoire inconnu"),
        ("epci:12", "Code epci mal formé : « 12 » ; forme"),
    ):
        with pytest.raises(FeuilleDeRouteInvalide, match=f"champ « territoire » : {attendu}"):
            validate_roadmap({**valide, "territoire": mauvais}, "x")


def test_verifier_territoire_uses_the_given_lookup(valide: dict) -> None:
    from esscore.errors import EssError, TerritoireInconnu

    def inconnu(ident: str) -> None:
        raise TerritoireInconnu(f"Territoire inconnu : {ident}.")

    verifier_territoire({**valide, "territoire": None}, "x.yaml", inconnu)  # nothing to check
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        verifier_territoire(valide, "x.yaml", inconnu)
    assert exc.value.erreurs == ["feuille de route : champ « territoire » : Territoire inconnu : epci:200041317."]

    def sans_base(ident: str) -> None:
        raise EssError("Base de données introuvable")

    with pytest.raises(EssError, match="Base de données introuvable"):  # not blamed on the file
        verifier_territoire(valide, "x.yaml", sans_base)


def test_duplicate_yaml_key_is_named(tmp_path: Path) -> None:
    f = tmp_path / "double.yaml"
    f.write_text((FIX / "valide.yaml").read_text("utf-8").replace("exemple: true\n", "exemple: true\ntitre: Autre\n"))
    with pytest.raises(DonneesInvalides, match="« double.yaml » \\(ligne 14, colonne 1\\) : la clé « titre » apparaît"):
        load_roadmap_file(f)


def test_duplicate_csv_column_is_named(tmp_path: Path) -> None:
    texte = (FIX / "valide.csv").read_text("utf-8").splitlines()
    f = tmp_path / "double.csv"
    f.write_text("\n".join([texte[0] + ", Pilote ", *(li + ",x" for li in texte[1:])]) + "\n", "utf-8")
    with pytest.raises(DonneesInvalides, match="« double.csv » : colonne\\(s\\) en double .*« pilote »"):
        load_roadmap_file(f)


def test_csv_cell_beyond_the_csv_module_limit_is_a_french_error(tmp_path: Path) -> None:
    texte = (FIX / "valide.csv").read_text("utf-8")
    f = tmp_path / "cellule.csv"
    f.write_text(texte.replace("Cycle de formation", '"' + "z" * 200_000 + '"', 1), "utf-8")
    with pytest.raises(DonneesInvalides, match="cellule.csv.*CSV mal formé ligne 2") as exc:
        load_roadmap_file(f)
    assert len(str(exc.value)) < 400


def test_csv_errors_quote_values_short(tmp_path: Path) -> None:
    entete = (FIX / "invalide.csv").read_text(encoding="utf-8").splitlines()[0]
    f = tmp_path / "long.csv"
    long = "\x1b[2J" + "T" * 50_000
    f.write_text(entete + f"\nA,Axe,A.1,Op,A.1.1,{long},,,,,,,,prévue\nA,Axe,A.1,Op,A.1.1,Autre,,,,,,,,prévue\n")
    with pytest.raises(FeuilleDeRouteInvalide) as exc:
        load_roadmap_file(f)
    assert len(str(exc.value)) < 500 and "\x1b" not in str(exc.value)
    assert "ligne 3 : action A.1.1 : champ « titre » différent" in str(exc.value)


# ------------------------------------------------------------------ template, indicators bound to a figure


def test_template_has_the_seeds_standard_axes_and_no_action(niort: dict) -> None:
    modele = read_roadmap(SEEDS / MODELE)
    assert "modele.yaml" not in [p.name for p in default_roadmap_files()]  # never seeded as a roadmap
    axes = [(a["code"], a["titre"], [(o["code"], o["titre"]) for o in a["axes_operationnels"]]) for a in modele["axes"]]
    assert axes == [(a["code"], a["titre"], [(o["code"], o["titre"]) for o in a["axes_operationnels"]])
                    for a in niort["axes"]]  # fmt: skip
    assert not any(True for _ in iter_actions(modele))
    assert not modele["exemple"] and not modele["suivi_fictif"]


def test_roadmap_from_the_template_for_a_territory() -> None:
    doc = feuille_depuis_modele(read_roadmap(SEEDS / MODELE), "departement:2A", "Corse-du-Sud")
    assert (doc["id"], doc["territoire"], doc["titre"]) == (
        "ess-departement-2a",
        "departement:2A",
        "Feuille de route ESS — Corse-du-Sud",
    )
    assert doc["source"] is None and "modèle" in doc["note"] and not any(True for _ in iter_actions(doc))
    assert identifiant_territoire("epci:200041317") == "ess-epci-200041317"
    assert identifiant_territoire("france:FR") == "ess-france-fr"
    with pytest.raises(FeuilleDeRouteInvalide, match="champ « axes » manquant"):
        feuille_depuis_modele({"id": "x", "titre": "x"}, "departement:2A", "Corse-du-Sud")


def test_template_prefilled_for_a_territory_downloads_as_a_file_that_imports_back(tmp_path: Path) -> None:
    doc = feuille_depuis_modele(read_roadmap(SEEDS / MODELE), "commune:50129", "Cherbourg-en-Cotentin")
    fichier = tmp_path / "ess-commune-50129.yaml"
    fichier.write_text(en_yaml(doc), "utf-8")
    assert read_roadmap(fichier) == doc


def test_indicator_bound_to_a_figure_is_validated(valide: dict) -> None:
    doc = copy.deepcopy(valide)
    ind = doc["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][0]
    ind["donnee"] = "salaries_estimes"
    assert find_action(validate_roadmap(doc, "f.yaml"), "A.1.1")["indicateurs"][0]["donnee"] == "salaries_estimes"
    ind["donnee"] = "emplois"
    attendu = "champ « donnee » : « emplois » inconnue ; valeurs possibles : etablissements, etablissements_employeurs"
    with pytest.raises(FeuilleDeRouteInvalide, match=attendu):
        validate_roadmap(doc, "f.yaml")
    del ind["donnee"]
    ind["lecture"] = {"millesime": "x", "date": "2025-11-30", "demonstration": False, "motif": None}
    with pytest.raises(FeuilleDeRouteInvalide, match="champ « lecture » sans « donnee »"):
        validate_roadmap(doc, "f.yaml")
    ind["donnee"], ind["lecture"]["demonstration"] = "part_emploi_prive", "oui"
    with pytest.raises(FeuilleDeRouteInvalide, match="lecture : champ « demonstration » doit valoir true ou false"):
        validate_roadmap(doc, "f.yaml")
    assert "donnee" not in find_action(valide, "A.1.1")["indicateurs"][0]  # unbound: the document is unchanged


def test_csv_column_binds_an_indicator(tmp_path: Path) -> None:
    lignes = (FIX / "valide.csv").read_text("utf-8").splitlines()
    f = tmp_path / "lie.csv"
    lignes = [lignes[0] + ",indicateur_donnee", *(li + ",employeurs_pour_1000_hab" for li in lignes[1:3])]
    f.write_text("\n".join(lignes) + "\n", "utf-8")
    ind = indicators_frame(read_roadmap(f))
    assert set(ind.loc[ind["indicateur_code"] == "I1", "donnee"]) == {"employeurs_pour_1000_hab"}


def test_copil_roadmap_slides_say_the_follow_up_is_fictitious(niort: dict, valide: dict) -> None:
    """The deck says « avancement fictif » on each roadmap slide of an example whose follow-up is invented."""
    from types import SimpleNamespace

    from esscore import copil
    from esscore.copil import diapos

    for doc, fictif in ((niort, True), (valide, False)):
        actions = actions_frame(doc, AUJOURDHUI)
        d = SimpleNamespace(feuille=doc, actions=actions, avancement=progress_by_axis(actions),
                            indicateurs_suivi=indicators_frame(doc), today=AUJOURDHUI)  # fmt: skip
        for dessiner in (diapos._diapo_avancement, diapos._diapo_retards, diapos._diapo_indicateurs):
            deck = copil.Deck(False, "pied de page")
            dessiner(deck, d)
            assert ("avancement fictif" in copil.resume_texte(deck.terminer())) is fictif, dessiner.__name__
