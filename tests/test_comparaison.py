"""Peers (population and rurality), ranks, sub-units of the panorama, national maps (payload size)."""

from __future__ import annotations

import json

import pytest

from esscore import comparaison, ess, geography, maps
from esscore.db import query

NIORT = "epci:200041317"


def test_peers_share_level_and_legal_type_and_stay_close(con) -> None:
    terr = geography.get(con, NIORT)
    peers = comparaison.pairs_suggeres(con, terr)
    assert len(peers) == comparaison.MAX_PAIRS
    assert terr.id not in set(peers["id"])
    types = query(con, "territoires_par_ids", ids=list(peers["id"]))["type"]
    assert set(types) == {"epci"}
    kinds = con.execute("SELECT DISTINCT epci_type FROM territoires WHERE list_contains($ids, id)",
                        {"ids": list(peers["id"])}).fetchall()  # fmt: skip
    assert kinds == [("CA",)]
    assert peers["score"].is_monotonic_increasing or peers["meme_region"].iloc[0]
    assert peers["part_pop_petites_communes"].between(0, 1).all()


def test_overseas_departement_gets_overseas_peers_first(con) -> None:
    peers = comparaison.pairs_suggeres(con, geography.get(con, "departement:974"))
    assert set(peers["code"].iloc[:4]) == {"971", "972", "973", "976"}


def test_tiny_commune_gets_tiny_peers_and_france_none(con) -> None:
    peers = comparaison.pairs_suggeres(con, geography.get(con, "commune:79139"))
    assert len(peers) == 8 and peers["population"].max() < 200
    assert comparaison.pairs_suggeres(con, geography.get(con, "france")).empty


def test_parse_pairs_keeps_valid_ids_and_explains_the_rest(con) -> None:
    terr = geography.get(con, NIORT)
    raw = f"{NIORT}, epci:243500139,,epci:243500139,epci:999999999,commune:79191,n'importe quoi"
    valides, erreurs = comparaison.parse_pairs(con, terr, raw)
    assert valides == ["epci:243500139"]
    assert len(erreurs) == 3
    assert any("même niveau" in e for e in erreurs) and any("inconnu" in e for e in erreurs)
    many = ",".join(comparaison.pairs_suggeres(con, terr, n=10)["id"])
    valides, erreurs = comparaison.parse_pairs(con, terr, many)
    assert len(valides) == comparaison.MAX_PAIRS and "Au plus 8" in erreurs[-1]


def test_table_ranks_peers_and_keeps_references_unranked(con) -> None:
    terr = geography.get(con, NIORT)
    peers = list(comparaison.pairs_suggeres(con, terr)["id"])
    table = comparaison.tableau(con, terr, peers)
    assert list(table["role"]) == ["territoire"] + ["pair"] * 8 + ["region", "france"]
    assert table.loc[table["role"] == "france", "rang_etablissements"].isna().all()
    ranked = table[table["role"].isin(["territoire", "pair"])]
    rank = comparaison.rang(ranked, terr.id, "etablissements")
    assert rank is not None and rank[1] <= 9
    shown = comparaison.tableau_affiche(table)
    assert shown.iloc[0]["Territoire"] == "CA du Niortais"
    assert shown.iloc[-1]["Territoire"] == "France (référence)"
    assert "Population en communes < 2 000 hab." in shown.columns


def test_rank_ignores_secret_figures() -> None:
    import pandas as pd

    frame = pd.DataFrame({"id": ["a", "b", "c"], "x": [3.0, "s", 5.0]})
    assert comparaison.rang(frame, "a", "x") == comparaison.Rang(2, 2, ex_aequo=False, ensemble=3)
    assert comparaison.rang(frame, "b", "x") is None


@pytest.mark.parametrize(
    ("raw", "level", "outlined"),
    [
        ("commune:79139", "commune", ["79139"]),
        ("commune:75056", "commune", ["75056"]),
        ("commune:85113", "commune", ["85113"]),  # no EPCI: the commune alone
        (NIORT, "commune", []),
        ("departement:974", "commune", []),
        ("region:75", "epci", []),
        ("france", "departement", []),
    ],
)
def test_units_of_every_level(con, raw: str, level: str, outlined: list[str]) -> None:
    terr = geography.get(con, raw)
    got_level, frame, outline = comparaison.unites(con, terr)
    assert got_level == level and outline == outlined
    assert not frame.empty
    if raw.startswith("commune"):
        assert outlined[0] in set(frame["code"])
    if raw == "commune:85113":
        assert list(frame["code"]) == ["85113"]
    if raw == "france":
        assert len(frame) == 101


def test_family_ratios_fill_every_family(con) -> None:
    frame = comparaison.ratios_familles(con, geography.get(con, "commune:79139"))
    assert len(frame) == 3 * len(ess.FAMILLES)
    assert set(frame["role"]) == {"territoire", "region", "france"}
    assert (frame["employeurs_pour_1000_hab"] >= 0).all()
    france = comparaison.ratios_familles(con, geography.get(con, "france"))
    assert set(france["role"]) == {"territoire"}


def test_map_outline_for_communes_uses_their_epci(con) -> None:
    terr = geography.get(con, "commune:79191")
    assert comparaison.niveau_carte(terr) == "epci"
    assert comparaison.codes_carte(terr, ["commune:79139"], con) == sorted({"200041317", "200069748"})
    assert comparaison.codes_carte(geography.get(con, "france"), [], con) == []


@pytest.mark.parametrize("level", ["commune", "epci", "departement", "region"])
def test_outlines_cut_out_by_duckdb_are_the_parsed_ones(con, level: str) -> None:
    """``maps.contours_json`` (rings cut out of the stored GeoJSON by DuckDB) = ``polygons_json(contours())``."""
    codes = sorted(query(con, "contours", niveau=level, codes=None, national=False)["code"])[:40]
    attendu = maps.polygons_json(maps.contours(con, level, codes)).sort_values("code", kind="stable")
    obtenu = maps.contours_json(con, level, codes)
    assert len(obtenu) >= len(codes) > 0 and list(obtenu["code"]) == list(attendu["code"])
    assert [json.loads(t) for t in obtenu["polygon_json"]] == [json.loads(t) for t in attendu["polygon_json"]]


def test_national_epci_map_payload_stays_small(con) -> None:
    values = comparaison.niveau(con, "epci").assign(t_nom=lambda f: f["nom"])
    dom = dict(query(con, "territoires_niveau_dom", niveau="epci")[["code", "dom"]].values)
    polys = maps.insets_dom(maps.contours(con, "epci", None, national=True), dom)
    records, breaks = maps.choropleth_records(maps.polygons_json(polys), values, "etablissements", ["t_nom"])
    deck = maps.choropleth_deck(records, maps.view_for_bounds(maps.NATIONAL_BOUNDS), "<b>{t_nom}</b>",
                                outline=polys[polys["code"] == "200041317"],
                                frames=maps.inset_frames(list(maps.DOM_INSETS)))  # fmt: skip
    text = deck.to_json()
    assert len(text) < 3_000_000
    spec = json.loads(text)
    layer = spec["layers"][0]
    assert layer["id"] == "choroplethe" and len(layer["data"]) >= 1255
    assert {"polygon", "couleur", "t_nom", "code"} <= set(layer["data"][0])
    assert spec["mapStyle"] == [maps.FOND_VIERGE]  # no tile server, and no Carto fallback
    # overseas EPCI are moved next to the mainland (insets)
    reunion = [r for r in layer["data"] if dom.get(r["code"]) == "974"]
    assert reunion and all(-9.5 < x < -5.5 for x, _ in reunion[0]["polygon"][0])


def test_level_wide_family_ratios_match_the_per_territory_query(con) -> None:
    from esscore import indicators

    level = query(con, "familles_pour_1000_niveau", type="departement", perimetre="statistique")
    mine = level[level["id"] == "departement:79"].sort_values("famille").reset_index(drop=True)
    alone = indicators.familles_pour_1000(con, ["departement:79"]).sort_values("famille").reset_index(drop=True)
    assert list(mine["famille"]) == list(alone["famille"])
    assert mine["employeurs_pour_1000_hab"].round(9).tolist() == alone["employeurs_pour_1000_hab"].round(9).tolist()


def test_ties_share_a_rank_written_ex_aequo() -> None:
    import pandas as pd

    from esscore.phrases import rang_ordinal

    frame = pd.DataFrame({"id": list("abcde"), "x": [9.0, 5.0, 5.0, 5.0, 1.0]})
    assert comparaison.rang(frame, "c", "x") == comparaison.Rang(2, 5, ex_aequo=True, ensemble=5)
    assert comparaison.rang(frame, "e", "x") == comparaison.Rang(5, 5, ex_aequo=False, ensemble=5)
    assert rang_ordinal(comparaison.rang(frame, "b", "x")) == "2e\u00a0ex æquo"
    assert rang_ordinal(comparaison.rang(frame, "a", "x")) == "1er"
    tied = pd.DataFrame({"id": list("abc"), "x": [0.0, 0.0, 0.0]})
    assert comparaison.rang(tied, "a", "x") is None  # « rang 1 sur 3 » for a three-way tie says nothing


def test_no_rank_for_a_tie_at_zero_nor_against_itself() -> None:
    import pandas as pd

    frame = pd.DataFrame({"id": list("abcd"), "x": [4.0, 2.0, 0.0, 0.0]})
    assert comparaison.rang(frame, "c", "x") is None  # « 3e ex æquo » among empty territories says nothing
    assert comparaison.rang(frame, "b", "x") == comparaison.Rang(2, 4, ensemble=4)
    alone = pd.DataFrame({"id": ["a", "a"], "x": [4.0, 4.0]})
    assert comparaison.rang(alone, "a", "x") is None  # itself twice: not « 1er ex æquo sur 2 »
    last = pd.DataFrame({"id": list("ab"), "x": [4.0, 0.0]})
    assert comparaison.rang(last, "b", "x") == comparaison.Rang(2, 2, ensemble=2)  # a zero alone is a true place


@pytest.mark.parametrize("terr_id", ["commune:75056", "commune:75112", "commune:69123", "commune:31555",
                                     "epci:200046977"])  # fmt: skip
def test_big_cities_and_metropoles_get_national_peers_of_their_size(con, terr_id: str) -> None:
    """Over 100 000 inhabitants, or a métropole: peers of comparable size from anywhere in France, not the
    suburbs of the same département."""
    terr = geography.get(con, terr_id)
    peers = comparaison.pairs_suggeres(con, terr)
    assert len(peers) == comparaison.MAX_PAIRS
    ratios = [max(p, terr.population) / min(p, terr.population) for p in peers["population"].astype(float)]
    regions = con.execute("SELECT DISTINCT region FROM territoires WHERE list_contains($ids, id)",
                          {"ids": list(peers["id"])}).fetchall()  # fmt: skip
    assert len(regions) >= 4  # from anywhere in France
    if terr.code == "75056":  # no commune within ×3 but Marseille: the largest cities, nearest first
        assert peers.iloc[0]["nom"] == "Marseille" and ratios[0] < 3
        assert (peers["population"].astype(float) >= 250_000).all()
    else:
        assert max(ratios) < 3, list(zip(peers["nom"], ratios, strict=True))
    if terr.type == "epci":
        kinds = con.execute("SELECT DISTINCT epci_type FROM territoires WHERE list_contains($ids, id)",
                            {"ids": list(peers["id"])}).fetchall()  # fmt: skip
        assert kinds == [("ME",)]


def test_smaller_communes_keep_regional_peers(con) -> None:
    niort = geography.get(con, "commune:79191")
    peers = comparaison.pairs_suggeres(con, niort)
    regions = con.execute("SELECT DISTINCT region FROM territoires WHERE list_contains($ids, id)",
                          {"ids": list(peers["id"])}).fetchall()  # fmt: skip
    assert regions == [("75",)]
    level = comparaison.niveau(con, "commune")
    assert "commune:13055" not in set(comparaison.points_nuage(level, niort, [])["id"])
    paris = comparaison.points_nuage(level, geography.get(con, "commune:75056"), [])
    assert {"commune:13055", "commune:69123", "commune:92012"} <= set(paris["id"])  # big cities offered as peers
    nationale = comparaison.comparaison_nationale
    assert nationale("commune", 100_000) and not nationale("commune", 99_999)
    assert nationale("epci", 10, "ME") and not nationale("epci", 1e6, "CU")


def test_a_territory_is_never_compared_with_itself(con) -> None:
    """Paris (commune) and its département are the same territory, so are an overseas département and its
    région: no « 100,0 % du total », no « au niveau de la moyenne régionale » against itself."""
    from esscore import indicators

    paris = geography.get(con, "commune:75056")
    heads = indicators.indicateurs(con, [paris.id] + [f"{p['type']}:{p['code']}" for p in paris.parents])
    refs = comparaison.references_distinctes(heads)
    assert "departement:75" in set(heads["id"]) and "departement:75" not in set(refs["id"])
    assert "region:11" in set(refs["id"])
    reunion = geography.get(con, "departement:974")
    assert [r["id"] for r in comparaison.references(reunion)] == ["france:FR"]
    assert [r["id"] for r in comparaison.references(geography.get(con, "departement:79"))] == ["region:75", "france:FR"]


def test_national_rank_counts_every_territory_of_the_level(con) -> None:
    """One count of communes: the national rank's « Parmi les N communes » is the number of communes, the
    concentration sentence's too; communes without a figure are said to be left out, not dropped from N."""
    from esscore import indicators

    level = comparaison.niveau(con, "commune")
    rank = comparaison.rang(level, "commune:79191", "etablissements")
    communes = con.execute("SELECT count(*) FROM territoires WHERE type = 'commune'").fetchone()[0]
    assert rank is not None and rank.ensemble == communes == len(level)
    france = geography.get(con, "france")
    assert indicators.concentration(indicators.communes_du_territoire(con, france))["communes"] == communes
