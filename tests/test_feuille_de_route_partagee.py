"""The roadmap page when several people and several servers share one store (issue 18): no silent lost update
between two sessions, on both engines; two server processes on one PostgreSQL store see each other's edits
(the scale-out recipe of docs/deploiement.md, without the proxy: a session stays on its process anyway)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from esscore.roadmap import find_action, read_roadmap
from esscore.store import RoadmapStore
from esscore.text import texte_litteral
from tests.test_feuille_de_route_page import EMPREINTE, MOT_DE_PASSE, ONGLET_EDITION, ouvrir, page

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "roadmap"
FEUILLE = "niort-2023-2026"


@pytest.fixture()
def magasin_partage(db_env: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> RoadmapStore:
    """The page's store (``ESS_STORE``) on each engine, empty: the page seeds it with the examples."""
    monkeypatch.setenv("ESS_STORE", store_url)
    return RoadmapStore(store_url)


def _statut(store: RoadmapStore, code: str) -> str:
    return str((find_action(store.get(FEUILLE), code) or {}).get("statut"))


def test_second_session_sees_the_conflict_keeps_its_input_and_reapplies(magasin_partage: RoadmapStore) -> None:
    secrets = {"mot_de_passe_empreinte": EMPREINTE}
    alice = ouvrir(page(secrets), auteur="Alice")
    bob = ouvrir(page(secrets), auteur="Bob")
    assert ONGLET_EDITION in [t.label for t in alice.tabs] and ONGLET_EDITION in [t.label for t in bob.tabs]
    # both pages were drawn from the same version; Bob saves first
    bob.selectbox(key="fdr_statut_action").select("A.1.2")
    bob.selectbox(key="fdr_statut_valeur").select("réalisée")
    bob = bob.button(key="fdr_statut_ok").click().run()
    assert any(texte_litteral("statut « réalisée » enregistré") in s.value for s in bob.success)
    # Alice, whose page still shows the old status, changes the same action
    alice.selectbox(key="fdr_statut_action").select("A.1.2")
    alice.selectbox(key="fdr_statut_valeur").select("abandonnée")
    alice = alice.button(key="fdr_statut_ok").click().run()
    assert not alice.exception
    avertissements = "\n".join(w.value for w in alice.warning)
    for attendu in ("Modification non enregistrée", "Bob a modifié l'action A.1.2 (statut) le ",
                    "« prévue » → « réalisée »", "statut « abandonnée »"):  # fmt: skip
        assert texte_litteral(attendu) in avertissements, attendu
    assert _statut(magasin_partage, "A.1.2") == "réalisée"  # Bob's change was not overwritten
    # Alice's input is kept, and she may reapply it now that she has seen Bob's change
    assert alice.selectbox(key="fdr_statut_action").value == "A.1.2"
    assert alice.selectbox(key="fdr_statut_valeur").value == "abandonnée"
    assert alice.button(key="fdr_reappliquer").label == "Réappliquer ma modification"
    alice = alice.button(key="fdr_reappliquer").click().run()
    assert any(texte_litteral("statut « abandonnée » enregistré") in s.value for s in alice.success)
    assert not [b for b in alice.button if b.key == "fdr_reappliquer"]
    assert _statut(magasin_partage, "A.1.2") == "abandonnée"
    log = magasin_partage.changelog(FEUILLE)
    assert list(log["auteur"][:2]) == ["Alice", "Bob"]
    assert (log.iloc[0]["ancienne_valeur"], log.iloc[0]["nouvelle_valeur"]) == ("réalisée", "abandonnée")


def test_conflicting_indicator_value_can_be_abandoned(magasin_partage: RoadmapStore) -> None:
    magasin_partage.seed_if_empty()
    magasin_partage.import_roadmap(read_roadmap(FIX / "valide.yaml"), "Import de test")
    alice = ouvrir(page({"mot_de_passe_empreinte": EMPREINTE}, params={"feuille": "test-valide"}), auteur="Alice")
    _, version = magasin_partage.get_versioned("test-valide")
    magasin_partage.add_indicator_value("test-valide", "A.1.1", "I1", "2025-06-30", 5, "Bob", version_vue=version)
    alice.selectbox(key="fdr_ind").set_value("A.1.1\u241fI1")
    alice.date_input(key="fdr_ind_date").set_value(date(2025, 6, 30))
    alice.number_input(key="fdr_ind_valeur").set_value(7.0)
    alice = alice.button(key="fdr_ind_ok").click().run()
    attendu = texte_litteral("Bob a modifié l'action A.1.1 (indicateur I1 (2025-06-30))")
    assert any(attendu in w.value and "« 5 »" in w.value for w in alice.warning)
    alice = alice.button(key="fdr_abandonner").click().run()
    assert any("Modification abandonnée" in i.value for i in alice.info)
    assert not [b for b in alice.button if b.key == "fdr_reappliquer"]
    assert magasin_partage.changelog("test-valide").iloc[0]["auteur"] == "Bob"


# -------------------------------------------------------------- two server processes, one PostgreSQL store

SERVEUR = textwrap.dedent(
    """
    import json, sys
    from streamlit.testing.v1 import AppTest

    role, page, empreinte, mot_de_passe = sys.argv[1:5]
    at = AppTest.from_file(page, default_timeout=120)
    at.secrets["edition"] = {"mot_de_passe_empreinte": empreinte}
    at.run()
    if role == "A":
        at.text_input(key="fdr_auteur").input("Serveur A")
        at.text_input(key="fdr_mdp").input(mot_de_passe)
        at = at.button(key="fdr_ouvrir").click().run()
        at.selectbox(key="fdr_statut_action").select("A.1.2")
        at.selectbox(key="fdr_statut_valeur").select("réalisée")
        at = at.button(key="fdr_statut_ok").click().run()
    journal = next(df.value for df in at.dataframe if "Auteur" in df.value.columns)
    actions = next(df.value for df in at.dataframe if "statut" in df.value.columns)
    print(json.dumps({
        "exception": [str(e.value) for e in at.exception],
        "succes": [s.value for s in at.success],
        "auteur": str(journal.iloc[0]["Auteur"]),
        "statut": str(actions.set_index("action_code").loc["A.1.2", "statut"]),
    }))
    """
)


def _serveur(role: str, env: dict[str, str]) -> dict:
    """One « server »: a fresh Python process running the roadmap page (Streamlit's AppTest) on ``env``."""
    args = [role, str(ROOT / "pages" / "feuille_de_route.py"), EMPREINTE, MOT_DE_PASSE]
    sortie = subprocess.run([sys.executable, "-c", SERVEUR, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=240, check=False)  # fmt: skip
    assert sortie.returncode == 0, sortie.stderr[-3000:]
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def test_two_server_processes_share_one_postgresql_store(db_file: Path, postgres_url: str) -> None:
    from tests.postgres import nouvelle_base

    url = nouvelle_base(postgres_url)
    env = {**os.environ, "ESS_DB": str(db_file), "ESS_STORE": url, "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full"}
    a = _serveur("A", env)  # edits through process A
    assert not a["exception"] and any("statut « réalisée » enregistré" in s for s in a["succes"]), a
    b = _serveur("B", env)  # reads through process B, which never saw A
    assert not b["exception"], b
    assert (b["auteur"], b["statut"]) == ("Serveur A", "réalisée")
    assert RoadmapStore(url).changelog(FEUILLE).iloc[0]["auteur"] == "Serveur A"
