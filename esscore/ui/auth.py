"""Who may edit the roadmaps: Streamlit glue (secrets, session, sidebar form) around ``esscore.auth``.

Rights come from Streamlit secrets only (``[edition]``: the scrypt hash of a shared password, and/or the
e-mails of OIDC-logged-in editors); without secrets everything is read-only. The password check and the
process-wide attempt limiter live in ``esscore.auth``; this module only reads the widgets and the session.

Client address: ``st.context.ip_address``, never a header read here. Streamlit 1.67 serves through
uvicorn, which replaces the TCP peer by the last ``X-Forwarded-For`` address only when the peer is a
trusted proxy (``FORWARDED_ALLOW_IPS``, default ``127.0.0.1,::1``: the nginx of docs/deploiement.md).
Reading ``X-Forwarded-For`` or ``X-Real-IP`` ourselves would let a client that reaches Streamlit without
the proxy choose its own address, and so its own counter. Streamlit reports a local peer as None: without
the proxy header, every client shares the « inconnue » counter (limited together, never exempted).
"""

from __future__ import annotations

import hmac
import logging
import sys
from dataclasses import dataclass
from typing import Any

import streamlit as st

from esscore import auth
from esscore.errors import EssError
from esscore.store import clean_author
from esscore.text import texte_litteral
from esscore.ui import layout

CLE_EDITION = "fdr_edition"
CLE_MESSAGE = "fdr_auth_message"


def _journal_visible() -> None:
    """Send ``esscore`` log records (failed attempts, refusals) to stderr, i.e. journald under systemd.

    Streamlit configures only its own loggers; without a handler, Python would print bare WARNING
    messages and drop the INFO ones (editing opened by password).
    """
    journal = logging.getLogger("esscore")
    if journal.handlers or logging.getLogger().handlers:
        return
    sortie = logging.StreamHandler(sys.stderr)
    sortie.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s : %(message)s"))
    journal.addHandler(sortie)
    journal.setLevel(logging.INFO)


_journal_visible()


@dataclass(frozen=True)
class Droits:
    """Whether this session may edit, as whom, and how it was granted (``oidc`` or ``mot de passe``)."""

    edition: bool
    auteur: str | None = None
    moyen: str = ""


def config_edition() -> dict[str, Any]:
    """The ``[edition]`` secrets section; empty when there is no secrets file (``st.secrets`` raises then)."""
    try:
        section = st.secrets.get("edition")
    except FileNotFoundError:  # StreamlitSecretNotFoundError: no (or unreadable) secrets.toml
        return {}
    return dict(section) if isinstance(section, dict) or hasattr(section, "items") else {}


def auth_configuree() -> bool:
    """True when an OIDC provider is configured (``[auth]`` secrets), so a login button makes sense."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def utilisateur_connecte() -> dict[str, Any]:
    """The OIDC user when really logged in; ``{}`` otherwise (a local run exposes a fake e-mail, never trusted)."""
    try:
        info = st.user.to_dict()
    except (AttributeError, KeyError):
        return {}
    return info if info.get("is_logged_in") is True else {}


def adresse_client() -> str | None:
    """The client's address as Streamlit's server sees it (see the module docstring); None when unknown."""
    try:
        adresse = st.context.ip_address
    except Exception:  # noqa: BLE001 - no session context (bare script run): unknown address
        return None
    return adresse if isinstance(adresse, str) and adresse else None


def droits() -> Droits:
    """Rights of this session, recomputed at every run and before every write."""
    conf = config_edition()
    user = utilisateur_connecte()
    email = str(user.get("email") or "").strip()
    editeurs = {str(e).strip().casefold() for e in conf.get("editeurs") or [] if str(e).strip()}
    if email and email.casefold() in editeurs and user.get("email_verified", True) is not False:
        return Droits(True, email, "oidc")
    session = st.session_state.get(CLE_EDITION)
    empreinte = auth.empreinte_configuree(conf)
    # The session remembers the hash it was opened with: a new password closes every open session.
    if isinstance(session, dict) and empreinte and hmac.compare_digest(str(session.get("empreinte")), empreinte.texte):
        return Droits(True, str(session.get("auteur")), "mot de passe")
    return Droits(False)


def _message(nature: str, texte: str) -> None:
    layout.deposer_message(CLE_MESSAGE, nature, texte)


def _duree(secondes: int) -> str:
    if secondes < 120:
        return f"{secondes} s"
    return f"{-(-secondes // 60)} min"


def message_resultat(resultat: auth.Resultat) -> str:
    """The French message for a refused or failed attempt (never says whether the address is known)."""
    if resultat.refuse and resultat.motif == "global":
        return (
            "Trop d'essais de mot de passe sur le serveur : l'ouverture par mot de passe est suspendue, réessayez "
            f"dans {_duree(resultat.attente)}."
        )
    if resultat.refuse:
        return (
            "Trop d'essais de mot de passe depuis votre adresse : réessayez dans "
            f"{_duree(resultat.attente)} (le délai double à chaque nouvel échec)."
        )
    if resultat.attente:
        return f"Mot de passe incorrect. Prochain essai possible dans {_duree(resultat.attente)}."
    return f"Mot de passe incorrect (encore {resultat.restants} essai(s) avant un délai d'attente)."


def _ouvrir_edition() -> None:
    empreinte = auth.empreinte_configuree(config_edition())
    mot_de_passe = str(st.session_state.get("fdr_mdp") or "")
    st.session_state["fdr_mdp"] = ""  # never keep the password in the session
    if empreinte is None:
        return
    try:
        auteur = clean_author(st.session_state.get("fdr_auteur"))
    except EssError:
        _message("error", "Indiquez votre nom ou votre service : il est inscrit au journal de chaque modification.")
        return
    resultat = auth.essayer_mot_de_passe(mot_de_passe, empreinte, adresse_client())
    if not resultat.ok:
        _message("error", message_resultat(resultat))
        return
    st.session_state[CLE_EDITION] = {"auteur": auteur, "empreinte": empreinte.texte}
    _message("success", f"Mode édition ouvert pour {auteur}.")  # shown literally (layout.alerte)


def _fermer_edition() -> None:
    st.session_state.pop(CLE_EDITION, None)
    _message("info", "Mode édition fermé : la page est en lecture seule.")


def panneau_edition(d: Droits) -> None:
    """Sidebar block: state of the editing mode, password form or login button."""
    with st.sidebar:
        st.markdown("**Mode édition**")
        layout.afficher_depot(CLE_MESSAGE)
        conf = config_edition()
        if d.edition:
            via = "compte connecté" if d.moyen == "oidc" else "mot de passe"
            st.success(f"Édition ouverte pour {texte_litteral(d.auteur)} ({via}).", icon="✏️")
            empreinte = auth.empreinte_configuree(conf)
            if empreinte is not None and empreinte.ancienne:  # shown to editors only, not to every visitor
                st.warning(auth.AVERTISSEMENT_SHA256)
            if d.moyen == "mot de passe":
                st.button("Quitter le mode édition", key="fdr_quitter", on_click=_fermer_edition)
            return
        user = utilisateur_connecte()
        if user:
            st.caption(
                f"Connecté·e : {texte_litteral(user.get('email') or '?')} — lecture seule (non inscrit·e comme "
                "éditeur)."
            )
        empreinte = auth.empreinte_configuree(conf)
        if empreinte:
            with st.form("fdr_form_edition", clear_on_submit=False, border=False):
                st.text_input("Votre nom ou service", key="fdr_auteur", max_chars=100)
                st.text_input("Mot de passe d'édition", key="fdr_mdp", type="password")
                st.form_submit_button("Ouvrir l'édition", key="fdr_ouvrir", on_click=_ouvrir_edition)
        elif cle := auth.empreinte_invalide(conf):
            st.warning(
                f"Configuration d'édition invalide : `{cle}` n'est pas une empreinte reconnue. Produisez-la avec "
                f'« {auth.COMMANDE} » (ligne `{auth.CLE_EMPREINTE} = "scrypt$…"`).'
            )
        if auth_configuree() and not user:
            st.button("Se connecter", key="fdr_login", on_click=st.login)
        if not empreinte and not conf.get("editeurs"):
            st.caption(
                "Lecture seule : l'édition n'est pas configurée (README, « Feuille de route : édition et sauvegarde »)."
            )
