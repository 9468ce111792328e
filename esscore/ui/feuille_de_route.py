"""Roadmap page: the editable store, who may edit, the views (progress, table, timeline, indicators, levers).

Why edits go through callbacks that re-check the rights: a callback runs before the page is drawn again, so
the page always shows the store as it is after the change, and a session cannot write just because a form was
shown to it earlier. Rights (``esscore.ui.auth``) come from Streamlit secrets only (``[edition]``: the salted
hash of a shared password, and/or the e-mails of OIDC-logged-in editors); without secrets the page is read-only
for everyone. The statistics database is never written: everything edited here lives in the editable store
(``esscore.store``: SQLite file or PostgreSQL database). An edit carries the roadmap version the page was drawn
from: when someone else changed the same thing meanwhile, the store refuses it (``ConflitEdition``) and the edit
tab shows the other person's change with « Réappliquer ma modification » (the session keeps the edit).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import altair as alt
import pandas as pd
import streamlit as st

from esscore import benchmark, indicateurs_lies, roadmap
from esscore.avancement import timeline_frame
from esscore.charts import AXE_SUR_LIGNES, libelle_sur_lignes, texte_graphique, tri_selon
from esscore.copil import COULEURS_ETATS
from esscore.errors import ConflitEdition, EssError
from esscore.exports import Metadonnees
from esscore.geography import Territoire
from esscore.labels import fmt_int, fmt_pct, indicator_label
from esscore.phrases import de, designation
from esscore.sources import citation
from esscore.store import modele_path
from esscore.text import texte_litteral
from esscore.ui import blocs, cache, layout
from esscore.ui.auth import droits

CLE_FLASH = "fdr_flash"
CLE_FEUILLE = "fdr_feuille"
CLE_FEUILLE_POUR = "fdr_feuille_pour"  # the territory this page last wrote ``?feuille=`` for
CLE_CONFLIT = "fdr_conflit"


# --------------------------------------------------------------------------- messages (rights: esscore.ui.auth)


def _flash(nature: str, texte: str) -> None:
    layout.deposer_message(CLE_FLASH, nature, texte)  # plain text quoting names, values, file names


def afficher_flash() -> None:
    """Show (once) the message left by the last edit callback."""
    layout.afficher_depot(CLE_FLASH)


# --------------------------------------------------------------------------- edit callbacks


def _refus() -> bool:
    if droits().edition:
        return False
    _flash("error", "Modification refusée : le mode édition n'est pas ouvert dans cette session.")
    return True


def _enregistrer_statut(feuille_id: str, version: int | None = None) -> None:
    if _refus():
        return
    code = st.session_state.get("fdr_statut_action")
    statut = st.session_state.get("fdr_statut_valeur")
    _appliquer({"nature": "statut", "feuille": feuille_id, "action": str(code), "statut": str(statut)}, version)


def _enregistrer_valeur(feuille_id: str, version: int | None = None) -> None:
    if _refus():
        return
    choix = st.session_state.get("fdr_ind")
    if not choix:
        return
    action_code, indicateur_code = str(choix).split("\u241f", 1)
    jour = st.session_state.get("fdr_ind_date") or date.today()
    valeur = st.session_state.get("fdr_ind_valeur")
    edition = {"nature": "valeur", "feuille": feuille_id, "action": action_code, "indicateur": indicateur_code,
               "date": jour.isoformat(), "valeur": valeur}  # fmt: skip
    _appliquer(edition, version)


def _appliquer(edition: dict[str, Any], version: int | None) -> None:
    """Write one edit over the roadmap version the editor saw; a conflict keeps the edit to show and reapply."""
    d = droits()
    st.session_state.pop(CLE_CONFLIT, None)
    store, feuille, action = cache.magasin(), edition["feuille"], edition["action"]
    try:
        if edition["nature"] == "statut":
            change = store.set_status(feuille, action, edition["statut"], str(d.auteur), version_vue=version)
        else:
            jour = date.fromisoformat(edition["date"])
            store.add_indicator_value(feuille, action, edition["indicateur"], jour, edition["valeur"], str(d.auteur),
                                      version_vue=version)  # fmt: skip
    except ConflitEdition as err:
        st.session_state[CLE_CONFLIT] = {**edition, "version": err.version, "message": str(err)}
        _flash("warning", "Modification non enregistrée : quelqu'un d'autre a modifié la même chose entre-temps "
                          "(détail dans l'onglet « ✏️ Mise à jour »).")  # fmt: skip
        return
    except EssError as err:
        _flash("error", str(err))
        return
    if edition["nature"] == "valeur":
        _flash("success", f"Indicateur {edition['indicateur']} ({action}) : valeur {edition['valeur']:g} au "
                          f"{jour:%d/%m/%Y} enregistrée.")  # fmt: skip
    elif change:
        _flash("success", f"Action {action} : statut « {edition['statut']} » enregistré (journal : {d.auteur}).")
    else:
        _flash("info", f"Action {action} : le statut était déjà « {edition['statut']} » ; rien n'a changé.")


def _reappliquer() -> None:
    """The refused edit again, over the version that holds the other person's change (now seen)."""
    if _refus():
        return
    conflit = st.session_state.get(CLE_CONFLIT)
    if conflit:
        edition = {k: v for k, v in conflit.items() if k not in ("version", "message")}
        _appliquer(edition, conflit["version"])


def _abandonner() -> None:
    st.session_state.pop(CLE_CONFLIT, None)
    _flash("info", "Modification abandonnée : rien n'a été enregistré.")


def conflit_en_attente(feuille_id: str) -> None:
    """This session's refused edit: the other person's change (who, when, old → new) and the two choices."""
    conflit = st.session_state.get(CLE_CONFLIT)
    if not conflit or conflit["feuille"] != feuille_id:
        return
    layout.alerte(conflit["message"], "warning")
    col1, col2 = st.columns(2)
    col1.button("Réappliquer ma modification", key="fdr_reappliquer", on_click=_reappliquer, type="primary")
    col2.button("Abandonner ma modification", key="fdr_abandonner", on_click=_abandonner)


def _importer(cle: str = "fdr_import") -> None:
    if _refus():
        return
    d = droits()
    fichier = st.session_state.get(cle)
    if fichier is None:
        _flash("error", "Choisissez d'abord un fichier YAML ou CSV.")
        return
    nom = Path(str(fichier.name)).name or "import.yaml"
    nom = Path(nom).stem[:100] + Path(nom).suffix[:10]  # a 300-character name exceeds the file system's limit
    try:
        with tempfile.TemporaryDirectory(prefix="fdr-import-") as tmp:
            chemin = Path(tmp) / nom
            chemin.write_bytes(fichier.getvalue())
            doc = roadmap.read_roadmap(chemin)
        roadmap.verifier_territoire(doc, nom, cache.territoire)  # epci:000000000 has the right form, no reality
        cache.magasin().import_roadmap(doc, str(d.auteur), fichier=nom)
    except EssError as err:
        _flash("error", str(err))
        return
    except OSError as err:
        _flash("error", f"Fichier « {nom} » illisible ({err.strerror or err}) : renommez-le puis réessayez.")
        return
    st.session_state[CLE_FEUILLE] = doc["id"]
    st.session_state[CLE_FEUILLE_POUR] = None  # shown next even if it is another territory's (and said so)
    st.query_params["feuille"] = doc["id"]
    _flash("success", f"Feuille de route « {doc['id']} » importée depuis « {nom} ».")


def _bloc_import(cle: str, edition: bool = True) -> None:
    """The file import (YAML or CSV), entirely validated first: the uploader and its button."""
    st.caption(
        "Le fichier est entièrement validé avant tout enregistrement ; une feuille de même "
        "identifiant est remplacée. Format : data/feuilles_de_route/README.md."
    )
    st.file_uploader("Fichier", type=["yaml", "yml", "csv"], key=cle, max_upload_size=5, disabled=not edition)
    st.button("Importer", key=f"{cle}_ok", on_click=_importer, args=(cle,), disabled=not edition)


def formulaires_edition(
    doc: dict[str, Any], actions: pd.DataFrame, indicateurs: pd.DataFrame, version: int | None = None
) -> None:
    """Status, indicator value and import forms (shown only when editing is open); ``version``: the roadmap
    version ``doc`` was read at (``RoadmapStore.get_versioned``), carried by each save."""
    feuille_id = str(doc["id"])
    conflit_en_attente(feuille_id)
    if doc.get("exemple"):
        st.caption("Feuille d'exemple : vos modifications sont enregistrées et journalisées comme pour les autres.")
    col1, col2 = st.columns(2)
    with col1, st.form("fdr_form_statut"):
        st.markdown("**Statut d'une action**")
        titres = dict(zip(actions["action_code"], actions["action_titre"], strict=True))
        statuts = dict(zip(actions["action_code"], actions["statut"], strict=True))
        st.selectbox(
            "Action", list(titres), key="fdr_statut_action", format_func=lambda c: f"{c} – {titres[c]} ({statuts[c]})"
        )
        st.selectbox("Nouveau statut", list(roadmap.STATUTS), key="fdr_statut_valeur")
        st.form_submit_button(
            "Enregistrer le statut",
            key="fdr_statut_ok",
            on_click=_enregistrer_statut,
            args=(feuille_id, version),
            disabled=actions.empty,
        )
    with col2, st.form("fdr_form_valeur"):
        st.markdown("**Valeur d'un indicateur**")
        toutes = indicateurs.drop_duplicates(["action_code", "indicateur_code"])
        liste = toutes[toutes["donnee"].isna()]  # a bound indicator's value is read from the base, never typed
        options = {
            f"{r.action_code}\u241f{r.indicateur_code}": f"{r.action_code} · {r.indicateur_code} – {r.libelle}"
            + (f" ({r.unite})" if isinstance(r.unite, str) and r.unite else "")
            for r in liste.itertuples()
        }
        st.selectbox(
            "Indicateur",
            list(options),
            key="fdr_ind",
            format_func=lambda k: options[k],
            placeholder="Aucun indicateur à saisir dans cette feuille de route",
        )
        st.date_input("Date de la mesure", key="fdr_ind_date", value=date.today(), format="DD/MM/YYYY")
        st.number_input("Valeur", key="fdr_ind_valeur", value=0.0, step=1.0, format="%g")
        st.form_submit_button(
            "Enregistrer la valeur",
            key="fdr_ind_ok",
            on_click=_enregistrer_valeur,
            args=(feuille_id, version),
            disabled=not options,
        )
        liees = toutes[toutes["donnee"].notna()]
        if not liees.empty:
            codes = ", ".join(texte_litteral(c) for c in liees["indicateur_code"])
            st.caption(f"Non saisissables, valeur lue dans les données à chaque construction de la base : {codes}.")
    with st.expander("Importer ou remplacer une feuille de route (YAML ou CSV)"):
        _bloc_import("fdr_import")


# --------------------------------------------------------------------------- choosing the roadmap


def _designation(territoire_id: str) -> str:
    """« le département de la Manche », « la CA du Niortais » (``phrases.designation``); the raw id when unknown."""
    try:
        t = cache.territoire(territoire_id)
    except EssError:
        return territoire_id
    return designation(t.type, t.nom, t.code)


def feuilles_proches(feuilles: pd.DataFrame, terr: Territoire) -> list[tuple[str, str | None]]:
    """The roadmaps of ``terr`` then of its parents (nearest first), as ``(id, parent id or None)``.

    Within one territory its own roadmaps come before examples, the most recently imported first (the rule of
    ``copil.feuille_du_territoire``). Never another territory's: those are only opened by their address.
    """
    if feuilles.empty:
        return []
    ordre = feuilles.sort_values(["exemple", "imported_at", "id"], ascending=[True, False, True], kind="stable")
    proches: list[tuple[str, str | None]] = []
    for tid in [terr.id, *(f"{p['type']}:{p['code']}" for p in terr.parents)]:
        parent = None if tid == terr.id else tid
        proches += [(str(i), parent) for i in ordre.loc[ordre["territoire"] == tid, "id"]]
    return proches


def _url_feuille(ids: list[str], terr: Territoire) -> str | None:
    """The roadmap the URL asks for (``?feuille=ID``): a link to follow, not one this page wrote for a territory
    the sidebar has since left (that one is dropped); an unknown id is reported."""
    depuis_url = st.query_params.get("feuille")
    pour = st.session_state.get(CLE_FEUILLE_POUR)
    if depuis_url and pour is not None and pour != terr.id:
        del st.query_params["feuille"]
        return None
    return layout.parametre_url("feuille", ids)


def choisir_feuille(feuilles: pd.DataFrame, terr: Territoire, edition: bool) -> str | None:
    """The roadmap shown for ``terr``: its own, else a parent's (labelled), or one opened by its address (said);
    without one of its own, « Aucune feuille de route pour … » and the two ways to start one. Kept in the URL."""
    ids = [str(i) for i in feuilles["id"]]
    proches = feuilles_proches(feuilles, terr)
    parents = dict(proches)
    depuis_url = _url_feuille(ids, terr)
    options = [i for i, _ in proches] + ([depuis_url] if depuis_url and depuis_url not in parents else [])
    if not any(p is None for p in parents.values()):
        aucune_feuille(terr, edition)
    if not options:
        _autres_territoires(feuilles, terr)
        return None
    if st.session_state.get(CLE_FEUILLE) not in options:  # first run, or another territory: the URL's, else the nearest
        st.session_state[CLE_FEUILLE] = depuis_url or options[0]
    lignes = {str(r.id): r for r in feuilles.itertuples(index=False)}
    choix = str(st.selectbox("Feuille de route", options, key=CLE_FEUILLE,
                             format_func=lambda i: _libelle(lignes[i], i in parents, parents.get(i))))  # fmt: skip
    st.session_state[CLE_FEUILLE_POUR] = terr.id
    if st.query_params.get("feuille") != choix:
        st.query_params["feuille"] = choix
    _rattachement(lignes[choix], terr, choix in parents, parents.get(choix))
    _autres_territoires(feuilles, terr)
    return choix


def _libelle(ligne: Any, proche: bool, parent: str | None) -> str:
    """A roadmap in the selector: its title, whose it is when not the territory's own, « exemple »."""
    morceaux = [str(ligne.titre)]
    if parent:
        morceaux.append(f"{_designation(parent)} (territoire parent)")
    elif not proche:
        morceaux.append("autre territoire" if ligne.territoire else "sans territoire")
    if ligne.exemple:
        morceaux.append("exemple")
    return " · ".join(morceaux)


def _rattachement(ligne: Any, terr: Territoire, proche: bool, parent: str | None) -> None:
    """Say whose roadmap is shown when it is not the territory's own."""
    qui = designation(terr.type, terr.nom, terr.code)
    if parent:
        layout.alerte(f"Feuille de route {de(_designation(parent))} (territoire parent) : elle couvre aussi {qui}.",
                      "info", icon="🧭")  # fmt: skip
    elif not proche and ligne.territoire:
        layout.alerte(f"Feuille de route {de(_designation(str(ligne.territoire)))}, ouverte par son adresse : ce "
                      f"n'est ni celle {de(qui)} ni celle d'un de ses territoires parents.", "warning")  # fmt: skip
    elif not proche:
        layout.alerte(f"Feuille de route sans territoire rattaché, ouverte par son adresse : ce n'est pas celle "
                      f"{de(qui)}.", "warning")  # fmt: skip


def _autres_territoires(feuilles: pd.DataFrame, terr: Territoire) -> None:
    """Links to the roadmaps of other territories, each named by its territory (never opened by default)."""
    proches = {i for i, _ in feuilles_proches(feuilles, terr)}
    autres = feuilles[~feuilles["id"].astype(str).isin(proches)]
    if autres.empty:
        return
    with st.expander(f"Feuilles de route d'autres territoires ({len(autres)})"):
        for r in autres.itertuples(index=False):
            params = {"feuille": str(r.id), **({"territoire": str(r.territoire)} if r.territoire else {})}
            qui = _designation(str(r.territoire)) if r.territoire else "sans territoire"
            lien = "feuille-de-route?" + "&".join(f"{k}={_url(v)}" for k, v in params.items())
            st.markdown(f"- [{texte_litteral(r.titre)}]({lien}) — {texte_litteral(qui)}")


# --------------------------------------------------------------------------- a territory without roadmap


def aucune_feuille(terr: Territoire, edition: bool) -> None:
    """« Aucune feuille de route pour … » and the two ways forward: the template, or a file (edit rights)."""
    qui = designation(terr.type, terr.nom, terr.code)
    st.info(f"**Aucune feuille de route pour {texte_litteral(qui)}.** Deux façons d'en commencer une :", icon="🗺️")
    modele = _modele()
    col1, col2 = st.columns(2)
    with col1:
        st.markdown("**À partir du modèle**")
        st.caption(f"Les axes types des feuilles de route d'exemple ({_resume_modele(modele)}), sans action : "
                   f"identifiant « {roadmap.identifiant_territoire(terr.id)} », à compléter par import.")  # fmt: skip
        st.button("Créer la feuille de route à partir du modèle", key="fdr_creer", on_click=_creer,
                  args=(terr.id,), disabled=not edition or modele is None, type="primary", icon="🗺️")  # fmt: skip
        if modele is not None:  # the template prefilled for the territory, to fill in and import (same id)
            propre = roadmap.feuille_depuis_modele(modele, terr.id, terr.nom)
            st.download_button("Télécharger le modèle (YAML) à remplir", data=roadmap.en_yaml(propre).encode("utf-8"),
                               file_name=f"{propre['id']}.yaml", mime="application/yaml", key="fdr_modele_yaml",
                               on_click="ignore")  # fmt: skip
    with col2:
        st.markdown("**À partir d'un fichier**")
        _bloc_import("fdr_import_nouvelle", edition)
    if not edition:
        st.caption("Créer ou importer une feuille de route demande le mode édition (barre latérale).")


def _modele() -> dict[str, Any] | None:
    """The validated template (data/feuilles_de_route/modele.yaml), None when it cannot be read."""
    try:
        return roadmap.read_roadmap(modele_path())
    except EssError:
        return None


def _resume_modele(doc: dict[str, Any] | None) -> str:
    if doc is None:
        return "modèle illisible : créez-la par import"
    n_ops = sum(len(a["axes_operationnels"]) for a in doc["axes"])
    return f"{len(doc['axes'])} axes stratégiques, {n_ops} axes opérationnels"


def _creer(territoire_id: str) -> None:
    """Write the territory's roadmap from the template (never over an existing one), then show it."""
    if _refus():
        return
    try:
        terr = cache.territoire(territoire_id)
        doc = _modele()
        if doc is None:
            raise EssError(f"Modèle de feuille de route illisible ({modele_path().name}) : créez-la par import.")
        nouvelle = roadmap.feuille_depuis_modele(doc, terr.id, terr.nom)
        cache.magasin().creer_feuille(nouvelle, str(droits().auteur))
    except EssError as err:
        _flash("error", str(err))
        return
    st.session_state[CLE_FEUILLE] = nouvelle["id"]
    st.session_state[CLE_FEUILLE_POUR] = terr.id
    qui = designation(terr.type, terr.nom, terr.code)
    _flash("success", f"Feuille de route « {nouvelle['id']} » créée pour {qui} à partir du modèle : ajoutez ses "
                      "actions en important un fichier de même identifiant.")  # fmt: skip


def lire_feuille(feuille_id: str) -> tuple[dict[str, Any], int]:
    """The roadmap and its version, its indicators bound to a figure read again first when the base is newer than
    their last reading (a comparison with the base's cached ``meta``; the refresh writes only what changed)."""
    store = cache.magasin()
    doc, version = store.get_versioned(feuille_id)
    m = indicateurs_lies.millesime(cache.meta()) if cache.has_ess() else None
    if indicateurs_lies.a_rafraichir(doc, m):
        try:
            indicateurs_lies.rafraichir(cache.con(), store, [feuille_id])
        except EssError as err:
            layout.alerte(f"Indicateurs liés aux données non relus : {err}", "warning")
            return doc, version
        doc, version = store.get_versioned(feuille_id)
    return doc, version


def legende_copil(doc: dict[str, Any], terr: Territoire) -> None:
    """Which deck the COPIL tab builds: the roadmap shown, with the figures of its own territory."""
    territoire_id = str(doc.get("territoire") or terr.id)
    qui = _designation(territoire_id)
    texte = f"Diaporama {de(qui)} avec la feuille de route affichée (« {doc.get('titre')} »)"
    if territoire_id != terr.id:
        texte += (
            f", et non {de(designation(terr.type, terr.nom, terr.code))} : pour celui-ci sans cette feuille, "
            "utilisez le bouton « Diaporama COPIL » du Panorama"
        )
    st.caption(texte_litteral(texte + "."))


def nom_territoire(territoire_id: str | None) -> str | None:
    """« Nom (TYPE) » of a roadmap's territory, or the raw id when the database does not know it."""
    if not territoire_id:
        return None
    try:
        return cache.territoire(territoire_id).libelle
    except EssError:
        return territoire_id


def citation_feuille(source: dict[str, Any]) -> str:
    """The roadmap's source cited in Markdown (``esscore.sources.citation``, with the file's own ``url``)."""
    return citation(source.get("document"), source.get("section"), source.get("date"), source.get("url"),
                    markdown=True)  # fmt: skip


def entete(doc: dict[str, Any]) -> None:
    """Title, territory, period, governance, source; examples are labelled as such."""
    st.subheader(texte_litteral(doc.get("titre")))
    morceaux = []
    terr = nom_territoire(doc.get("territoire"))
    if terr:
        morceaux.append(f"Territoire : {texte_litteral(terr)}")
    periode = doc.get("periode") or {}
    if periode.get("debut") or periode.get("fin"):
        morceaux.append("Période : " + texte_litteral(f"{_date(periode.get('debut'))} → {_date(periode.get('fin'))}"))
    if morceaux:
        st.caption(" · ".join(morceaux))
    source = doc.get("source") or {}
    src = citation_feuille(source) if any(source.get(k) for k in ("document", "section", "date")) else ""
    if doc.get("exemple") and doc.get("suivi_fictif"):
        lies = any(True for _ in roadmap.iter_indicateurs_lies(doc))
        sauf = " (sauf ceux des indicateurs liés aux données, lus dans la base)" if lies else ""
        st.warning(
            f"**Exemple, avancement fictif** — le plan (axes, actions) vient d'un document public : "
            f"{src or 'source non précisée'}. Les statuts, échéances et valeurs d'indicateurs{sauf} sont "
            "**inventés** pour montrer un suivi de démonstration : ils ne décrivent pas l'action réelle de la "
            "collectivité.",
            icon="🧪",
        )
    elif doc.get("exemple"):
        st.info(
            f"**Exemple** — feuille de route d'exemple, reconstituée à partir d'un document public : elle ne "
            f"reflète pas le suivi réel de la collectivité. Source : {src or 'non précisée'}.",
            icon="📄",
        )
    elif src:
        st.caption(f"Source : {src}")
    if doc.get("gouvernance"):
        st.caption(f"Gouvernance : {texte_litteral(doc['gouvernance'])}")
    if doc.get("note"):
        st.caption(f"Note : {texte_litteral(doc['note'])}")


def _date(valeur: Any) -> str:
    if valeur is None or valeur is pd.NaT or (isinstance(valeur, float) and pd.isna(valeur)):
        return "…"
    try:
        return pd.Timestamp(valeur).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(valeur)


# --------------------------------------------------------------------------- charts (page sizes)


def _echelle_etats() -> alt.Scale:
    return alt.Scale(domain=list(COULEURS_ETATS), range=list(COULEURS_ETATS.values()))


def graphique_avancement(avancement: pd.DataFrame) -> alt.Chart:
    """Stacked bars: actions per strategic axis and displayed state."""
    long = avancement.melt(
        id_vars=["axe", "axe_titre"], value_vars=list(roadmap.ETATS), var_name="etat", value_name="n"
    )
    long = long[long["n"] > 0].copy()
    long["ordre"] = long["etat"].map({e: i for i, e in enumerate(roadmap.ETATS)})
    long["libelle"] = [libelle_sur_lignes(f"{a} · {t}") for a, t in zip(long["axe"], long["axe_titre"], strict=True)]
    long["rang"] = long["axe"].map({a: i for i, a in enumerate(dict.fromkeys(avancement["axe"]))})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("libelle:N", title=None, sort=tri_selon("rang"), axis=alt.Axis(**AXE_SUR_LIGNES)),
            x=alt.X("sum(n):Q", title="Nombre d'actions", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("etat:N", title="État", scale=_echelle_etats()),
            order=alt.Order("ordre:Q"),
            tooltip=[
                alt.Tooltip("axe_titre:N", title="Axe"),
                alt.Tooltip("etat:N", title="État"),
                alt.Tooltip("n:Q", title="Actions"),
            ],
        )
        .properties(height=max(120, 46 * long["libelle"].nunique()))
    )


def graphique_calendrier(calendrier: pd.DataFrame, today: date) -> alt.Chart:
    """Gantt-like timeline (one bar per dated action, coloured by state) with a rule at today."""
    calendrier = calendrier.assign(libelle=calendrier["libelle"].map(texte_graphique), rang=range(len(calendrier)))
    base = alt.Chart(calendrier).encode(
        y=alt.Y("libelle:N", title=None, sort=tri_selon("rang"), axis=alt.Axis(labelLimit=420)),
    )
    barres = base.mark_bar(cornerRadius=3, height=16).encode(
        x=alt.X("debut:T", title=None, axis=alt.Axis(format="%m/%Y")),
        x2="fin:T",
        color=alt.Color("etat:N", title="État", scale=_echelle_etats()),
        tooltip=[
            alt.Tooltip("action_code:N", title="Action"),
            alt.Tooltip("action_titre:N", title="Intitulé"),
            alt.Tooltip("debut:T", title="Début", format="%d/%m/%Y"),
            alt.Tooltip("fin:T", title="Fin", format="%d/%m/%Y"),
            alt.Tooltip("etat:N", title="État"),
        ],
    )
    jour = pd.DataFrame({"jour": [pd.Timestamp(today)], "texte": ["aujourd'hui"]})
    regle = alt.Chart(jour).mark_rule(color="#111827", strokeDash=[4, 3]).encode(x="jour:T")
    return alt.layer(barres, regle).properties(height=max(120, 24 * len(calendrier)))


def graphique_indicateur(mesures: pd.DataFrame, cible: float | None, unite: str | None) -> alt.Chart:
    """Measured values over time, with the target as a dashed line.

    The unit is user text: it travels as a data field (tooltip) and as the axis title (one line), never as a
    tooltip title, which Vega-Lite pastes unescaped into a Vega expression (a line break, a U+2028 in a unit
    made the whole chart fail: « Expression parse error »).
    """
    unite = texte_graphique(unite)
    points = (
        alt.Chart(mesures.assign(unite=unite or "–"))
        .mark_line(point=alt.OverlayMarkDef(size=80))
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%d/%m/%Y", tickCount=5)),
            y=alt.Y("valeur:Q", title=unite or "valeur"),
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%d/%m/%Y"),
                alt.Tooltip("valeur:Q", title="Valeur"),
                alt.Tooltip("unite:N", title="Unité"),
            ],
        )
    )
    couches: list[alt.Chart] = [points]
    if cible is not None:
        regle = pd.DataFrame({"cible": [cible]})
        couches.append(alt.Chart(regle).mark_rule(color="#C53030", strokeDash=[6, 4]).encode(y="cible:Q"))
    return alt.layer(*couches).properties(height=220)


# --------------------------------------------------------------------------- views


def resume(actions: pd.DataFrame, avancement: pd.DataFrame) -> None:
    """Counts by state and the completion rate, then the chart and the table by axis."""
    totaux = {e: int((actions["etat"] == e).sum()) for e in roadmap.ETATS}
    base = len(actions) - totaux["abandonnée"]
    cols = st.columns(6)
    cols[0].metric("Actions", fmt_int(len(actions)))
    libelles = {"réalisée": "Réalisées", "en cours": "En cours", "prévue": "Prévues", "en retard": "En retard"}
    for col, (etat, libelle) in zip(cols[1:5], libelles.items(), strict=True):
        col.metric(libelle, fmt_int(totaux[etat]))
    cols[5].metric("Taux de réalisation", fmt_pct(totaux["réalisée"] / base, 0) if base else "–")
    if totaux["abandonnée"]:
        st.caption(f"{totaux['abandonnée']} action(s) abandonnée(s), exclue(s) du taux de réalisation.")
    if avancement.empty:
        return
    st.altair_chart(graphique_avancement(avancement), width="stretch")
    tableau = avancement.assign(
        taux_realisation=avancement["taux_realisation"].map(lambda v: fmt_pct(v, 0)),
        **{e: avancement[e].map(fmt_int) for e in [*roadmap.ETATS, "total"]},
    )
    colonnes = {"axe": "Axe", "axe_titre": "Intitulé", **{e: e.capitalize() for e in roadmap.ETATS},
                "total": "Total", "taux_realisation": "Taux de réalisation"}  # fmt: skip
    # an HTML table that wraps (nine columns do not fit a grid at 1 280 px): also the chart's text alternative
    blocs.tableau(tableau.rename(columns=colonnes)[list(colonnes.values())], "Avancement par axe", "Aucun axe.")
    st.caption(
        "« En retard » : action prévue ou en cours dont la date de fin est passée. Taux de réalisation : "
        "réalisées / (total − abandonnées)."
    )


def table_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """The action table with its filters (axis, state, lever, pilot, free text); returns the filtered rows."""
    c1, c2, c3, c4 = st.columns(4)
    # select_all=False: no English « Select all » entry (an empty filter already means every action)
    axes = c1.multiselect("Axe", list(dict.fromkeys(actions["axe_code"])), key="fdr_f_axe", placeholder="Tous",
                          select_all=False)  # fmt: skip
    etats = c2.multiselect("État", list(roadmap.ETATS), key="fdr_f_etat", placeholder="Tous", select_all=False)
    leviers = c3.multiselect("Levier", sorted(actions["levier"].dropna().unique()), key="fdr_f_levier",
                             placeholder="Tous", select_all=False)  # fmt: skip
    pilotes = c4.multiselect("Pilote", sorted(actions["pilote"].dropna().unique()), key="fdr_f_pilote",
                             placeholder="Tous", select_all=False)  # fmt: skip
    texte = st.text_input("Rechercher dans les intitulés et descriptions", key="fdr_f_texte", max_chars=80)
    masque = pd.Series(True, index=actions.index)
    if axes:
        masque &= actions["axe_code"].isin(axes)
    if etats:
        masque &= actions["etat"].isin(etats)
    if leviers:
        masque &= actions["levier"].isin(leviers)
    if pilotes:
        masque &= actions["pilote"].isin(pilotes)
    for mot in texte.casefold().split():
        contenu = (actions["action_titre"].fillna("") + " " + actions["description"].fillna("")).str.casefold()
        masque &= contenu.str.contains(mot, regex=False)
    vue = actions[masque]
    if vue.empty:  # st.dataframe would show Streamlit's English « empty »
        st.info(_aucune_action(len(actions), etats))
        return vue
    vue = vue.assign(**{c: vue[c].fillna("") for c in ["pilote", "partenaires", "levier"]})
    # two grids of widths that fit the page at 1 280 px (never scrolled sideways): the essentials, then the rest
    _grille_actions(vue, ACTIONS_ESSENTIEL)
    with st.expander("Autres colonnes : axe opérationnel, partenaires, levier, budget, début, statut enregistré"):
        _grille_actions(vue, ACTIONS_DETAIL)
    st.caption(f"{len(vue)} action(s) sur {len(actions)}.")
    return vue


# column → (French header, width in pixels); each group's widths add up to less than the page's 818 px at 1 280 px
ACTIONS_ESSENTIEL: dict[str, tuple[str, int]] = {
    "action_code": ("Code", 70), "action_titre": ("Action", 360), "pilote": ("Pilote", 160),
    "fin": ("Fin", 95), "etat": ("État", 95),
}  # fmt: skip
ACTIONS_DETAIL: dict[str, tuple[str, int]] = {
    "action_code": ("Code", 70), "axe_op_code": ("Axe op.", 70), "partenaires": ("Partenaires", 200),
    "levier": ("Levier", 150), "budget_eur": ("Budget (€)", 100), "debut": ("Début", 95),
    "statut": ("Statut enregistré", 110),
}  # fmt: skip


def _grille_actions(vue: pd.DataFrame, colonnes: dict[str, tuple[str, int]]) -> None:
    def config(col: str, titre: str, largeur: int) -> Any:
        if col == "budget_eur":
            return st.column_config.NumberColumn(titre, format="localized", width=largeur)
        if col in ("debut", "fin"):
            return st.column_config.DateColumn(titre, format="DD/MM/YYYY", width=largeur)
        return st.column_config.TextColumn(titre, width=largeur)

    st.dataframe(vue[list(colonnes)], hide_index=True, width="stretch",
                 column_config={c: config(c, t, w) for c, (t, w) in colonnes.items()})  # fmt: skip


def _aucune_action(total: int, etats: list[str]) -> str:
    """The French empty state of the action table: why no row is shown."""
    if not total:
        return "Cette feuille de route ne contient encore aucune action : importez-les (fichier YAML ou CSV)."
    quoi = f"aucune action {' ou '.join(etats)}" if etats else "aucune action"
    return (f"{quoi[:1].upper()}{quoi[1:]} ne correspond aux filtres choisis, sur {total} action(s) : retirez un "
            "filtre ou élargissez la recherche.")  # fmt: skip


def calendrier(actions: pd.DataFrame, today: date) -> None:
    tl = timeline_frame(actions)
    sans_dates = len(actions) - len(tl)
    if tl.empty:
        st.info("Aucune action n'a à la fois une date de début et une date de fin : pas de calendrier à tracer.")
        return
    etats = actions.set_index("action_code")["etat"]
    tl = tl.assign(etat=tl["action_code"].map(etats))
    st.altair_chart(graphique_calendrier(tl, today), width="stretch")
    if sans_dates:
        st.caption(f"{sans_dates} action(s) sans date de début ou de fin ne figurent pas sur le calendrier.")


def indicateurs_vue(indicateurs: pd.DataFrame) -> None:
    """One chart per indicator that has measures (against its target), then the table of all indicators."""
    if indicateurs.empty:
        st.info("Cette feuille de route ne définit pas encore d'indicateur (ajoutez-en par import YAML ou CSV).")
        return
    groupes = indicateurs.groupby(["action_code", "indicateur_code"], sort=False)
    lignes = []
    for (action, code), g in groupes:
        mesures = g[g["valeur"].notna()]
        premiere = g.iloc[0]
        derniere = mesures.iloc[-1] if not mesures.empty else None
        cible = None if pd.isna(premiere["cible"]) else float(premiere["cible"])
        lignes.append(
            {
                "Action": action,
                "Indicateur": code,
                "Libellé": premiere["libelle"],
                "Unité": premiere["unite"],
                "Valeur initiale": premiere["valeur_initiale"],
                "Dernière valeur": None if derniere is None else derniere["valeur"],
                "Date": None if derniere is None else derniere["date"],
                "Cible": cible,
                "Origine": origine_indicateur(premiere),
            }
        )
        if not mesures.empty:
            st.markdown(f"**{texte_litteral(action)} · {texte_litteral(premiere['libelle'])}**")
            st.altair_chart(
                graphique_indicateur(mesures[["date", "valeur"]], cible, premiere["unite"]), width="stretch"
            )
        if isinstance(premiere["donnee"], str):  # pandas shows a missing binding as NaN, which is truthy
            if mesures.empty:
                st.markdown(f"**{texte_litteral(action)} · {texte_litteral(premiere['libelle'])}**")
            origine = lignes[-1]["Origine"]
            st.caption(texte_litteral(origine[:1].upper() + origine[1:]))
    st.dataframe(
        pd.DataFrame(lignes),
        hide_index=True,
        width="stretch",
        column_config={
            "Date": st.column_config.DateColumn(format="DD/MM/YYYY"),
            "Origine": st.column_config.TextColumn("Origine", width="large"),
        },
    )
    if not any(r["Dernière valeur"] is not None for r in lignes):
        st.caption("Aucune valeur mesurée pour l'instant : les graphiques apparaîtront avec les premières mesures.")


def origine_indicateur(ligne: Any) -> str:
    """Where an indicator's value comes from: « saisie », or read from the base with its vintage (never typed)."""
    if not isinstance(ligne["donnee"], str):
        return "saisie"
    quoi = f"« {indicator_label(str(ligne['donnee']))} »"
    if not isinstance(ligne["millesime"], str):
        return f"liée à la donnée {quoi} : pas encore lue (la base ne contient pas de données ESS)"
    texte = f"valeur lue dans les données ({quoi} du territoire), millésime {ligne['millesime']}"
    if ligne["demonstration"]:
        texte += " — données de démonstration (chiffres fictifs)"
    if isinstance(ligne["motif"], str) and ligne["motif"]:
        texte += f" — {ligne['motif']}"
    return texte


def catalogue() -> pd.DataFrame:
    """The benchmark catalogue (database version with imports, else the shipped file), cached per DB file."""
    try:
        return cache.catalogue_feuilles()
    except (ImportError, EssError):
        return pd.DataFrame()


def _autres_collectivites(cat: pd.DataFrame, territoire_id: str | None) -> pd.DataFrame:
    """The catalogue without the roadmap's own territory (its own policy is not an example from elsewhere)."""
    if cat.empty or not territoire_id:
        return cat
    return cat[cat["collectivite_code"].fillna("") != territoire_id].reset_index(drop=True)


def leviers_benchmark(actions: pd.DataFrame, territoire_id: str | None = None) -> None:
    """Each lever of the roadmap with the catalogue entries sharing it (link to the benchmark page)."""
    cat = _autres_collectivites(catalogue(), territoire_id)
    comptes = actions["levier"].value_counts()
    if comptes.empty:
        st.info("Aucune action n'a de levier renseigné : impossible de rapprocher la feuille du benchmark.")
        return
    if cat.empty:
        st.info("Le catalogue du benchmark n'est pas disponible dans cette installation.")
        return
    for levier, n in comptes.items():
        fiches = benchmark.filter_catalogue(cat, leviers=[str(levier)])
        with st.expander(f"{texte_litteral(levier)} — {n} action(s) · {len(fiches)} fiche(s) d'autres collectivités"):
            codes = actions.loc[actions["levier"] == levier, "action_code"]
            st.caption("Actions : " + ", ".join(texte_litteral(c) for c in codes))
            for r in fiches.head(6).itertuples(index=False):
                region = f" ({r.region_nom})" if isinstance(r.region_nom, str) else ""
                lieu = texte_litteral(f"{r.collectivite_nom}{region}")
                st.markdown(f"- **{texte_litteral(r.titre)}** — {lieu}")
            if len(fiches) > 6:
                st.caption(f"… et {len(fiches) - 6} autre(s).")
            st.markdown(f"[Voir ces fiches dans le benchmark](benchmark?levier={_url(str(levier))})")


def _url(texte: str) -> str:
    return quote(texte, safe="")


def detail_action(doc: dict[str, Any], actions: pd.DataFrame) -> None:
    """Everything about one action, and the catalogue fiches sharing its lever."""
    if actions.empty:
        return
    titres = dict(zip(actions["action_code"], actions["action_titre"], strict=True))
    code = st.selectbox("Action", list(titres), key="fdr_detail", format_func=lambda c: f"{c} – {titres[c]}")
    act = roadmap.find_action(doc, str(code)) or {}
    ligne = actions[actions["action_code"] == code].iloc[0]
    titre = texte_litteral(f"{code} – {act.get('titre') or ''}")
    st.markdown(f"**{titre}** · état : **{texte_litteral(ligne['etat'])}**")
    champs = [
        ("Description", act.get("description")),
        ("Objectifs", act.get("objectifs")),
        ("Public", act.get("public")),
        ("Moyens", act.get("moyens")),
        ("Pilote", act.get("pilote")),
        ("Élu·e référent·e", act.get("elu_referent")),
        ("Partenaires", ", ".join(act.get("partenaires") or []) or None),
        ("Levier", act.get("levier")),
        (
            "Période",
            f"{_date(act.get('debut'))} → {_date(act.get('fin'))}" if act.get("debut") or act.get("fin") else None,
        ),
    ]
    for libelle, valeur in champs:
        if valeur:
            st.markdown(f"**{libelle} :** {texte_litteral(valeur)}")
    if act.get("levier"):
        cat = _autres_collectivites(catalogue(), doc.get("territoire"))
        if not cat.empty:
            fiches = benchmark.filter_catalogue(cat, leviers=[act["levier"]]).head(3)
            if not fiches.empty:
                st.markdown(f"**Ailleurs, sur le levier « {texte_litteral(act['levier'])} » :**")
                for r in fiches.itertuples(index=False):
                    with st.expander(f"{texte_litteral(r.titre)} — {texte_litteral(r.collectivite_nom)}"):
                        st.markdown(texte_litteral(r.description or ""))
                        if isinstance(r.source_document, str):
                            section = r.source_section if isinstance(r.source_section, str) else None
                            st.caption(f"Source : {citation(r.source_document, section, markdown=True)}")


def journal(feuille_id: str) -> None:
    log = cache.magasin().changelog(feuille_id)
    if log.empty:
        st.info("Aucune modification enregistrée pour cette feuille de route.")
        return
    vue = log.drop(columns=["id", "feuille_id"]).rename(
        columns={
            "horodatage": "Date (UTC)",
            "auteur": "Auteur",
            "action_code": "Action",
            "champ": "Champ",
            "ancienne_valeur": "Ancienne valeur",
            "nouvelle_valeur": "Nouvelle valeur",
        }
    )
    vue["Date (UTC)"] = vue["Date (UTC)"].str.replace("T", " ").str.replace("+00:00", "", regex=False)
    st.dataframe(vue, hide_index=True, width="stretch")
    source = f"Journal des modifications de la feuille de route « {feuille_id} » (magasin d'édition)"
    blocs.telechargements("Télécharger le journal", vue, f"journal-{feuille_id}", "fdr_journal_csv",
                          Metadonnees(source=source))  # fmt: skip
