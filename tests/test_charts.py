"""Chart builders: pure DataFrame → Vega-Lite specification (dict); PNG rendered offline; Altair on demand."""

from __future__ import annotations

import pandas as pd
import pytest

from esscore import charts, ess


def _familles(secret_last: bool = True) -> pd.DataFrame:
    return pd.DataFrame({
        "famille": list(ess.FAMILLES),
        "etablissements": [860, 100, 24, 9, 5, 1],
        "etablissements_employeurs": [423, 86, 23, 7, 4, 1],
        "salaries_estimes": [6259.5, 716.5, 346.0, 178.0, 40.0, "s" if secret_last else 3.0],
    })  # fmt: skip


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [])


def _data(spec: dict, chart_spec: dict) -> list[dict]:
    """Rows of a (sub)chart, whether its data sits on the chart itself or on its first layer."""
    holder = chart_spec if "data" in chart_spec else chart_spec["layer"][0]
    return holder["data"]["values"]


def contraste(couleur: str, fond: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio of two « #RRGGBB » colours."""

    def luminance(hexa: str) -> float:
        canaux = [int(hexa.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in canaux]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hauts, bas = sorted((luminance(couleur), luminance(fond)), reverse=True)
    return (hauts + 0.05) / (bas + 0.05)


def test_palette_contrast_passes_wcag_aa_for_graphics() -> None:
    """Bars, points and reference lines are read against white: 3:1 at least (WCAG 2.1 AA 1.4.11, RGAA 3.3);
    chart text 4.5:1. Only the grey context points of the scatter (« autre ») stay light, on purpose."""
    assert contraste("#E07B28") < 3 and contraste("#C9A227") < 3  # the former orange and gold: what this guards
    graphiques = [*charts.FAMILLE_COLORS.values(), *charts.RULE_COLORS.values(), charts.UNI_COLOR,
                  charts.SHARE_COLOR, charts.PEER_POINT,
                  *(c for role, c in charts.ROLE_COLORS.items() if role != "autre")]  # fmt: skip
    faibles = {c: round(contraste(c), 2) for c in graphiques if contraste(c) < 3}
    assert not faibles, faibles
    assert contraste(charts.TEXT_COLOR) >= 4.5


def test_every_family_has_a_colour() -> None:
    assert set(charts.FAMILLE_COLORS) == set(ess.FAMILLES)
    assert len(set(charts.FAMILLE_COLORS.values())) == len(ess.FAMILLES)


def test_family_bars_use_the_family_colours_and_show_secret_as_s() -> None:
    chart = charts.barres_familles(_familles(), "salaries_estimes", sous_titre="CA du Niortais")
    spec = chart
    bars = _layers(spec)[0]
    assert bars["encoding"]["color"]["scale"]["domain"] == list(charts.FAMILLE_COLORS)
    assert bars["encoding"]["color"]["scale"]["range"] == list(charts.FAMILLE_COLORS.values())
    rows = {r["categorie"]: r for r in _data(spec, spec)}
    assert rows["Sociétés commerciales de l'ESS"]["etiquette"] == "s"
    assert rows["Sociétés commerciales de l'ESS"]["valeur_barre"] == 0
    assert rows["Associations"]["etiquette"] == "6\u202f260"  # French thousands, rounded
    assert spec["title"]["text"] == "Salariés estimés de l'ESS"
    assert spec["title"]["subtitle"] == "CA du Niortais"


def test_finalize_sets_the_french_locale_and_fits_the_width() -> None:
    spec = charts.finalize(charts.barres_familles(_familles()))
    number = spec["config"]["locale"]["number"]
    assert number["decimal"] == "," and number["thousands"] == "\u202f" and number["grouping"] == [3]
    assert spec["config"]["locale"]["time"]["months"][0] == "janvier"
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}


def test_percent_axis_reads_the_french_way() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "nom": ["A", "B"], "part_emploi_prive": [0.2, 0.1]})
    spec = charts.barres_comparaison(frame, "part_emploi_prive", "a")
    axis = _layers(spec)[0]["encoding"]["x"]["axis"]
    assert "' %'" in axis["labelExpr"].replace("\\u202f", " ").replace("\u202f", " ")


def test_sector_chart_sorts_and_shows_the_ess_share() -> None:
    frame = pd.DataFrame({
        "secteur": ["Commerce", "Action sociale", "Non classés"],
        "etablissements": [5, 20, 2], "etablissements_employeurs": [3, 15, 1],
        "salaries_estimes": [40.0, 400.0, "s"], "part_ess_secteur": [0.03, 0.48, None],
    })  # fmt: skip
    spec = charts.barres_secteurs(frame)
    left, right = spec["hconcat"]
    order = left["encoding"]["y"]["sort"]
    assert order[0] == "Action sociale"
    rows = {r["categorie"]: r for r in _data(spec, spec)}  # data shared by both panels
    assert rows["Action sociale"]["part_etiquette"] == "48,0\u202f%"  # « % » never alone on a line
    assert spec["description"].startswith("Graphique : Salariés estimés de l'ESS par secteur. Action sociale : 400")
    assert rows["Non classés"]["part_etiquette"] == "–"


def test_size_bands_keep_their_natural_order() -> None:
    frame = pd.DataFrame({
        "taille": ["250 salariés et plus", None, "1 à 9 salariés"], "etablissements": [1, 4, 9],
        "etablissements_employeurs": [1, 0, 9], "salaries_estimes": ["s", 0.0, 30.0],
    })  # fmt: skip
    spec = charts.barres_tailles(frame)
    assert spec["encoding"]["y"]["sort"] == ["1 à 9 salariés", "250 salariés et plus", "Non renseigné"]


def test_family_ratios_against_region_and_france() -> None:
    rows = []
    for nom, role, k in (("CA du Niortais", "territoire", 1.0), ("Nouvelle-Aquitaine", "region", 0.8),
                         ("France", "france", 0.7)):  # fmt: skip
        rows += [{"famille": f, "nom": nom, "role": role, "employeurs_pour_1000_hab": k * (i + 1)}
                 for i, f in enumerate(ess.FAMILLES)]  # fmt: skip
    spec = charts.ratios_familles(pd.DataFrame(rows))
    color = _layers(spec)[0]["encoding"]["color"]
    assert color["scale"]["domain"] == ["CA du Niortais", "Région · Nouvelle-Aquitaine", "France"]
    assert color["scale"]["range"][0] == charts.ROLE_COLORS["territoire"]


def test_comparison_bars_highlight_the_territory_and_draw_references() -> None:
    frame = pd.DataFrame({"id": ["epci:1", "epci:2", "epci:3"], "nom": ["A", "B", "C"],
                          "employeurs_pour_1000_hab": [4.5, 5.1, "s"]})  # fmt: skip
    refs = pd.DataFrame({"nom": ["Nouvelle-Aquitaine", "France"], "role": ["region", "france"],
                         "employeurs_pour_1000_hab": [3.1, 2.9]})  # fmt: skip
    spec = charts.barres_comparaison(frame, "employeurs_pour_1000_hab", "epci:1", refs)
    bars, rule, halo, text = _layers(spec)  # labels last, over a white outline: a rule never crosses a value
    assert halo["mark"]["stroke"] == "white" and halo["mark"]["strokeWidth"] >= 4
    assert halo["encoding"] == text["encoding"] and text["mark"]["color"] == charts.TEXT_COLOR
    assert rule["mark"]["type"] == "rule" and text["mark"]["type"] == "text"
    assert spec["description"] == (  # for screen readers: one line, every value (Vega's aria-label)
        "Graphique : Établissements employeurs pour 1 000 habitants. B : 5,1 ; A : 4,5 ; C : s ; "
        "Région · Nouvelle-Aquitaine : 3,1 ; France : 2,9."
    )
    data = {r["nom"]: r for r in _data(spec, spec)}
    assert data["A"]["role"] == "territoire" and data["B"]["role"] == "pair"
    assert data["C"]["etiquette"] == "s"
    assert bars["encoding"]["y"]["sort"] == charts.tri_selon("rang")  # never a list of names: see tri_selon
    assert [r["nom"] for r in sorted(_data(spec, spec), key=lambda r: r["rang"])] == ["B", "A", "C"]
    assert rule["encoding"]["color"]["scale"]["domain"] == ["Région · Nouvelle-Aquitaine : 3,1", "France : 2,9"]


def test_scatter_highlights_the_selection_and_labels_only_the_territory() -> None:
    frame = pd.DataFrame({
        "id": ["epci:1", "epci:2", "epci:3", "epci:4"], "nom": ["A", "B", "C", "D"],
        "population": [1000, 20000, 300000, 0], "salaries_pour_1000_hab": [10.0, 20.0, "s", 5.0],
    })  # fmt: skip
    spec = charts.nuage_population(frame, "salaries_pour_1000_hab", ["epci:2"], "epci:1")
    others, points, labels = _layers(spec)
    assert [r["nom"] for r in points["data"]["values"]] == ["A", "B"]
    assert [r["nom"] for r in labels["data"]["values"]] == ["A"]
    assert points["encoding"]["x"]["scale"]["type"] == "log"
    # secret and zero-population territories are left out of the log scale
    assert others["data"]["values"] == []


@pytest.mark.parametrize("source", [None, "INSEE, base Sirene (stock au 2025-11-30)"])
def test_chart_png_renders_offline(source: str | None) -> None:
    png = charts.chart_png(charts.barres_familles(_familles()), source, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 2000


def test_builders_return_json_ready_specs_that_altair_accepts() -> None:
    import json

    import altair as alt

    spec = charts.barres_secteurs(pd.DataFrame({
        "secteur": ["Commerce"], "etablissements": [1], "etablissements_employeurs": [1],
        "salaries_estimes": [float("nan")], "part_ess_secteur": [float("nan")],
    }))  # fmt: skip
    text = charts.to_json(spec)
    assert "NaN" not in text and json.loads(text)["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert isinstance(charts.as_altair(spec), alt.HConcatChart)
    assert isinstance(charts.as_altair(charts.barres_familles(_familles())), alt.LayerChart)


def test_empty_or_all_secret_data_gives_valid_json() -> None:
    empty = pd.DataFrame(columns=["famille", "etablissements", "etablissements_employeurs", "salaries_estimes"])
    spec = charts.barres_familles(empty, "salaries_estimes")
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 1.0]
    charts.to_json(spec)  # raises on NaN
    secret = pd.DataFrame({"id": ["a"], "nom": ["A"], "salaries_estimes": ["s"]})
    charts.to_json(charts.barres_comparaison(secret, "salaries_estimes", "a"))


def test_scatter_accepts_precomputed_labels() -> None:
    frame = pd.DataFrame({"id": ["epci:1", "epci:2"], "nom": ["A", "B"], "population": [1000, 20000],
                          "departement": ["79", "79"], "part_emploi_prive": [0.1, 0.2]})  # fmt: skip
    labelled = charts.etiquettes_nuage(frame, "part_emploi_prive")
    assert list(labelled["etiquette"]) == ["10,0\u202f%", "20,0\u202f%"]
    assert list(labelled["population_etiquette"]) == ["1\u202f000", "20\u202f000"]
    spec = charts.nuage_population(labelled, "part_emploi_prive", [], "epci:1")
    assert spec == charts.nuage_population(frame, "part_emploi_prive", [], "epci:1")


NOMS_PIEGES = ["ligne\ncoupée", "barre\\oblique", "sé\u2028parateur", "para\u2029graphe", 'gu"illemet', "$x^2$ [a](b)"]


def test_chart_text_is_one_line_without_what_xml_forbids() -> None:
    """vl-convert (PNG exports, COPIL deck) aborts the whole process on a NUL: never let one into a chart."""
    assert charts.texte_graphique("a\x00b\x1f\ufffe c\u2028d\n\te\u202e") == "a b c d e"
    assert charts.texte_graphique(None) == "" and charts.texte_graphique(float("nan")) == ""
    assert charts.texte_graphique("Saint-Étienne-du-Rouvray") == "Saint-Étienne-du-Rouvray"


def test_names_never_break_a_chart() -> None:
    """Names with a line break, a backslash or U+2028 once failed the whole chart (« Expression parse error »):
    the bars' order travels as data (``rang``), never as a list of names copied into a Vega expression."""
    import vl_convert

    frame = pd.DataFrame({"id": [f"epci:{i}" for i in range(len(NOMS_PIEGES))], "nom": NOMS_PIEGES,
                          "employeurs_pour_1000_hab": [float(i + 1) for i in range(len(NOMS_PIEGES))]})  # fmt: skip
    refs = pd.DataFrame({"nom": ["Ré\u2028gion", "Fr\nance"], "role": ["region", "france"],
                         "employeurs_pour_1000_hab": [3.1, 2.9]})  # fmt: skip
    rows = [{"famille": f, "nom": nom, "role": role, "employeurs_pour_1000_hab": 1.0}
            for nom, role in (("ter\u2028ritoire", "territoire"), ("ré\ngion", "region"), ("France", "france"))
            for f in ess.FAMILLES]  # fmt: skip
    specs = [
        charts.barres_comparaison(frame, "employeurs_pour_1000_hab", "epci:0", refs, sous_titre="sous\u2028titre"),
        charts.ratios_familles(pd.DataFrame(rows), sous_titre="a\nb"),
    ]
    for spec in specs:
        texte = charts.to_json(spec)
        assert "\\u2028" not in texte and "\u2028" not in texte and "\\n" not in texte
        assert "<svg" in vl_convert.vegalite_to_svg(texte)
