"""The « Diaporama COPIL » block of the Panorama, Comparaisons and Carte pages, run headless (AppTest): nothing is
built before the click; the deck compares the territory with the peers of the Comparaisons page (``pairs`` in
the URL, else those chosen earlier in the session, else the suggested ones) and includes the territory's
roadmap when it has one.

The download buttons' files are read from the media store of the AppTest run (kept past the run here).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from esscore import comparaison, geography, indicators
from esscore.ui.copil import LIBELLE_PDF, LIBELLE_PPTX

ROOT = Path(__file__).resolve().parent.parent
NIORT = "epci:200041317"
COMMUNE_SANS_FEUILLE = "commune:27009"


@pytest.fixture()
def medias(monkeypatch: pytest.MonkeyPatch, db_env: Path, tmp_path: Path) -> list[MediaFileManager]:
    """The media managers of the AppTest runs (they hold the download buttons' files); a private editing store."""
    from streamlit.testing.v1 import app_test

    monkeypatch.setenv("ESS_STORE", str(tmp_path / "edition.sqlite"))
    gardes: list[MediaFileManager] = []

    class Gardien(MediaFileManager):
        def __init__(self, storage) -> None:  # noqa: ANN001 (Streamlit's own type)
            super().__init__(storage)
            gardes.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Gardien)
    return gardes


def _page(nom: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{nom}.py"), default_timeout=120)
    for cle, valeur in params.items():
        at.query_params[cle] = valeur
    return at.run()


def _cliquer(at: AppTest) -> AppTest:
    assert not at.exception
    assert not [b for b in at.get("download_button") if b.proto.label == LIBELLE_PPTX]  # nothing before the click
    return at.button(key="diaporama_go").click().run()


def _fichier(medias: list[MediaFileManager], at: AppTest, libelle: str) -> bytes:
    bouton = next(b for b in at.get("download_button") if b.proto.label == libelle)
    nom = bouton.proto.url.rsplit("/", 1)[1]
    for gestionnaire in reversed(medias):
        try:
            return gestionnaire._storage.get_file(nom).content  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - another run's store
            continue
    raise AssertionError(f"fichier {nom} introuvable")


def _notes(prs: Presentation, n: int) -> str:
    return prs.slides[n].notes_slide.notes_text_frame.text


def test_panorama_deck_of_a_commune_without_roadmap(medias: list[MediaFileManager], con) -> None:
    at = _cliquer(_page("panorama", {"territoire": COMMUNE_SANS_FEUILLE}))
    assert not at.exception
    etapes = [m.value for m in at.markdown if m.value.startswith("✓")]  # the progress shown in st.status
    assert etapes[0].startswith("✓ Chiffres réunis : 8 territoires comparés, aucune feuille de route enregistrée")
    assert etapes[1:] == ["✓ Diapositives dessinées.", "✓ PDF prêt (texte sélectionnable)."]
    libelles = [b.proto.label for b in at.get("download_button")]
    assert LIBELLE_PPTX in libelles and LIBELLE_PDF in libelles
    prs = Presentation(io.BytesIO(_fichier(medias, at, LIBELLE_PPTX)))
    textes = [s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame]
    assert geography.get(con, COMMUNE_SANS_FEUILLE).nom in textes  # the first slide names the territory
    assert "Sans feuille de route enregistrée pour ce territoire" in "\n".join(textes)
    titres = [next(s.text_frame.text for s in slide.shapes if s.name == "Titre") for slide in prs.slides]
    assert not any(t.startswith(("Feuille de route", "Actions en retard")) for t in titres)
    assert _fichier(medias, at, LIBELLE_PDF).startswith(b"%PDF")


def test_comparaisons_deck_lists_exactly_the_peers_of_the_url(medias: list[MediaFileManager], con) -> None:
    terr = geography.get(con, NIORT)
    choisis = list(comparaison.pairs_suggeres(con, terr, n=12)["id"])[-3:]  # not the suggested eight
    at = _cliquer(_page("comparaisons", {"territoire": NIORT, "pairs": ",".join(choisis)}))
    assert not at.exception
    prs = Presentation(io.BytesIO(_fichier(medias, at, LIBELLE_PPTX)))
    pairs = next(s for s in prs.slides if any(x.name == "Titre" and x.text_frame.text ==
                                              "Face aux territoires comparables" for x in s.shapes))  # fmt: skip
    graphiques = [s.chart for s in pairs.shapes if getattr(s, "has_chart", False) and s.has_chart]
    trouves = indicators.indicateurs(con, choisis)
    noms = dict(zip(trouves["id"], trouves["nom"], strict=True))
    for graphique in graphiques:
        assert len(graphique.plots[0].categories) == 1 + len(choisis)  # the territory and exactly those peers
    texte = pairs.notes_slide.notes_text_frame.text
    assert f"{len(choisis)} territoires comparés (choisis pour la comparaison)" in texte
    assert all(noms[i] in texte for i in choisis)
    assert "Feuille de route" in " ".join(  # the seeded example roadmap of the CA du Niortais is included
        next(s.text_frame.text for s in slide.shapes if s.name == "Titre") for slide in prs.slides
    )


def test_panorama_reuses_the_peers_chosen_on_comparaisons(medias: list[MediaFileManager], con) -> None:
    terr = geography.get(con, NIORT)
    choisis = list(comparaison.pairs_suggeres(con, terr, n=12)["id"])[-2:]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)  # the app: one session, several pages
    at.switch_page("pages/comparaisons.py")
    at.query_params.update({"territoire": NIORT, "pairs": ",".join(choisis)})
    at = at.run()
    assert not at.exception
    at.switch_page("pages/panorama.py")  # same session; the page's URL has no ``pairs``
    at.query_params.pop("pairs", None)
    at = at.run()
    assert not at.exception and at.title[0].value == "Panorama de l'ESS"
    assert any("comparé à 2 territoires choisis sur la page Comparaisons" in c.value for c in at.caption)


def test_carte_page_offers_the_deck(medias: list[MediaFileManager]) -> None:
    at = _page("carte", {"territoire": NIORT})
    assert not at.exception
    assert [b for b in at.button if b.key == "diaporama_go"]
