"""INSEE-aligned method on SIRENE-format files: perimeters, fifth family, cooperatives list, effectifs vintage,
bands and employer rule, establishments without a legal unit. The fixture rows of tests/fixtures/sirene/fabriquer.py
plus the cases below, written in the real stock format and ingested on a département-sized geography."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from esscore import ess, indicators
from esscore.build import load_geography
from esscore.errors import DonneesInvalides
from esscore.ingest.cooperatives import lire_cooperatives
from esscore.ingest.sirene import load_sirene
from esscore.labels import millesime_sirene
from esscore.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS
from tests.ecrivains import geographie_reduite
from tests.fixtures.sirene import fabriquer as F

# siren, cj, ess flag, diffusion, denomination
UL_EN_PLUS = [
    ("990000013", "9900", "", "O", "AUTRE PERSONNE MORALE OMICRON"),
    ("990000014", "8510", "", "O", "INSTITUTION DE PREVOYANCE PI"),
    ("990000015", "5710", "", "O", "SCOP SAS RHO"),
]
# siren, nic, etat, tranche, caractere employeur, commune, pays, ape, diffusion, x, y
ETAB_EN_PLUS = [
    ("990000013", "00011", "A", "11", "O", "79191", "", "88.99B", "O", "", ""),  # 5th family, 14,5
    ("990000014", "00011", "A", "03", "O", "79191", "", "65.11Z", "O", "", ""),  # 5th family, 7,5
    ("990000015", "00011", "A", "02", "O", "79191", "", "43.21A", "O", "", ""),  # unflagged SAS: 4
    ("990000001", "00086", "A", "11", "N", "79191", "", "88.10A", "O", "", ""),  # flag N, old band 11
    ("990000001", "00094", "A", "00", "", "79191", "", "88.10A", "O", "", ""),  # band 00, no flag
    ("990000001", "00102", "A", "NN", "O", "79191", "", "88.10A", "O", "", ""),  # employer, no band
    ("990000099", "00017", "A", "12", "O", "79191", "", "47.11F", "O", "", ""),  # legal unit missing
]


@pytest.fixture(scope="module")
def geo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return geographie_reduite(tmp_path_factory.mktemp("geo") / "geographie", ("79", "75"))


def _ecrire(dossier: Path) -> tuple[Path, Path]:
    ul = F.ul_rows()
    for siren, cj, flag, diff, nom in UL_EN_PLUS:
        ligne = dict(ul[0])
        ligne.update(siren=siren, categorieJuridiqueUniteLegale=cj, economieSocialeSolidaireUniteLegale=flag,
                     statutDiffusionUniteLegale=diff, denominationUniteLegale=nom)  # fmt: skip
        ul.append(ligne)
    F.ETAB.extend(ETAB_EN_PLUS)
    try:
        etab = F.etab_rows()
    finally:
        del F.ETAB[-len(ETAB_EN_PLUS) :]
    autre_annee = next(e for e in etab if e["siren"] == "990000014")
    autre_annee["anneeEffectifsEtablissement"] = "2022"  # one band of another year: the vintage is the usual one
    chemins = (dossier / "StockEtablissement_utf8.csv", dossier / "StockUniteLegale_utf8.csv")
    F.write_csv(chemins[0], ETABLISSEMENT_COLUMNS, etab)
    F.write_csv(chemins[1], UNITE_LEGALE_COLUMNS, ul)
    return chemins


def _ingerer(tmp_path: Path, geo: Path, cooperatives: Path | None = None) -> tuple[Path, dict]:
    db = tmp_path / "ess.duckdb"
    liste = lire_cooperatives(cooperatives) if cooperatives else None
    with duckdb.connect(str(db)) as con:
        load_geography(con, geo)
        rapport = load_sirene(con, *_ecrire(tmp_path), progress=lambda _m: None, cooperatives=liste)
    return db, rapport


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, geo: Path) -> tuple[Path, dict]:
    return _ingerer(tmp_path_factory.mktemp("methode"), geo)


def _etab(db: Path, siret: str) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.execute("SELECT * FROM etablissements_ess WHERE siret = ?", [siret]).df()
    return frame.iloc[0].to_dict() if len(frame) else {}


def _familles(db: Path, territoire: str, perimetre: str) -> dict[str, dict]:
    """Family breakdown of a territory, and its headline figures under « _ »."""
    with duckdb.connect(str(db), read_only=True) as con:
        familles = indicators.repartition(con, territoire, "famille", perimetre)
        tete = indicators.indicateurs(con, [territoire], perimetre).iloc[0].to_dict()
    return {f["famille"]: f for f in familles.to_dict("records")} | {"_": tete}


def test_commercial_company_only_in_the_legal_perimeter(base: tuple[Path, dict]) -> None:
    db, _ = base
    assert _etab(db, "99000000500011")["hors_statistique"]
    assert ess.SOCIETES_COMMERCIALES not in _familles(db, "commune:79191", "statistique")
    legal = _familles(db, "commune:79191", "legal")
    assert legal[ess.SOCIETES_COMMERCIALES]["etablissements"] == 1


def test_fifth_family_counts_in_the_statistical_perimeter(base: tuple[Path, dict]) -> None:
    db, _ = base
    stat = _familles(db, "commune:79191", "statistique")
    autres = stat[ess.AUTRES_NON_LUCRATIFS]
    assert autres["etablissements"] == 2 and autres["etablissements_employeurs"] == 2
    assert _etab(db, "99000001300011")["famille"] == ess.AUTRES_NON_LUCRATIFS  # CJ 9900, no flag
    assert _etab(db, "99000001400011")["famille"] == ess.AUTRES_NON_LUCRATIFS  # institution de prévoyance


def test_unflagged_sas_is_not_ess_without_the_list(base: tuple[Path, dict]) -> None:
    assert _etab(base[0], "99000001500011") == {}


def test_cooperatives_list_moves_family_and_is_reported(tmp_path: Path, geo: Path) -> None:
    liste = tmp_path / "cooperatives.csv"
    liste.write_text(
        "siren;famille;nom\n990000005;Coopératives;SAS ESS EPSILON\n990 000 015;;SCOP SAS RHO\n"
        "990000011;Coopératives;commune\n990000777;coopératives;inconnue\n",
        encoding="utf-8",
    )
    db, rapport = _ingerer(tmp_path, geo, liste)
    assert _etab(db, "99000000500011")["famille"] == "Coopératives"  # was a commercial company of the ESS
    assert not _etab(db, "99000000500011")["hors_statistique"]  # now in the statistical perimeter
    assert _etab(db, "99000001500011")["famille"] == "Coopératives"  # unflagged SAS, ESS thanks to the list
    assert _etab(db, "99000001100015") == {}  # a public body never moves
    assert rapport["cooperatives_listees"] == 4
    assert rapport["cooperatives_reclassees"] == 2
    assert rapport["cooperatives_publiques_ignorees"] == 1
    assert rapport["cooperatives_introuvables"] == 1


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        ("nom\nx\n", "colonne « siren » absente"),
        ("siren,famille\n12345,Coopératives\n", "ligne 2 : SIREN « 12345 » invalide"),
        ("siren,famille\n990000005,Coopérativs\n", "famille « Coopérativs » inconnue"),
        ("siren,famille\n990000005,Coopératives\n990000005,Mutuelles\n", "déjà listé"),
    ],
)
def test_cooperatives_list_errors_are_explained(tmp_path: Path, contenu: str, attendu: str) -> None:
    chemin = tmp_path / "liste.csv"
    chemin.write_text(contenu, encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=attendu):
        lire_cooperatives(chemin)


def test_effectifs_vintage_read_and_shown(base: tuple[Path, dict]) -> None:
    db, rapport = base
    assert rapport["annee_effectifs"] == "2023"
    assert "2022" in rapport["annees_effectifs"]
    assert _etab(db, "99000000100011")["annee_effectifs"] == 2023
    assert millesime_sirene(rapport["date_stock"], rapport["annee_effectifs"]) == (
        "effectifs 2023, stock Sirene au 30 novembre 2025"
    )


def test_bands_follow_the_employer_rule(base: tuple[Path, dict]) -> None:
    db, rapport = base
    drapeau_n = _etab(db, "99000000100086")  # flag N, band 11 of an older year
    assert (drapeau_n["employeur"], drapeau_n["tranche"], drapeau_n["salaries"]) == (False, "NN", 0)
    assert drapeau_n["taille"] == "Non employeur" and drapeau_n["tranche_source"] == "11"
    sans_drapeau = _etab(db, "99000000100094")  # band 00, no flag: not an employer, never NULL
    assert sans_drapeau["employeur"] is not None and not sans_drapeau["employeur"]
    assert sans_drapeau["taille"] == "Non employeur"
    sans_bande = _etab(db, "99000000100102")  # employer, band NN: counted, 0 salariés, said so
    assert (bool(sans_bande["employeur"]), sans_bande["tranche"], sans_bande["salaries"]) == (True, "NR", 0)
    assert sans_bande["taille"] == "Effectif non renseigné"
    zero = _etab(db, "99000000100078")  # employer with band 00
    assert zero["taille"] == "0 salarié au 31 décembre" and bool(zero["employeur"])
    assert rapport["ess_employeurs_effectif_non_renseigne"] == 1
    assert rapport["ess_non_employeurs_avec_tranche"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        libelles = {r[0] for r in con.execute("SELECT DISTINCT taille FROM etablissements_ess").fetchall()}
    assert libelles <= set(ess.ORDRE_TAILLES) and "0 salarié ou non renseigné" not in libelles


def test_establishment_without_legal_unit_is_reported_never_counted(base: tuple[Path, dict]) -> None:
    db, rapport = base
    assert rapport["employeurs_sans_unite_legale"] == 1
    assert rapport["sans_unite_legale_exemples"] == "99000009900017"
    with duckdb.connect(str(db), read_only=True) as con:
        prive = con.execute("SELECT sum(salaries) FROM emploi_prive").fetchall()[0][0]
    # fixture private employers (511 in the CAN with the syndicat, 149,5 for the Paris foundation) + the new
    # employers (14,5 + 7,5 + the unflagged SAS's 4); not the 34,5 of the one whose legal unit is missing
    assert prive == pytest.approx(511 + 149.5 + 14.5 + 7.5 + 4)


def test_shares_divide_by_the_same_activities(base: tuple[Path, dict]) -> None:
    """Read before secrecy (the légal figure of this small commune rests on 1-2 establishments and is « s »)."""
    db, _ = base
    with duckdb.connect(str(db), read_only=True) as con:
        hors, tous = con.execute(
            "SELECT sum(salaries) FILTER (WHERE NOT activite_exclue), sum(salaries) FROM emploi_prive e "
            "JOIN commune_territoires ct ON ct.commune = e.commune WHERE ct.id = 'commune:79191'"
        ).fetchall()[0]
        parts = dict(con.execute(
            "SELECT perimetre, [salaries_estimes, part_emploi_prive] FROM indicateurs WHERE id = 'commune:79191'"
        ).fetchall())  # fmt: skip
    assert hors < tous  # the syndicat (94.20Z) is a private employer of an excluded activity
    assert parts["statistique"][1] == pytest.approx(parts["statistique"][0] / hors)
    assert parts["legal"][1] == pytest.approx(parts["legal"][0] / tous)
