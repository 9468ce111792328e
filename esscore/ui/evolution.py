"""Évolution page blocks: the territory's series over the SIRENE vintages kept (with its parents and peers, indexed
to 100 or absolute), automatic sentences, and the creations and closures of its ESS establishments.

The state lives in the URL (``?territoire=…&indicateur=…&mode=indice|absolu&pairs=TYPE:CODE,…``) so that a link can
be sent. Widgets only: data from ``esscore.ui.cache``, figures and sentences from ``esscore.evolution`` and
``esscore.phrases``, charts with their downloads (CSV, xlsx, PNG) from ``esscore.ui.blocs``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from esscore import comparaison, evolution, phrases
from esscore.geography import TYPE_LABELS, Territoire
from esscore.indicators import SECRET
from esscore.labels import fmt_date, fmt_int, indicator_label, typographie
from esscore.text import texte_litteral
from esscore.ui import blocs, cache, layout

INDICATEUR_DEFAUT = "salaries_estimes"
MODE_DEFAUT = "indice"
MODES = {"indice": "Indice (base 100)", "absolu": "Valeurs"}
_TERR_KEY = "evo_territoire"  # territory for which the URL's ``pairs`` were written in this session
DEMO_SERIES = (
    "Séries de **démonstration** : les millésimes antérieurs au stock de démonstration en sont dérivés par les "
    "évolutions annuelles publiées par ESS France et l'Observatoire national de l'ESS (emploi, établissements "
    "employeurs, emploi privé hors ESS), avec un écart fictif par département. Chiffres fictifs, à ne pas citer."
)


DEMO_MOUVEMENTS = (
    "Créations et fermetures de **démonstration** : dates de création et de fermeture tirées au hasard dans le stock "
    "de démonstration, qui compte peu d'établissements fermés (esscore/demo.py) : chiffres fictifs, à ne pas citer."
)


def etat(terr: Territoire) -> tuple[list[str], str, str]:
    """Peers, indicator and mode from the URL (checked, French notices), the widgets to change them, URL rewritten."""
    suggeres = [] if terr.type == "france" else list(cache.pairs(terr)["id"])
    initiaux = suggeres
    if st.session_state.get(_TERR_KEY) in (None, terr.id):
        initiaux = layout.parametre_url("pairs", layout.regle_pairs(terr, suggeres), suggeres, plusieurs=True,
                                        separateur=",", maximum=comparaison.MAX_PAIRS)  # fmt: skip
    indicateur = layout.parametre_url("indicateur", {i: indicator_label(i) for i in evolution.INDICATEURS_EVOLUTION},
                                      INDICATEUR_DEFAUT)  # fmt: skip
    mode = layout.parametre_url("mode", MODES, MODE_DEFAUT)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    choix = evolution.INDICATEURS_EVOLUTION
    indicateur = c1.selectbox("Indicateur", choix, format_func=indicator_label, index=choix.index(indicateur),
                              key="evo_indicateur")  # fmt: skip
    mode = c2.radio("Affichage", list(MODES), format_func=MODES.get, index=list(MODES).index(mode), horizontal=True,
                    key="evo_mode")  # fmt: skip
    pairs = _choix_pairs(terr, initiaux, suggeres)
    st.session_state[_TERR_KEY] = terr.id
    st.query_params["indicateur"] = indicateur
    st.query_params["mode"] = mode
    st.query_params["pairs"] = ",".join(pairs)
    return pairs, str(indicateur), str(mode)


def _choix_pairs(terr: Territoire, initiaux: list[str], suggeres: list[str]) -> list[str]:
    """The peers drawn beside the territory (same level; none for France)."""
    if terr.type == "france":
        return []
    options = dict(cache.options_pairs(terr.id))
    manquants = tuple(i for i in [*initiaux, *suggeres] if i not in options)
    if manquants:
        options.update(cache.noms(manquants))
    cle = f"evo_pairs_{terr.id}"
    if cle not in st.session_state:
        st.session_state[cle] = initiaux
    niveau = TYPE_LABELS[terr.type] if terr.type == "epci" else TYPE_LABELS[terr.type].lower()
    choisis = st.multiselect(
        f"Territoires comparés (jusqu'à {comparaison.MAX_PAIRS}, même niveau : {niveau})", list(options),
        format_func=lambda i: options.get(i, i), key=cle, max_selections=comparaison.MAX_PAIRS,
        placeholder="Ajouter un territoire…", select_all=False,
    )  # fmt: skip
    return list(choisis)


def series(terr: Territoire, pairs: list[str]) -> pd.DataFrame:
    """The figures of the territory, its parents and its peers over the vintages (one cached query)."""
    return cache.evolution_series(list(evolution.roles(terr, pairs)))


def courbes(terr: Territoire, pairs: list[str], indicateur: str, mode: str) -> None:
    """The sentences, the chart of the series (with CSV, xlsx and PNG downloads) and its sources."""
    frame = series(terr, pairs)
    millesimes = sorted(set(frame["millesime"]))
    if len(millesimes) < 2:
        un = f" ({evolution.libelles(frame)[millesimes[0]]})" if millesimes else ""
        st.info(f"Un seul millésime Sirene dans la base{un} : pas encore d'évolution à montrer. Chaque nouveau "
                "stock chargé (« esscore ingest sirene ») ajoute un millésime ; « esscore millesimes » les "
                "liste.")  # fmt: skip
        return
    textes = evolution.phrases_evolution(frame, terr, indicateur, pairs)
    st.markdown("\n".join(f"- {texte_litteral(t)}" for t in textes))
    base = evolution.millesime_base(frame, terr.id, indicateur)
    dessin = evolution.comparees(frame, evolution.roles(terr, pairs), indicateur, mode)
    spec = evolution.graphique_series(dessin, indicateur, mode, terr.id, base)
    export = evolution.tableau(frame, indicateur, mode, base)
    blocs.graphique(spec, blocs.fichier(terr, f"evolution-{indicateur}"), export, "evo_series", _source(),
                    cache.metadonnees())  # fmt: skip
    st.caption(texte_litteral(typographie(_legende(frame, indicateur, mode))))
    if bool(frame["demo"].any()):
        st.caption(DEMO_SERIES)
    _liste_millesimes()


def _liste_millesimes() -> None:
    """The vintages of the database (``esscore millesimes``), in an expander."""
    liste = cache.millesimes()
    with st.expander(f"Millésimes de la base ({fmt_int(len(liste))})"):
        table = pd.DataFrame({
            "Stock Sirene au": liste["millesime"].map(fmt_date), "Effectifs de l'année": liste["annee_effectifs"],
            "Nature": [("démonstration" if d else "réel") + (", actuel" if c else "")
                       for d, c in zip(liste["demo"], liste["courant"], strict=True)],
            "Méthode": liste["methode"], "Couverture": liste["couverture"],
        })  # fmt: skip
        st.dataframe(table, hide_index=True)
        st.caption("Ajouter un millésime : « esscore ingest sirene » avec un stock d'une autre date ; le retirer : "
                   "« esscore millesimes --supprimer AAAA-MM-JJ ».")  # fmt: skip


def _legende(frame: pd.DataFrame, indicateur: str, mode: str) -> str:
    """What the chart shows: the vintages (stock date and year of the bands), secrecy, what « absolu » leaves out."""
    vus = frame.drop_duplicates("millesime").sort_values("millesime")
    annees = vus["annee_effectifs"].dropna().astype(int)
    texte = (f"{fmt_int(len(vus))} millésimes du répertoire Sirene, du stock au {fmt_date(vus['millesime'].iloc[0])} "
             f"au stock au {fmt_date(vus['millesime'].iloc[-1])}")  # fmt: skip
    if len(annees):
        texte += f" ; les effectifs salariés sont ceux des années {annees.min()} à {annees.max()} (tranches Sirene)"
    if mode == "absolu" and indicateur != "part_emploi_prive":
        texte += " ; en valeurs, les territoires parents ne sont pas tracés (ils écraseraient l'échelle)"
    if (frame["salaries_estimes"] == SECRET).any():
        texte += " ; « s » : secret statistique sur toute la série"
    return texte + "."


def _source() -> str:
    """The source line of the series: the SIRENE stocks (or the demonstration) and their vintages."""
    return cache.source()


def mouvements(terr: Territoire) -> None:
    """Creations and closures of ESS establishments per year: sentence, bars, downloads, what the dates mean."""
    st.subheader("Créations et fermetures d'établissements de l'ESS")
    detail = cache.evolution_mouvements(terr)
    if detail.empty:
        st.info("Aucune création ni fermeture recensée : les dates de création sont lues dans le stock Sirene au "
                "chargement (« esscore ingest sirene »).")  # fmt: skip
        return
    derniere = _derniere_annee()
    annees = evolution.par_annee(detail, derniere)
    complete = derniere - 1 if _stock_incomplet() else derniere
    lignes = list(zip(annees["annee"], annees["creations"], annees["fermetures"], strict=True))
    texte = phrases.phrase_mouvements(terr.type, terr.nom, terr.code, lignes, complete)
    st.markdown(texte_litteral(texte))
    spec = evolution.graphique_mouvements(annees, "Établissements de l'ESS créés et fermés chaque année")
    blocs.graphique(spec, blocs.fichier(terr, "creations-fermetures"), _detail_export(detail, annees), "evo_mouv",
                    _source(), cache.metadonnees())  # fmt: skip
    st.caption(texte_litteral(typographie(_datation())))
    if cache.is_demo():
        st.caption(DEMO_MOUVEMENTS)


def _detail_export(detail: pd.DataFrame, annees: pd.DataFrame) -> pd.DataFrame:
    """Creations and closures by year, family and sector over the years shown (the « by family and sector » view)."""
    garde = detail[detail["annee"].isin(annees["annee"])]
    return garde.rename(columns={"creations": "Créations", "fermetures": "Fermetures"})


def _derniere_annee() -> int:
    date = cache.meta().get("date_stock") or ""
    return int(date[:4]) if date[:4].isdigit() else pd.Timestamp.today().year


def _stock_incomplet() -> bool:
    """True when the stock ends before 31 December: its year is not complete."""
    return not str(cache.meta().get("date_stock") or "").endswith("12-31")


def _datation() -> str:
    """What the years mean: creation dates of the stock; closure years from the stock or the historical file."""
    n = cache.datation_fermetures()
    historique, stock = n.get("historique", 0), n.get("stock", 0)
    texte = ("Créations : année de création de chaque établissement de l'ESS du stock, ouvert ou fermé depuis. "
             "Fermetures : établissements fermés du stock (état F)")  # fmt: skip
    if historique and not stock:
        texte += ", datés par le fichier historique Sirene (changement d'état)"
    elif historique:
        texte += (f" ; {fmt_int(historique)} datés par le fichier historique Sirene, {fmt_int(stock)} par le début "
                  "de leur dernière période dans le stock (date approchée)")  # fmt: skip
    else:
        texte += (", datés par le début de leur dernière période dans le stock : la fermeture en général, plus tard "
                  "si l'établissement a changé ensuite (date approchée ; « esscore mouvements --historique » donne "
                  "la date exacte)")  # fmt: skip
    if not _stock_incomplet():
        return texte + "."
    stock = fmt_date(cache.meta().get("date_stock"))
    return texte + f". L'année {_derniere_annee()} est incomplète (stock au {stock})."
