"""The roadmap page with AppTest: read-only by default, editing behind a password or an OIDC editor list,
every change in the change log, the statistics database never written."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from esscore import auth
from esscore.avancement import actions_frame, progress_by_axis, timeline_frame
from esscore.charts import texte_graphique
from esscore.config import ROADMAP_EXAMPLES_DIR
from esscore.errors import EssError
from esscore.roadmap import find_action, read_roadmap
from esscore.sources import citation
from esscore.store import AUTEUR_DONNEES, AUTEUR_SYSTEME, RoadmapStore
from esscore.text import texte_litteral
from tests.test_benchmark import ponctuation_non_echappee

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "feuille_de_route.py")
FIX = ROOT / "tests" / "fixtures" / "roadmap"
MOT_DE_PASSE = "correct horse battery staple"
EMPREINTE = auth.empreinte_mot_de_passe(MOT_DE_PASSE)  # scrypt form (esscore roadmap mot-de-passe)
EMPREINTE_SHA256 = hashlib.sha256(MOT_DE_PASSE.encode("utf-8")).hexdigest()  # old unsalted form, still accepted
ONGLET_EDITION = "✏️ Mise à jour"


class Horloge:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(autouse=True)
def horloge(monkeypatch: pytest.MonkeyPatch) -> Horloge:
    """A fresh process-wide limiter on a fake clock for each test (counters outlive sessions, not tests)."""
    h = Horloge()
    monkeypatch.setattr(auth, "LIMITEUR", auth.LimiteurEssais(horloge=h))
    return h


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
    journal = store.changelog()
    imports = journal[journal["champ"] == "import"]
    assert len(imports) == 2 and (imports["auteur"] == AUTEUR_SYSTEME).all()
    # the rest: the Niort example's indicators bound to a figure, read from the base at the page's first load
    assert set(journal.loc[journal["champ"] != "import", "auteur"]) == {AUTEUR_DONNEES}
    choix = at.selectbox(key="fdr_feuille")
    assert choix.options == [f"{store.get('niort-2023-2026')['titre']} · exemple"]  # the territory's only
    section = "Axes stratégiques A, B, C ; animation, gouvernance et cadre de suivi"
    cite = citation("niort-feuille-de-route-2023-2026", section, "2023", markdown=True)
    assert "**Exemple, avancement fictif**" in textes(at) and cite in textes(at)  # the document, cited in full
    assert "**inventés**" in textes(at)  # the banner says the follow-up is fictitious
    assert at.query_params["feuille"] == "niort-2023-2026"  # the default territory's roadmap


def test_roadmap_chosen_from_the_url_and_unknown_one_reported(store: RoadmapStore) -> None:
    at = page(params={"feuille": "cotentin-2014"})
    assert not at.exception
    assert at.selectbox(key="fdr_feuille").value == "cotentin-2014"
    assert texte_litteral("Manche (50)") in textes(at)
    at = page(params={"feuille": "<b>nope</b>"})
    assert not at.exception
    assert any("« feuille »" in w.value and "ignorée" in w.value and "<b>" not in w.value for w in at.warning)


def test_wrong_password_keeps_the_page_read_only(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}), mot_de_passe="mauvais")
    assert not at.exception
    assert any(texte_litteral("Mot de passe incorrect (encore 4 essai(s)") in e.value for e in at.error)
    assert ONGLET_EDITION not in onglets(at)
    assert at.text_input(key="fdr_mdp").value == ""  # the password is not kept in the session


def test_password_attempts_are_limited(store: RoadmapStore, horloge: Horloge) -> None:
    at = page({"mot_de_passe_empreinte": EMPREINTE})
    for _ in range(5):
        at = ouvrir(at, mot_de_passe="mauvais")
    assert any(texte_litteral("Prochain essai possible dans 2 s") in e.value for e in at.error)
    at = ouvrir(at)  # even the right password is refused now
    assert any(texte_litteral("Trop d'essais de mot de passe depuis votre adresse") in e.value for e in at.error)
    assert ONGLET_EDITION not in onglets(at)
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}))  # reloading the page: a new session, same counter
    assert any(texte_litteral("Trop d'essais") in e.value for e in at.error) and ONGLET_EDITION not in onglets(at)
    horloge.t += 2  # once the delay is over, the right password opens editing
    at = ouvrir(at)
    assert ONGLET_EDITION in onglets(at)


def test_twenty_wrong_passwords_in_a_minute_are_refused_and_logged(
    store: RoadmapStore, horloge: Horloge, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 17, F7: one address, 20 wrong passwords in a minute, reloading the page between attempts."""
    from esscore.ui import auth as ui_auth

    monkeypatch.setattr(ui_auth, "adresse_client", lambda: "203.0.113.7")
    caplog.set_level(logging.INFO, logger="esscore.auth")
    messages = []
    for i in range(20):
        horloge.t = 1000.0 + 3 * i  # one attempt every 3 s: 57 s in all
        at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}), mot_de_passe=f"mdp-faux-{i}")
        assert not at.exception and ONGLET_EDITION not in onglets(at)
        messages.append(" ".join(e.value for e in at.error))
    refus = [m for m in messages if m.startswith(texte_litteral("Trop d'essais"))]
    verifies = [m for m in messages if m.startswith(texte_litteral("Mot de passe incorrect"))]
    assert len(verifies) + len(refus) == 20
    # 5 failures at once, then delays of 2, 4, 8, 16, 32 s after each new failure: 9 checked, 11 refused.
    assert len(verifies) == 9 and len(refus) == 11, messages
    assert all("réessayez dans" in m for m in refus)
    echecs = [r for r in caplog.records if r.getMessage().startswith("Échec du mot de passe")]
    refuses = [r for r in caplog.records if "refusé sans vérification" in r.getMessage()]
    assert len(echecs) == 9 and len(refuses) == 11
    assert all("203.0.113.7" in r.getMessage() and " UTC" in r.getMessage() for r in echecs + refuses)
    assert all(r.levelno == logging.WARNING for r in echecs + refuses)
    assert not any("mdp-faux" in r.getMessage() for r in caplog.records)  # never a password in the log
    monkeypatch.setattr(ui_auth, "adresse_client", lambda: "198.51.100.2")
    assert ONGLET_EDITION in onglets(ouvrir(page({"mot_de_passe_empreinte": EMPREINTE})))  # others not held up


def test_old_sha256_hash_still_opens_editing_with_a_warning_to_rehash(
    store: RoadmapStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="esscore.auth")
    auth._deja_signale.clear()
    at = page({"mot_de_passe_sha256": EMPREINTE_SHA256})
    assert not any("ancienne forme" in w.value for w in at.warning)  # not shown to every visitor
    at = ouvrir(at)
    assert ONGLET_EDITION in onglets(at)
    assert any("ancienne forme" in w.value and "esscore roadmap mot-de-passe" in w.value for w in at.warning)
    assert any("esscore roadmap mot-de-passe" in r.getMessage() for r in caplog.records)
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE, "mot_de_passe_sha256": "ancienne valeur ignorée"}))
    assert ONGLET_EDITION in onglets(at)  # the new key wins
    assert not any("ancienne forme" in w.value for w in at.warning)


def test_author_is_required(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}), auteur="   ")
    assert any("Indiquez votre nom" in e.value for e in at.error)
    assert ONGLET_EDITION not in onglets(at)


def test_password_opens_editing_and_status_change_is_logged(store: RoadmapStore, db_env: Path) -> None:
    avant = db_env.read_bytes()
    at = ouvrir(page({"mot_de_passe_sha256": EMPREINTE_SHA256.upper()}))  # hex case does not matter
    assert not at.exception
    assert ONGLET_EDITION in onglets(at)
    assert any("Mode édition ouvert pour Service ESS" in s.value for s in at.success)
    at.selectbox(key="fdr_statut_action").select("A.1.2")
    at.selectbox(key="fdr_statut_valeur").select("réalisée")
    at = at.button(key="fdr_statut_ok").click().run()
    assert not at.exception
    assert any(texte_litteral("A.1.2 : statut « réalisée » enregistré") in s.value for s in at.success)
    assert store.get("niort-2023-2026")["axes"][0]["axes_operationnels"][0]["actions"][1]["statut"] == "réalisée"
    log = store.changelog("niort-2023-2026")
    dernier = log.iloc[0]
    assert (dernier["auteur"], dernier["action_code"], dernier["champ"]) == ("Service ESS", "A.1.2", "statut")
    assert (dernier["ancienne_valeur"], dernier["nouvelle_valeur"]) == ("prévue", "réalisée")
    assert dernier["horodatage"].startswith(str(date.today().year))
    journal = next(df.value for df in at.dataframe if "Auteur" in df.value.columns)
    assert journal.iloc[0]["Auteur"] == "Service ESS"
    realisees = sum(a["statut"] == "réalisée" for ax in store.get("niort-2023-2026")["axes"]
                    for op in ax["axes_operationnels"] for a in op["actions"])  # fmt: skip
    assert "Réalisées" in [m.label for m in at.metric] and at.metric[1].value == str(realisees)
    assert realisees == 1 + sum(  # the example's fictitious follow-up, plus the one just saved
        a["statut"] == "réalisée" for ax in read_roadmap(ROADMAP_EXAMPLES_DIR / "niort-2023-2026.yaml")["axes"]
        for op in ax["axes_operationnels"] for a in op["actions"])  # fmt: skip
    assert db_env.read_bytes() == avant  # the statistics database is never written


def test_closing_editing_and_password_change_lock_the_session(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}))
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
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}, params={"feuille": "test-valide"}))
    assert at.selectbox(key="fdr_feuille").value == "test-valide"
    at.selectbox(key="fdr_ind").set_value("A.1.1\u241fI1")
    at.date_input(key="fdr_ind_date").set_value(date(2025, 6, 30))
    at.number_input(key="fdr_ind_valeur").set_value(7.5)
    at = at.button(key="fdr_ind_ok").click().run()
    assert not at.exception
    assert any(texte_litteral("valeur 7.5 au 30/06/2025") in s.value for s in at.success)
    valeurs = store.get("test-valide")["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][0]["valeurs"]
    assert {"date": "2025-06-30", "valeur": 7.5} in valeurs
    dernier = store.changelog("test-valide").iloc[0]
    assert (dernier["auteur"], dernier["champ"], dernier["nouvelle_valeur"]) == (
        "Service ESS",
        "indicateur I1 (2025-06-30)",
        "7.5",
    )


def test_import_from_the_page_validates_then_stores(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}))
    at.file_uploader(key="fdr_import").upload("invalide.yaml", (FIX / "invalide.yaml").read_bytes())
    at = at.run().button(key="fdr_import_ok").click().run()
    assert any(texte_litteral("Feuille de route invalide « invalide.yaml »") in e.value for e in at.error)
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
    for secrets in (
        {"mot_de_passe_sha256": "secret-en-clair"},
        {"mot_de_passe_empreinte": "scrypt$1048576000$8$1$c2Vs$ZW1wcmVpbnRl"},  # absurd cost: refused, not run
    ):
        at = page(secrets)
        assert not at.exception
        assert any("Configuration d'édition invalide" in w.value for w in at.warning)
        assert any("esscore roadmap mot-de-passe" in w.value for w in at.warning)
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


# --------------------------------------------------------------------------- roadmaps belong to territories

CORSE_DU_SUD = "departement:2A"
CHERBOURG = "commune:50129"  # in the Manche, whose roadmap is the Cotentin example


def test_territory_without_roadmap_says_so_and_offers_the_template_and_an_import(store: RoadmapStore) -> None:
    at = page(params={"territoire": CORSE_DU_SUD})
    assert not at.exception
    assert "Aucune feuille de route pour le département de la Corse\\-du\\-Sud" in textes(at)
    assert "Plan d'actions ESS du Pays du Cotentin" not in textes(at)  # never the Manche's, silently or not
    assert not at.tabs and not [s for s in at.selectbox if s.key == "fdr_feuille"]
    creer = at.button(key="fdr_creer")
    assert creer.label == "Créer la feuille de route à partir du modèle" and creer.disabled  # read-only
    assert at.button(key="fdr_import_nouvelle_ok").disabled
    assert "demande le mode édition" in textes(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Télécharger le modèle (YAML) à remplir" in labels
    assert "Télécharger le diaporama COPIL (PowerPoint)" in labels  # the COPIL deck, without roadmap
    assert "Diaporama COPIL, sans feuille de route" in textes(at)
    assert "ess-departement-2a" not in set(store.list_roadmaps()["id"])


def test_creating_from_the_template_gives_the_territory_its_roadmap(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}, params={"territoire": CORSE_DU_SUD}))
    at = at.button(key="fdr_creer").click().run()
    assert not at.exception
    doc = store.get("ess-departement-2a")
    modele = read_roadmap(ROADMAP_EXAMPLES_DIR / "modele.yaml")
    assert doc["territoire"] == CORSE_DU_SUD and doc["titre"] == "Feuille de route ESS — Corse-du-Sud"
    assert not doc["exemple"] and not doc["suivi_fictif"]
    assert [(a["code"], a["titre"]) for a in doc["axes"]] == [(a["code"], a["titre"]) for a in modele["axes"]]
    assert all(not op["actions"] for a in doc["axes"] for op in a["axes_operationnels"])
    assert store.changelog("ess-departement-2a").iloc[0]["auteur"] == "Service ESS"
    assert any(texte_litteral("« ess-departement-2a » créée pour le département de la Corse-du-Sud") in s.value
               for s in at.success)  # fmt: skip
    assert at.selectbox(key="fdr_feuille").value == "ess-departement-2a"
    assert at.query_params["feuille"] == "ess-departement-2a"
    assert "Aucune feuille de route pour" not in textes(at) and "COPIL" in onglets(at)
    assert "Cette feuille de route ne contient encore aucune action" in textes(at)
    with pytest.raises(EssError, match="déjà enregistrée : elle n'est pas remplacée"):  # never over an existing one
        store.creer_feuille(doc, "Service ESS")


def test_parent_roadmap_is_labelled_and_its_deck_named(store: RoadmapStore) -> None:
    at = page(params={"territoire": CHERBOURG})
    assert not at.exception
    assert "Aucune feuille de route pour la commune de Cherbourg\\-en\\-Cotentin" in textes(at)
    choix = at.selectbox(key="fdr_feuille")
    assert choix.value == "cotentin-2014"
    assert choix.options == [
        "Plan d'actions ESS du Pays du Cotentin (fiches actions 2014) · le département de la Manche "
        "(territoire parent) · exemple"
    ]
    assert any(texte_litteral("Feuille de route du département de la Manche (territoire parent)") in i.value
               for i in at.info)  # fmt: skip
    copil = texte_litteral("Diaporama du département de la Manche avec la feuille de route affichée")
    assert copil in textes(at) and texte_litteral("et non de la commune de Cherbourg-en-Cotentin") in textes(at)


def test_roadmap_of_the_previous_territory_is_not_kept_when_the_territory_changes(store: RoadmapStore) -> None:
    at = page()
    assert at.query_params["feuille"] == "niort-2023-2026"
    at.query_params["territoire"] = CORSE_DU_SUD  # e.g. the sidebar search; ?feuille= is still the Niort one
    at = at.run()
    assert not at.exception
    assert "Aucune feuille de route pour le département de la Corse\\-du\\-Sud" in textes(at)
    assert "feuille" not in at.query_params and not at.tabs


def test_import_from_the_empty_state_shows_the_file_and_says_whose_it_is(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}, params={"territoire": CORSE_DU_SUD}))
    at.file_uploader(key="fdr_import_nouvelle").upload("valide.yaml", (FIX / "valide.yaml").read_bytes())
    at = at.run().button(key="fdr_import_nouvelle_ok").click().run()
    assert not at.exception
    assert at.selectbox(key="fdr_feuille").value == "test-valide"
    assert any("ouverte par son adresse" in w.value and "CA du Niortais" in w.value for w in at.warning)


def test_late_filter_with_no_match_shows_a_french_empty_state(store: RoadmapStore) -> None:
    at = page()
    at.multiselect(key="fdr_f_etat").set_value(["en retard"])
    at.text_input(key="fdr_f_texte").input("aucun intitulé ne contient ce texte")
    at = at.run()
    assert not at.exception
    assert any("Aucune action en retard ne correspond aux filtres choisis, sur 29 action(s)" in i.value
               for i in at.info)  # fmt: skip
    assert not [df for df in at.dataframe if "action_code" in df.value.columns]


def test_bound_indicators_are_read_from_the_base_and_not_typed(store: RoadmapStore) -> None:
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}))
    assert not at.exception
    niort = store.get("niort-2023-2026")
    b32 = next(i for i in find_action(niort, "B.3.2")["indicateurs"] if i["donnee"] == "salaries_estimes")
    assert b32["valeurs"] == [{"date": "2025-11-30", "valeur": 122}]  # read at page load (no build since seeding)
    assert not [k for k in at.selectbox(key="fdr_ind").options if k.startswith("B.3.2")]
    assert "Non saisissables" in textes(at) and texte_litteral("B.3.2-I4") in textes(at)
    lu = "Valeur lue dans les données (« Salariés estimés de l'ESS » du territoire), millésime effectifs 2023, stock"
    assert texte_litteral(lu) in textes(at)
    tableau = next(df.value for df in at.dataframe if "Origine" in df.value.columns)
    assert (tableau["Origine"] == "saisie").sum() == 5 and tableau["Origine"].str.startswith("valeur lue").sum() == 4
    version = store.get_versioned("niort-2023-2026")[1]
    at = page()  # a new session on the same base: nothing to read again, nothing written
    assert store.get_versioned("niort-2023-2026")[1] == version


# --------------------------------------------------------------------------- user text in Markdown and charts

PIEGE = "![img](http://127.0.0.1:9/x.png) [Cliquez ici](http://exemple.org) ~~barré~~ $x^2$ :red[rouge]"
NOM_PIEGE = "[Cliquez ici](javascript:alert(1)) ~~barré~~ $x^2$ - puce.yaml"
UNITES_PIEGES = ["unité\nsur deux lignes", "a\\b", "par\u2028ligne", "par\u2029paragraphe", 'gu"illemet', "€\r\n"]


def test_upload_error_quoting_a_hostile_name_and_value_stays_literal(store: RoadmapStore) -> None:
    """st.error renders Markdown: the file name and the faulty value the message quotes stay plain text."""
    at = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}))
    contenu = (FIX / "valide.yaml").read_text("utf-8").replace("statut: réalisée", f"statut: {json.dumps(PIEGE)}", 1)
    at.file_uploader(key="fdr_import").upload(NOM_PIEGE, contenu.encode("utf-8"))
    at = at.run().button(key="fdr_import_ok").click().run()
    assert not at.exception
    message = next(e.value for e in at.error if "invalide" in e.value)
    assert texte_litteral(NOM_PIEGE) in message and texte_litteral(PIEGE[:40]) in message  # value cut at 60
    assert ponctuation_non_echappee(message) == []  # no link, image, strikethrough, LaTeX, directive, list
    assert len(store.list_roadmaps()) == 2


@pytest.mark.parametrize("unite", UNITES_PIEGES)
def test_indicator_chart_with_a_hostile_unit_renders(unite: str) -> None:
    """A unit with a line break, a backslash or U+2028 made Vega fail (« Expression parse error »)."""
    import vl_convert

    from esscore.ui.feuille_de_route import graphique_indicateur

    mesures = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-06-30"]), "valeur": [1.0, 4.0]})
    spec = graphique_indicateur(mesures, 10.0, unite).to_dict()
    encodage = spec["layer"][0]["encoding"]
    assert [t["title"] for t in encodage["tooltip"]] == ["Date", "Valeur", "Unité"]  # user text: data only
    assert encodage["y"]["title"] == texte_graphique(unite) and "\n" not in encodage["y"]["title"]
    assert "<svg" in vl_convert.vegalite_to_svg(spec)


def test_progress_and_timeline_charts_with_hostile_titles_render() -> None:
    """Axis and action titles are the sort order of the bars: never copied into a Vega expression."""
    import vl_convert

    from esscore.ui.feuille_de_route import graphique_avancement, graphique_calendrier

    doc = read_roadmap(FIX / "valide.yaml")
    for n, axe in enumerate(doc["axes"]):
        axe["titre"] = f"{UNITES_PIEGES[n]} {PIEGE}"
        for op in axe["axes_operationnels"]:
            for action in op["actions"]:
                action["titre"] = f"{action['code']} {UNITES_PIEGES[2]}\n{PIEGE}"
    actions = actions_frame(doc, date(2025, 1, 1))
    calendrier = timeline_frame(actions)
    calendrier = calendrier.assign(etat=calendrier["action_code"].map(actions.set_index("action_code")["etat"]))
    avancement = progress_by_axis(actions)
    for chart in (graphique_avancement(avancement), graphique_calendrier(calendrier, date.today())):
        spec = chart.to_dict()
        assert "\u2028" not in json.dumps(spec["layer"][0]["encoding"] if "layer" in spec else spec["encoding"])
        assert "<svg" in vl_convert.vegalite_to_svg(spec)
