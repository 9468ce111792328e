"""The COPIL deck: slides, titles, native charts, speaker notes, font sizes, text that fits (font metrics),
« + N autres », ranks, demo mention, fiches, chosen peers, CLI, preview and PDF made of text.

Each deck built here is also written to ``tests/artifacts/copil/<name>/`` (git-ignored) as one PNG per
slide (laid out by ``esscore.copil.rendu``, drawn with Pillow), the map PNG, the PDF and a text summary
(with the charts' data and the notes), for review.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import time
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches
from pypdf import PdfReader

from esscore import comparaison, copil, roadmap
from esscore.benchmark import load_catalogue
from esscore.charts import FAMILLE_COLORS
from esscore.cli import main
from esscore.copil import notes, polices
from esscore.db import connect
from esscore.geography import Territoire
from esscore.phrases import rang_ordinal
from esscore.roadmap import read_roadmap
from esscore.store import RoadmapStore

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "roadmap"
ARTEFACTS = ROOT / "tests" / "artifacts" / "copil"
JOUR = date(2026, 11, 23)
TITRES_AVEC_FEUILLE = [
    "Comité de pilotage ESS",
    "Chiffres clés — CA du Niortais",
    "Face aux territoires comparables",
    "Employeurs de l'ESS par famille",
    "Employeurs de l'ESS par secteur",
    "Employeurs de l'ESS par commune",
    "Tableau de comparaison",
    "Chiffres publiés, estimés au même périmètre",
    "Feuille de route : avancement par axe",
    "Actions en retard au 23/11/2026",
    "Indicateurs : dernière mesure et cible",
]


def _apercu(nom: str, deck: bytes) -> copil.Apercu:
    """Write the review artefacts of a deck and return its preview."""
    dossier = ARTEFACTS / nom
    dossier.mkdir(parents=True, exist_ok=True)
    (dossier / f"{nom}.pptx").write_bytes(deck)
    (dossier / "resume.txt").write_text(copil.resume_texte(deck), "utf-8")
    (dossier / f"{nom}.pdf").write_bytes(copil.pdf_depuis_pptx(deck))
    ap = copil.apercu(deck)
    for i, img in enumerate(ap.images, start=1):
        img.save(dossier / f"diapositive-{i:02d}.png")
    prs = Presentation(io.BytesIO(deck))
    for i, slide in enumerate(prs.slides, start=1):
        for k, shp in enumerate(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE):
            (dossier / f"graphique-{i:02d}-{k}.png").write_bytes(shp.image.blob)
    return ap


def _titre(slide) -> str:
    return next(s.text_frame.text for s in slide.shapes if s.name == "Titre")


@pytest.fixture(scope="module")
def con_module(db_file: Path):
    c = connect(db_file)
    yield c
    c.close()


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return load_catalogue()


@pytest.fixture(scope="module")
def deck(con_module, catalogue) -> bytes:
    debut = time.perf_counter()
    octets = copil.build_copil(con_module, "epci:200041317", read_roadmap(FIX / "valide.yaml"), JOUR, catalogue)
    assert time.perf_counter() - debut < 30  # target ≤ 15 s (benchmarks/copil.py); generous under CI load
    return octets


@pytest.fixture(scope="module")
def prs(deck: bytes):
    return Presentation(io.BytesIO(deck))


def test_deck_is_16_9_with_expected_titles(prs) -> None:
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    titres = [_titre(s) for s in prs.slides]
    assert titres[: len(TITRES_AVEC_FEUILLE)] == TITRES_AVEC_FEUILLE
    assert titres[-1] == "Sources et méthode"
    fiches = titres[len(TITRES_AVEC_FEUILLE) : -1]
    assert fiches == [f"Ailleurs : exemple {k} sur {copil.NB_FICHES}" for k in range(1, copil.NB_FICHES + 1)]
    assert len(prs.slides) == len(TITRES_AVEC_FEUILLE) + copil.NB_FICHES + 1


def test_no_placeholder_no_empty_text_and_readable_sizes(prs) -> None:
    for n, slide in enumerate(prs.slides, start=1):
        assert len(slide.placeholders) == 0, f"diapositive {n} : espace réservé"
        for shp in slide.shapes:
            if shp.has_text_frame and shp.shape_type != MSO_SHAPE_TYPE.AUTO_SHAPE:
                assert shp.text_frame.text.strip(), f"diapositive {n} : zone de texte vide « {shp.name} »"
            frames = [shp.text_frame] if shp.has_text_frame else []
            if getattr(shp, "has_table", False) and shp.has_table:
                frames = [c.text_frame for row in shp.table.rows for c in row.cells]
                assert all(f.text.strip() for f in frames), f"diapositive {n} : cellule vide"
            for tf in frames:
                for p in tf.paragraphs:
                    for run in p.runs:
                        assert run.font.size is not None and run.font.size.pt >= 14, (n, shp.name, run.text)
                        if shp.name == "Titre":
                            assert run.font.size.pt >= 28, (n, run.text)


def _graphiques(slide) -> list:
    return [s for s in slide.shapes if getattr(s, "has_chart", False) and s.has_chart]


def test_chart_slides_carry_native_charts_and_the_map_is_the_only_picture(deck: bytes, prs) -> None:
    avancement = TITRES_AVEC_FEUILLE.index("Feuille de route : avancement par axe") + 1
    attendus = {3: 2, 4: 1, 5: 1, avancement: 1}  # peers (two indicators), families, sectors, roadmap progress
    for n, slide in enumerate(prs.slides, start=1):
        images = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(_graphiques(slide)) == attendus.get(n, 0), f"diapositive {n}"
        assert [i.name for i in images] == (["Carte"] if n == 6 else []), f"diapositive {n} : image inattendue"
    carte = next(s for s in prs.slides[5].shapes if s.name == "Carte")
    img = Image.open(io.BytesIO(carte.image.blob))
    assert img.format == "PNG" and img.width >= 800
    assert len(img.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 2  # not blank
    with zipfile.ZipFile(io.BytesIO(deck)) as z:  # one chart part, with its data workbook, per chart
        parties = [n for n in z.namelist() if re.fullmatch(r"ppt/charts/chart\d+\.xml", n)]
        classeurs = [n for n in z.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]
    assert len(parties) == len(classeurs) == sum(attendus.values())


def test_charts_carry_their_data_and_the_family_colours(prs) -> None:
    familles = _graphiques(prs.slides[3])[0].chart
    points = familles.plots[0].series[0].points
    for k, categorie in enumerate(familles.plots[0].categories):
        couleur = str(points[k].format.fill.fore_color.rgb)
        assert couleur == FAMILLE_COLORS[categorie].lstrip("#").upper(), categorie
        etiquette = points[k].data_label.text_frame.text  # « 433 (79 %) »: count and share, French digits
        assert re.fullmatch(r"[\d\u202f]+ \((< 1|\d+)[\u202f\xa0 ]%\)", etiquette), etiquette
    pairs = _graphiques(prs.slides[2])
    assert [g.chart.chart_type for g in pairs] == [XL_CHART_TYPE.BAR_CLUSTERED] * 2
    avancement = _graphiques(prs.slides[TITRES_AVEC_FEUILLE.index("Feuille de route : avancement par axe")])[0]
    assert avancement.chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    assert [s.name for s in avancement.chart.plots[0].series] == list(roadmap.ETATS)
    for shp in [*pairs, avancement]:
        assert shp.chart.font.size.pt >= 14


def test_figures_are_french_and_late_actions_listed(deck: bytes, prs) -> None:
    texte = copil.resume_texte(deck)
    assert "123\u202f389" in texte  # population of the CA du Niortais, French thousands separator
    assert "24,2 %" in texte  # ESS share of private employment, decimal comma
    retards = prs.slides[TITRES_AVEC_FEUILLE.index("Actions en retard au 23/11/2026")]
    table = next(s for s in retards.shapes if getattr(s, "has_table", False) and s.has_table).table
    codes = [table.cell(i, 0).text for i in range(1, len(table.rows))]
    assert codes == ["A.1.2", "B.1.1"]
    assert table.cell(1, 3).text == "30/06/2025"


def test_not_demo_means_no_demo_mention(prs) -> None:
    for slide in prs.slides:
        assert all(copil.DEMO_MENTION not in (s.text_frame.text if s.has_text_frame else "") for s in slide.shapes)


def test_demo_data_puts_the_mention_on_every_slide(con_module, catalogue) -> None:
    d = copil.donnees_copil(con_module, "epci:200041317", None, JOUR, catalogue)
    d.info = {**d.info, "demo": True}
    prs = Presentation(io.BytesIO(copil.dessiner_copil(d)))
    for n, slide in enumerate(prs.slides, start=1):
        textes = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert copil.DEMO_MENTION in textes, f"diapositive {n} sans mention « Données de démonstration »"


def test_preview_has_no_overflow_and_pdf_has_one_page_per_slide(deck: bytes) -> None:
    ap = _apercu("niort-test", deck)
    assert ap.debordements == []
    assert len(ap.images) == copil.nombre_diapositives(deck)


def _texte_pdf(pdf: bytes, dossier: Path) -> list[str]:
    """The text of each page: pdftotext (poppler) when installed, else pypdf's extraction."""
    if shutil.which("pdftotext"):
        (dossier / "copil.pdf").write_bytes(pdf)
        sortie = subprocess.run(["pdftotext", "-layout", str(dossier / "copil.pdf"), "-"], capture_output=True,
                                text=True, check=True, timeout=60).stdout  # fmt: skip
        return sortie.split("\f")[: len(PdfReader(io.BytesIO(pdf)).pages)]
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_is_text_with_one_page_per_slide(deck: bytes, prs, tmp_path: Path) -> None:
    pdf = copil.pdf_depuis_pptx(deck)
    lecteur = PdfReader(io.BytesIO(pdf))
    assert len(lecteur.pages) == len(prs.slides)
    assert lecteur.metadata.title == "Comité de pilotage ESS — CA du Niortais"
    pages = [" ".join(t.replace("\xa0", " ").split()) for t in _texte_pdf(pdf, tmp_path)]
    assert "Comité de pilotage ESS" in pages[0] and "CA du Niortais" in pages[0]  # searchable, selectable text
    for n, slide in enumerate(prs.slides):
        assert _titre(slide) in pages[n], (n + 1, pages[n][:200])
    assert "Face aux territoires comparables" in pages[2] and "%" in pages[2]  # chart labels are text too
    images = [len(page.images) for page in lecteur.pages]
    assert images == [1 if n == 5 else 0 for n in range(len(images))]  # the map, nothing else is a picture
    polices = [f.get_object() for f in lecteur.pages[0]["/Resources"]["/Font"].values()]
    decrites = [f["/FontDescriptor"].get_object() for f in polices if "/FontDescriptor" in f]
    assert decrites and all("/FontFile2" in d for d in decrites)  # TrueType fonts embedded: same text everywhere


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) absent")
def test_libreoffice_opens_the_deck_and_its_charts(deck: bytes, tmp_path: Path) -> None:
    """The native charts are valid OOXML: LibreOffice converts the deck to PDF with every slide."""
    source = tmp_path / "copil.pptx"
    source.write_bytes(deck)
    profil = tmp_path / "profil"  # a private profile: no lock shared with another LibreOffice
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profil}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)  # fmt: skip
    lecteur = PdfReader(str(tmp_path / "copil.pdf"))
    assert len(lecteur.pages) == copil.nombre_diapositives(deck)
    texte = " ".join(" ".join(p.extract_text().split()) for p in lecteur.pages[:3])
    assert "CA du Niortais" in texte and "Face aux territoires comparables" in texte


def test_deck_without_roadmap_skips_roadmap_slides(con_module) -> None:
    octets = copil.build_copil(con_module, "commune:79191", None, JOUR, catalogue=[])
    prs = Presentation(io.BytesIO(octets))
    titres = [_titre(s) for s in prs.slides]
    assert not any(t.startswith("Feuille de route") or t.startswith("Actions en retard") for t in titres)
    assert "Sans feuille de route enregistrée pour ce territoire" in copil.resume_texte(octets)
    assert "Niort est entourée en noir" in copil.resume_texte(octets)  # commune drawn inside its EPCI
    assert _apercu("niort-commune", octets).debordements == []


def test_france_and_example_roadmap_decks(con_module, catalogue) -> None:
    france = copil.build_copil(con_module, "france", None, JOUR, catalogue)
    assert "Employeurs de l'ESS par département" in copil.resume_texte(france)
    assert _apercu("france", france).debordements == []
    cotentin = read_roadmap(ROOT / "data" / "feuilles_de_route" / "cotentin-2014.yaml")
    manche = copil.build_copil(con_module, "departement:50", cotentin, JOUR, catalogue)
    resume = copil.resume_texte(manche)
    assert "Feuille de route d'exemple" in resume and "Feuille de route : avancement par axe" in resume
    assert _apercu("cotentin", manche).debordements == []


def _cadres(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip()]


def test_every_slide_has_speaker_notes_with_the_pages_sentences_and_sources(con_module, catalogue, prs) -> None:
    d = copil.donnees_copil(con_module, "epci:200041317", read_roadmap(FIX / "valide.yaml"), JOUR, catalogue)
    for n, slide in enumerate(prs.slides, start=1):
        assert slide.has_notes_slide, f"diapositive {n} sans notes"
        assert "Source" in slide.notes_slide.notes_text_frame.text, f"diapositive {n} : notes sans source"
    titre = prs.slides[0].notes_slide.notes_text_frame.text
    assert notes.synthese(d) and all(phrase in titre for phrase in notes.synthese(d))
    assert "Parmi les" in titre and "EPCI de France" in titre  # national rank, as on the Panorama
    assert "https://" in titre  # sources cited in full, with their address
    chiffres = prs.slides[1].notes_slide.notes_text_frame.text
    assert notes.position(d, "part_emploi_prive") in chiffres and notes.pairs(d) in chiffres
    retards = prs.slides[TITRES_AVEC_FEUILLE.index("Actions en retard au 23/11/2026")]
    assert "A.1.2 — " in retards.notes_slide.notes_text_frame.text
    assert "B.1.1 — " in retards.notes_slide.notes_text_frame.text


def test_cut_lists_say_how_many_more_and_nothing_overflows(con_module) -> None:
    """More late actions, sectors and axes than a slide holds: « + N autres … », all listed in the notes, and no
    text box nor table cell overflows (measured with the TrueType metrics of the font the slides name)."""
    d = copil.donnees_copil(con_module, "epci:200041317", read_roadmap(FIX / "valide.yaml"), JOUR, catalogue=[])
    base = d.actions.iloc[0].to_dict()
    retard = pd.DataFrame([{**base, "action_code": f"Z.{k}", "action_titre": f"Action ajoutée numéro {k} " * 4,
                            "en_retard": True, "fin": pd.Timestamp("2025-01-01"), "statut": "en cours"}
                           for k in range(12)])  # fmt: skip
    secteurs = pd.DataFrame({"secteur": [f"Secteur d'activité numéro {k}" for k in range(14)],
                             "etablissements_employeurs": list(range(140, 0, -10))})  # fmt: skip
    axes = pd.DataFrame([{"axe": f"X{k}", "axe_titre": f"Axe stratégique au titre très long numéro {k}",
                          **{e: k % 3 + 1 for e in roadmap.ETATS}} for k in range(11)])  # fmt: skip
    d = dataclasses.replace(d, actions=pd.concat([d.actions, retard], ignore_index=True), secteurs=secteurs,
                            avancement=axes)  # fmt: skip
    octets = copil.dessiner_copil(d)
    texte = copil.resume_texte(octets)
    assert "+ 7 autres actions en retard : liste complète dans les notes de la diapositive." in texte
    assert "+ 5 autres secteurs = " in texte and "+ 4 autres axes = " in texte  # last bar groups the rest
    assert all(f"[notes] Z.{k} — " in texte for k in range(12))
    assert _apercu("listes-coupees", octets).debordements == []


def test_long_names_fit_their_boxes(con_module, catalogue) -> None:
    """The longest names (territory, peers, roadmap, fiches) are cut or wrapped inside their shapes."""
    long = "Communauté de communes du Pays de Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson et des Deux Vallées"
    doc = {**read_roadmap(FIX / "valide.yaml"), "titre": long * 2}
    d = copil.donnees_copil(con_module, "epci:200041317", doc, JOUR, catalogue)
    d = dataclasses.replace(d, territoire=dataclasses.replace(d.territoire, nom=long),
                            pairs=d.pairs.assign(nom=[f"{long} {k}" for k in range(len(d.pairs))]))  # fmt: skip
    d.info = {**d.info, "demo": True}
    octets = copil.dessiner_copil(d)
    assert copil.debordements(octets) == []
    assert polices.fichiers_polices()[(False, False)].endswith(("LiberationSans-Regular.ttf", "DejaVuSans.ttf"))


def test_ranks_follow_the_shared_rule(con_module) -> None:
    """Ranks on the cards are ``comparaison.rang``'s: ties share a place (« ex æquo »), no rank when all equal."""
    d = copil.donnees_copil(con_module, "epci:200041317", None, JOUR, catalogue=[])
    moi = d.comparaison.iloc[0]
    pairs = d.pairs.copy()
    pairs["etablissements"] = moi["etablissements"]  # every figure equal: a rank would say nothing
    pairs.loc[pairs.index[0], "salaries_estimes"] = moi["salaries_estimes"]  # one tie
    d = dataclasses.replace(d, pairs=pairs)
    cartes = _cadres(Presentation(io.BytesIO(copil.dessiner_copil(d))).slides[1])
    classes = pd.concat([d.comparaison.iloc[[0]], pairs], ignore_index=True)
    for col, libelle in copil.CARTES_CHIFFRES:
        carte = next(t for t in cartes if t.split("\n")[1:2] == [libelle])
        rang = comparaison.rang(classes, d.territoire.id, col)
        if rang is None:
            assert "Rang" not in carte, (col, carte)
        else:
            assert f"Rang : {rang_ordinal(rang)} sur {rang.total}" in carte, (col, carte)
    assert comparaison.rang(classes, d.territoire.id, "etablissements") is None
    salaries = next(t for t in cartes if t.split("\n")[1:2] == ["Salariés estimés"])
    assert "ex æquo" in salaries


def test_chosen_peers_are_exactly_the_deck_peers(con_module) -> None:
    terr = copil.donnees_copil(con_module, "epci:200041317", None, JOUR, catalogue=[]).territoire
    choisis = list(comparaison.pairs_suggeres(con_module, terr, n=12)["id"])[-3:]  # not the suggested eight
    d = copil.donnees_copil(con_module, terr, None, JOUR, catalogue=[], pairs=choisis)
    assert list(d.pairs["id"]) == choisis and d.pairs_choisis
    prs = Presentation(io.BytesIO(copil.dessiner_copil(d)))
    assert _titre(prs.slides[2]) == "Face aux territoires comparables"
    for graphique in _graphiques(prs.slides[2]):
        assert len(graphique.chart.plots[0].categories) == 1 + len(choisis)
    noms = list(d.pairs["nom"])
    assert notes.pairs(d) in prs.slides[2].notes_slide.notes_text_frame.text
    assert all(nom in notes.pairs(d) for nom in noms) and "3 territoires comparés (choisis" in notes.pairs(d)
    assert "3 territoires choisis pour la comparaison" in copil.resume_texte(copil.dessiner_copil(d))


def _terr(type_: str = "epci", code: str = "200041317", population: int = 120_000) -> Territoire:
    return Territoire(type_, code, "Test", population, [{"type": "region", "code": "75", "nom": "R", "population": 1}])


def _entree(ident: str, nom: str, type_: str, code: str | None, region: str, leviers: list[str]) -> dict:
    return {
        "id": ident,
        "titre": ident,
        "leviers": leviers,
        "collectivite": {"nom": nom, "type": type_, "code": code, "region": region},
    }


def test_fiches_pertinentes_ranks_levers_level_size_region() -> None:
    entrees = [
        _entree("soi", "Moi", "epci", "epci:200041317", "75", ["Financement"]),
        _entree("a", "A", "epci", "epci:1", "75", ["Financement", "Accompagnement"]),
        _entree("a2", "A", "epci", "epci:1", "75", ["Financement"]),
        _entree("b", "B", "region", "region:53", "53", ["Financement"]),
        _entree("c", "C", "epci", "epci:2", "11", []),
        _entree("d", "D", "commune", None, "11", ["Commande publique"]),
    ]
    poids = {"Financement": 0.5, "Accompagnement": 0.5}
    choisies = copil.fiches_pertinentes(entrees, _terr(), poids, {"epci:1": 100_000, "epci:2": 90_000})
    ids = [f.entree["id"] for f in choisies]
    assert ids == ["a", "c", "b"]  # own entry excluded, one per collectivity, "d" scores nothing
    assert "leviers communs avec la feuille de route : Financement, Accompagnement" in choisies[0].raison
    assert "population comparable" in choisies[0].raison and "même région" in choisies[0].raison
    assert copil.fiches_pertinentes(entrees, _terr(), poids, {}) == copil.fiches_pertinentes(
        list(reversed(entrees)), _terr(), poids, {}
    )


def test_poids_leviers_ignores_abandoned_actions() -> None:
    doc = read_roadmap(FIX / "valide.yaml")
    poids = copil.poids_leviers(doc)
    assert poids == {
        "Financement": pytest.approx(1 / 3),
        "Accompagnement": pytest.approx(1 / 3),
        "Commande publique": pytest.approx(1 / 3),
    }
    assert copil.poids_leviers(None) == {}


def test_feuille_du_territoire_prefers_own_roadmap_over_example() -> None:
    import pandas as pd

    feuilles = pd.DataFrame(
        {
            "id": ["exemple", "mienne", "autre"],
            "territoire": ["epci:1", "epci:1", "epci:2"],
            "exemple": [True, False, False],
            "imported_at": ["2026-01-02", "2026-01-01", "2026-01-03"],
        }
    )
    assert copil.feuille_du_territoire(feuilles, "epci:1") == "mienne"
    assert copil.feuille_du_territoire(feuilles, "epci:3") is None
    assert copil.feuille_du_territoire(feuilles.iloc[0:0], "epci:1") is None


def test_map_classes_are_french_ranges() -> None:
    carte = {"features": [{"properties": {"valeur": v}} for v in [0.5, 1.2, 2.5, 3.1, 4.4, 8.0, None]]}
    classes = copil.classes_carte(carte)
    assert classes[0][1].startswith("moins de ") and classes[-1][1].endswith(" et plus")
    assert all("," in libelle or "moins" in libelle or "plus" in libelle for _, libelle in classes)
    assert copil.classes_carte({"features": []}) == [(copil.PALETTE_CARTE[-1], "toutes les valeurs")]


def test_cli_export_copil_writes_pptx_and_pdf(db_file: Path, tmp_path: Path, capsys) -> None:
    store = tmp_path / "edition.sqlite"
    RoadmapStore(store).import_roadmap(read_roadmap(FIX / "valide.yaml"), "Service ESS")
    sortie = tmp_path / "sous" / "copil.pptx"
    code = main(
        [
            "export",
            "copil",
            "--territoire",
            "epci:200041317",
            "--out",
            str(sortie),
            "--pdf",
            str(tmp_path / "copil.pdf"),
            "--date",
            "2026-11-23",
            "--db",
            str(db_file),
            "--store",
            str(store),
        ]
    )
    assert code == 0
    sortie_texte = capsys.readouterr()
    assert "Feuille de route utilisée : « test-valide »" in sortie_texte.err  # own roadmap preferred to the example
    assert "Diaporama COPIL écrit" in sortie_texte.out
    assert len(Presentation(str(sortie)).slides) >= 10
    assert (tmp_path / "copil.pdf").read_bytes().startswith(b"%PDF")
    assert not list(sortie.parent.glob("*.tmp"))


def test_cli_export_copil_with_chosen_peers_and_without_roadmap(db_file: Path, tmp_path: Path, capsys) -> None:
    store = tmp_path / "edition.sqlite"
    RoadmapStore(store).import_roadmap(read_roadmap(FIX / "valide.yaml"), "Service ESS")
    con = connect(db_file)
    try:
        terr = copil.donnees_copil(con, "epci:200041317", None, JOUR, catalogue=[]).territoire
        choisis = list(comparaison.pairs_suggeres(con, terr, n=12)["id"])[-2:]
    finally:
        con.close()
    sortie = tmp_path / "copil.pptx"
    base = ["export", "copil", "--territoire", "epci:200041317", "--date", "2026-11-23", "--db", str(db_file),
            "--store", str(store), "--out", str(sortie)]  # fmt: skip
    assert main([*base, "--pairs", ",".join(choisis), "--sans-feuille", "--pdf", str(tmp_path / "c.pdf")]) == 0
    sorties = capsys.readouterr()
    assert "Feuille de route utilisée" not in sorties.err and "PDF écrit" in sorties.out
    prs = Presentation(str(sortie))
    titres = [_titre(s) for s in prs.slides]
    assert not any(t.startswith(("Feuille de route", "Actions en retard")) for t in titres)
    pairs = prs.slides[titres.index("Face aux territoires comparables")]
    assert "2 territoires comparés (choisis pour la comparaison)" in pairs.notes_slide.notes_text_frame.text
    assert all(len(g.chart.plots[0].categories) == 3 for g in _graphiques(pairs))
    assert "Ambenay" not in PdfReader(str(tmp_path / "c.pdf")).pages[0].extract_text()
    assert "CA du Niortais" in PdfReader(str(tmp_path / "c.pdf")).pages[0].extract_text()
    assert main([*base, "--pairs", "commune:79191,epci:200041317"]) == 2  # another level: refused, in French
    assert "Option --pairs" in capsys.readouterr().err
    assert main([*base, "--sans-feuille", "--feuille-de-route", "test-valide"]) == 2
    assert "incompatibles" in capsys.readouterr().err


def test_cli_export_copil_errors_are_french(db_file: Path, tmp_path: Path, capsys) -> None:
    base = ["export", "copil", "--db", str(db_file), "--store", str(tmp_path / "s.sqlite")]
    assert main([*base, "--territoire", "epci:200041317", "--out", str(tmp_path / "x.ppt")]) == 2
    assert "doit se terminer par .pptx" in capsys.readouterr().err
    assert main([*base, "--territoire", "epci:2000", "--out", str(tmp_path / "x.pptx")]) == 2
    assert "mal formé" in capsys.readouterr().err
    args = [
        *base,
        "--territoire",
        "epci:200041317",
        "--feuille-de-route",
        "inconnue",
        "--out",
        str(tmp_path / "x.pptx"),
    ]
    assert main(args) == 2
    assert "introuvable" in capsys.readouterr().err
    assert main([*base, "--territoire", "france", "--date", "23/11/2026", "--out", str(tmp_path / "x.pptx")]) == 2
    assert "AAAA-MM-JJ" in capsys.readouterr().err
    assert not (tmp_path / "x.pptx").exists()


def test_pdf_draws_the_evolution_slide_as_lines(db_millesimes: Path) -> None:
    """Two vintages: the « Évolution » slide's native line chart is laid out for the PDF as vector segments joining
    one marker per vintage, at heights proportional to the index (never as bars)."""
    import duckdb

    from esscore.copil import rendu

    with duckdb.connect(str(db_millesimes), read_only=True) as con:
        deck = copil.build_copil(con, "epci:200041317", None, JOUR, catalogue=[])
    slide = next(s for s in Presentation(io.BytesIO(deck)).slides if _titre(s).startswith("Évolution"))
    chart = next(g.chart for g in _graphiques(slide))
    page = next(p for p in rendu.disposer(deck) if p.titre.startswith("Évolution"))
    montees = []
    for serie in chart.plots[0].series:
        rgb = serie.format.line.color.rgb
        couleur = (rgb[0], rgb[1], rgb[2])
        segments = [e for e in page.elements if isinstance(e, rendu.Trait) and e.couleur == couleur and e.y1 != e.y2]
        marqueurs = [e for e in page.elements if isinstance(e, rendu.Rect) and e.fond == couleur]
        valeurs = list(serie.values)
        assert len(marqueurs) == sum(v is not None for v in valeurs)  # a missing value: no point, no line
        assert all(m.w == m.h < 10 for m in marqueurs)  # markers, not bars
        if None in valeurs:
            assert not segments
            continue
        assert len(segments) == len(chart.plots[0].categories) - 1 == 1, serie.name
        s = segments[0]
        assert s.x2 > s.x1 and s.epaisseur == serie.format.line.width.pt
        assert {round(m.x + m.w / 2, 3) for m in marqueurs} == {round(s.x1, 3), round(s.x2, 3)}
        montees.append((list(serie.values), s.y1 - s.y2))
    assert len(montees) == 2  # the territory and France (the région's figures are secret in both vintages)
    (v_terr, h_terr), (v_autre, h_autre) = montees
    assert v_terr[0] == v_autre[0] == 100.0  # both indexed to 100: the same starting height
    assert h_terr / h_autre == pytest.approx((v_terr[1] - 100) / (v_autre[1] - 100), rel=1e-6)
    noms = {e.texte for e in page.elements if isinstance(e, rendu.Texte)}
    assert {str(c) for c in chart.plots[0].categories} <= noms and "100" in noms  # categories and value axis
    assert len(PdfReader(io.BytesIO(copil.pdf_depuis_pptx(deck))).pages) == len(Presentation(io.BytesIO(deck)).slides)


def test_graduations_are_round_steps() -> None:
    from esscore.copil.rendu import graduations

    assert graduations(100.0, 176.8) == [100.0, 120.0, 140.0, 160.0, 180.0]
    assert graduations(98.0, 103.0) == [98.0, 99.0, 100.0, 101.0, 102.0, 103.0]
    assert graduations(100.0, 100.0) == [99.0, 100.0, 101.0]
