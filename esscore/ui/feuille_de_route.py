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

from esscore import benchmark, roadmap
from esscore.avancement import timeline_frame
from esscore.charts import texte_graphique, tri_selon
from esscore.copil import COULEURS_ETATS, feuille_du_territoire
from esscore.errors import ConflitEdition, EssError
from esscore.exports import Metadonnees
from esscore.labels import fmt_int, fmt_pct
from esscore.sources import citation
from esscore.text import texte_litteral
from esscore.ui import blocs, cache, layout
from esscore.ui.auth import droits

CLE_FLASH = "fdr_flash"
CLE_FEUILLE = "fdr_feuille"
CLE_CONFLIT = "fdr_conflit"


# --------------------------------------------------------------------------- messages (rights: esscore.ui.auth)


def _flash(nature: str, texte: str) -> None:
    st.session_state[CLE_FLASH] = (nature, texte)


def afficher_flash() -> None:
    """Show (once) the message left by the last edit callback."""
    message = st.session_state.pop(CLE_FLASH, None)
    if message:
        nature, texte = message
        layout.alerte(texte, nature)  # plain text quoting names, values, file names: shown literally


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


def _importer() -> None:
    if _refus():
        return
    d = droits()
    fichier = st.session_state.get("fdr_import")
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
    _flash("success", f"Feuille de route « {doc['id']} » importée depuis « {nom} ».")


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
        liste = indicateurs.drop_duplicates(["action_code", "indicateur_code"])
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
            placeholder="Aucun indicateur dans cette feuille de route",
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
    with st.expander("Importer ou remplacer une feuille de route (YAML ou CSV)"):
        st.caption(
            "Le fichier est entièrement validé avant tout enregistrement ; une feuille de même "
            "identifiant est remplacée. Format : data/feuilles_de_route/README.md."
        )
        st.file_uploader("Fichier", type=["yaml", "yml", "csv"], key="fdr_import", max_upload_size=5)
        st.button("Importer", key="fdr_import_ok", on_click=_importer)


# --------------------------------------------------------------------------- choosing the roadmap


def choisir_feuille(feuilles: pd.DataFrame, territoire_id: str | None) -> str | None:
    """Roadmap selector kept in the URL (``?feuille=ID``); default: the territory's roadmap, else the first."""
    if feuilles.empty:
        st.info("Aucune feuille de route enregistrée. Importez-en une avec `esscore import roadmap FICHIER`.")
        return None
    ids = list(feuilles["id"])
    libelles = {r.id: f"{r.titre} · exemple" if r.exemple else str(r.titre) for r in feuilles.itertuples(index=False)}
    depuis_url = st.query_params.get("feuille")
    if depuis_url and depuis_url not in ids:
        message = f"Feuille de route « {depuis_url[:64]} » introuvable ; choisissez-en une dans la liste."
        layout.alerte(message, "warning")
    if st.session_state.get(CLE_FEUILLE) not in ids:  # first run of the session: the URL, else the territory's
        defaut = feuille_du_territoire(feuilles, territoire_id) if territoire_id else None
        st.session_state[CLE_FEUILLE] = depuis_url if depuis_url in ids else (defaut or ids[0])
    choix = st.selectbox("Feuille de route", ids, key=CLE_FEUILLE, format_func=lambda i: libelles[i])
    if st.query_params.get("feuille") != choix:
        st.query_params["feuille"] = choix
    return str(choix)


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
        st.warning(
            f"**Exemple, avancement fictif** — le plan (axes, actions) vient d'un document public : "
            f"{src or 'source non précisée'}. Les statuts, échéances et valeurs d'indicateurs sont **inventés** "
            "pour montrer un suivi de démonstration : ils ne décrivent pas l'action réelle de la collectivité.",
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
    long["libelle"] = [
        texte_graphique(f"{a} · {str(t)[:45]}") for a, t in zip(long["axe"], long["axe_titre"], strict=True)
    ]
    long["rang"] = long["axe"].map({a: i for i, a in enumerate(dict.fromkeys(avancement["axe"]))})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("libelle:N", title=None, sort=tri_selon("rang"), axis=alt.Axis(labelLimit=360)),
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
    tableau = avancement.assign(taux_realisation=avancement["taux_realisation"].map(lambda v: fmt_pct(v, 0)))
    st.dataframe(
        tableau.rename(
            columns={"axe": "Axe", "axe_titre": "Intitulé", "total": "Total", "taux_realisation": "Taux de réalisation"}
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "« En retard » : action prévue ou en cours dont la date de fin est passée. Taux de réalisation : "
        "réalisées / (total − abandonnées)."
    )


def table_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """The action table with its filters (axis, state, lever, pilot, free text); returns the filtered rows."""
    c1, c2, c3, c4 = st.columns(4)
    axes = c1.multiselect("Axe", list(dict.fromkeys(actions["axe_code"])), key="fdr_f_axe", placeholder="Tous")
    etats = c2.multiselect("État", list(roadmap.ETATS), key="fdr_f_etat", placeholder="Tous")
    leviers = c3.multiselect(
        "Levier", sorted(actions["levier"].dropna().unique()), key="fdr_f_levier", placeholder="Tous"
    )
    pilotes = c4.multiselect(
        "Pilote", sorted(actions["pilote"].dropna().unique()), key="fdr_f_pilote", placeholder="Tous"
    )
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
    textes = ["pilote", "partenaires", "levier"]
    st.dataframe(
        vue.assign(**{c: vue[c].fillna("") for c in textes})[
            [
                "action_code",
                "action_titre",
                "axe_op_code",
                "pilote",
                "partenaires",
                "levier",
                "budget_eur",
                "debut",
                "fin",
                "statut",
                "etat",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "action_code": st.column_config.TextColumn("Code"),
            "action_titre": st.column_config.TextColumn("Action", width="large"),
            "axe_op_code": st.column_config.TextColumn("Axe op."),
            "pilote": st.column_config.TextColumn("Pilote"),
            "partenaires": st.column_config.TextColumn("Partenaires"),
            "levier": st.column_config.TextColumn("Levier"),
            "budget_eur": st.column_config.NumberColumn("Budget (€)", format="localized"),
            "debut": st.column_config.DateColumn("Début", format="DD/MM/YYYY"),
            "fin": st.column_config.DateColumn("Fin", format="DD/MM/YYYY"),
            "statut": st.column_config.TextColumn("Statut enregistré"),
            "etat": st.column_config.TextColumn("État"),
        },
    )
    st.caption(f"{len(vue)} action(s) sur {len(actions)}.")
    return vue


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
            }
        )
        if not mesures.empty:
            st.markdown(f"**{texte_litteral(action)} · {texte_litteral(premiere['libelle'])}**")
            st.altair_chart(
                graphique_indicateur(mesures[["date", "valeur"]], cible, premiere["unite"]), width="stretch"
            )
    st.dataframe(
        pd.DataFrame(lignes),
        hide_index=True,
        width="stretch",
        column_config={"Date": st.column_config.DateColumn(format="DD/MM/YYYY")},
    )
    if not any(r["Dernière valeur"] is not None for r in lignes):
        st.caption("Aucune valeur mesurée pour l'instant : les graphiques apparaîtront avec les premières mesures.")


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
