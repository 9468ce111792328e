"""The roadmap page with AppTest: read-only by default, editing behind a password or an OIDC editor list,
every change in the change log, the statistics database never written."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from esscore.roadmap import read_roadmap
from esscore.store import AUTEUR_SYSTEME, RoadmapStore

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "feuille_de_route.py")
FIX = ROOT / "tests" / "fixtures" / "roadmap"
MOT_DE_PASSE = "correct horse battery staple"
EMPREINTE = hashlib.sha256(MOT_DE_PASSE.encode("utf-8")).hexdigest()
ONGLET_EDITION = "✏️ Mise à jour"


@pytest.fixture()
def store(db_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RoadmapStore:
    """An empty store of its own for each test (the page seeds it with the examples)."""
    path = tmp_path / "edition.sqlite"
    monkeypatch.setenv("ESS_STORE", str(path))
    return RoadmapStore(path)


def page(secrets: dict | None = None, user: dict | None = None, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if secrets:
        at.secrets["edition"] = secrets
    if user is not None:
        at.user = user
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def onglets(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def textes(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "error", "warning") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def ouvrir(at: AppTest, auteur: str = "Service ESS", mot_de_passe: str = MOT_DE_PASSE) -> AppTest:
    at.text_input(key="fdr_auteur").input(auteur)
    at.text_input(key="fdr_mdp").input(mot_de_passe)
    return at.button(key="fdr_ouvrir").click().run()


def test_read_only_without_secrets_and_examples_seeded(store: RoadmapStore) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "Suivi de la feuille de route"
    assert ONGLET_EDITION not in onglets(at)
    assert onglets(at)[:7] == [
        "Avancement",
        "Actions",
        "Calendrier",
        "Indicateurs",
        "Leviers & benchmark",
        "Journal",
        "COPIL",
    ]
    assert "Lecture seule" in textes(at)
    assert not [b for b in at.button if b.key == "fdr_ouvrir"]
    feuilles = store.list_roadmaps()
    assert set(feuilles["id"]) == {"niort-2023-2026", "cotentin-2014"} and feuilles["exemple"].all()
    assert (store.changelog()["auteur"] == AUTEUR_SYSTEME).all()
    choix = at.selectbox(key="fdr_feuille")
    assert len(choix.options) == 2 and all(o.endswith("· exemple") for o in choix.options)
    assert "**Exemple**" in textes(at) and "002\\_f1679d2c89b33bad.txt" in textes(at)
    assert at.query_params["feuille"] == "niort-2023-2026"  # the default territory's roadmap


def test_roadmap_chosen_from_the_url_and_unknown_one_reported(store: RoadmapStore) -> None:
    at = page(params={"feuille": "cotentin-2014"})
    assert not at.exception
    assert at.selectbox(key="fdr_feuille").value == "cotentin-2014"
    assert "Manche (50)" in textes(at)
    at = page(params={"feuille": "<b>nope</b>"})
    assert not at.exception
    assert any("introuvable" in w.value and "<b>" not in w.value for w in at.warning)


def test_wrong_password_keeps_the_page_read_only(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_sha256": EMPREINTE}), mot_de_passe="mauvais")
    assert not at.exception
    assert any("Mot de passe incorrect (1/5" in e.value for e in at.error)
    assert ONGLET_EDITION not in onglets(at)
    assert at.text_input(key="fdr_mdp").value == ""  # the password is not kept in the session


def test_password_attempts_are_limited(store: RoadmapStore) -> None:
    at = page({"mot_de_passe_sha256": EMPREINTE})
    for _ in range(5):
        at = ouvrir(at, mot_de_passe="mauvais")
    at = ouvrir(at)  # even the right password is refused now
    assert any("Trop d'essais" in e.value for e in at.error)
    assert ONGLET_EDITION not in onglets(at)


def test_author_is_required(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_sha256": EMPREINTE}), auteur="   ")
    assert any("Indiquez votre nom" in e.value for e in at.error)
    assert ONGLET_EDITION not in onglets(at)


def test_password_opens_editing_and_status_change_is_logged(store: RoadmapStore, db_env: Path) -> None:
    avant = db_env.read_bytes()
    at = ouvrir(page({"mot_de_passe_sha256": EMPREINTE.upper()}))  # hex case does not matter
    assert not at.exception
    assert ONGLET_EDITION in onglets(at)
    assert any("Mode édition ouvert pour Service ESS" in s.value for s in at.success)
    at.selectbox(key="fdr_statut_action").select("A.1.2")
    at.selectbox(key="fdr_statut_valeur").select("réalisée")
    at = at.button(key="fdr_statut_ok").click().run()
    assert not at.exception
    assert any("A.1.2 : statut « réalisée » enregistré" in s.value for s in at.success)
    assert store.get("niort-2023-2026")["axes"][0]["axes_operationnels"][0]["actions"][1]["statut"] == "réalisée"
    log = store.changelog("niort-2023-2026")
    dernier = log.iloc[0]
    assert (dernier["auteur"], dernier["action_code"], dernier["champ"]) == ("Service ESS", "A.1.2", "statut")
    assert (dernier["ancienne_valeur"], dernier["nouvelle_valeur"]) == ("prévue", "réalisée")
    assert dernier["horodatage"].startswith(str(date.today().year))
    journal = next(df.value for df in at.dataframe if "Auteur" in df.value.columns)
    assert journal.iloc[0]["Auteur"] == "Service ESS"
    assert "Réalisées" in [m.label for m in at.metric] and at.metric[1].value == "1"
    assert db_env.read_bytes() == avant  # the statistics database is never written


def test_closing_editing_and_password_change_lock_the_session(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_sha256": EMPREINTE}))
    assert ONGLET_EDITION in onglets(at)
    at = at.button(key="fdr_quitter").click().run()
    assert ONGLET_EDITION not in onglets(at)
    at = ouvrir(at)
    assert ONGLET_EDITION in onglets(at)
    at.secrets["edition"] = {"mot_de_passe_sha256": hashlib.sha256(b"nouveau").hexdigest()}
    at = at.run()
    assert ONGLET_EDITION not in onglets(at)  # rights are re-checked at every run


def test_indicator_value_recorded_with_author(store: RoadmapStore) -> None:
    store.seed_if_empty()
    store.import_roadmap(read_roadmap(FIX / "valide.yaml"), "Import de test")
    at = ouvrir(page({"mot_de_passe_sha256": EMPREINTE}, params={"feuille": "test-valide"}))
    assert at.selectbox(key="fdr_feuille").value == "test-valide"
    at.selectbox(key="fdr_ind").set_value("A.1.1\u241fI1")
    at.date_input(key="fdr_ind_date").set_value(date(2025, 6, 30))
    at.number_input(key="fdr_ind_valeur").set_value(7.5)
    at = at.button(key="fdr_ind_ok").click().run()
    assert not at.exception
    assert any("valeur 7.5 au 30/06/2025" in s.value for s in at.success)
    valeurs = store.get("test-valide")["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][0]["valeurs"]
    assert {"date": "2025-06-30", "valeur": 7.5} in valeurs
    dernier = store.changelog("test-valide").iloc[0]
    assert (dernier["auteur"], dernier["champ"], dernier["nouvelle_valeur"]) == (
        "Service ESS",
        "indicateur I1 (2025-06-30)",
        "7.5",
    )


def test_import_from_the_page_validates_then_stores(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_sha256": EMPREINTE}))
    at.file_uploader(key="fdr_import").upload("invalide.yaml", (FIX / "invalide.yaml").read_bytes())
    at = at.run().button(key="fdr_import_ok").click().run()
    assert any("Feuille de route invalide « invalide.yaml »" in e.value for e in at.error)
    assert len(store.list_roadmaps()) == 2
    at.file_uploader(key="fdr_import").set_value(("valide.csv", (FIX / "valide.csv").read_bytes(), "text/csv"))
    at = at.run().button(key="fdr_import_ok").click().run()
    assert not at.exception
    assert "test-csv" in set(store.list_roadmaps()["id"])
    assert at.selectbox(key="fdr_feuille").value == "test-csv"
    assert store.changelog("test-csv").iloc[0]["auteur"] == "Service ESS"


def test_oidc_editor_may_edit_without_password(store: RoadmapStore) -> None:
    at = page({"editeurs": ["Elu@Exemple.fr"]}, user={"is_logged_in": True, "email": "elu@exemple.fr"})
    assert not at.exception
    assert ONGLET_EDITION in onglets(at)
    at.selectbox(key="fdr_statut_action").select("A.1.1")
    at.selectbox(key="fdr_statut_valeur").select("en cours")
    at = at.button(key="fdr_statut_ok").click().run()
    assert store.changelog("niort-2023-2026").iloc[0]["auteur"] == "elu@exemple.fr"


def test_oidc_user_not_listed_is_read_only(store: RoadmapStore) -> None:
    at = page({"editeurs": ["elu@exemple.fr"]}, user={"is_logged_in": True, "email": "autre@exemple.fr"})
    assert ONGLET_EDITION not in onglets(at)
    assert "lecture seule (non inscrit·e comme éditeur)" in textes(at)


def test_unverified_or_not_logged_in_email_is_never_trusted(store: RoadmapStore) -> None:
    # AppTest's default user carries a fake e-mail without is_logged_in, like a local run without auth.
    at = page({"editeurs": ["test@example.com"]})
    assert ONGLET_EDITION not in onglets(at)
    at = page(
        {"editeurs": ["elu@exemple.fr"]},
        user={"is_logged_in": True, "email": "elu@exemple.fr", "email_verified": False},
    )
    assert ONGLET_EDITION not in onglets(at)


def test_malformed_hash_disables_the_password_form(store: RoadmapStore) -> None:
    at = page({"mot_de_passe_sha256": "secret-en-clair"})
    assert not at.exception
    assert any("Configuration d'édition invalide" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "fdr_ouvrir"]


def test_copil_buttons_and_other_tabs_render(store: RoadmapStore) -> None:
    store.seed_if_empty()
    store.import_roadmap(read_roadmap(FIX / "valide.yaml"), "Import de test")
    at = page(params={"feuille": "test-valide"})
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Télécharger le diaporama COPIL (PowerPoint)" in labels
    assert "Télécharger le diaporama en PDF" in labels
    assert len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart")) >= 3  # progress, timeline, indicator
    assert "Projets soutenus" in textes(at)
