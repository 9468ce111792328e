"""Export formats shared by the CLI and the download buttons: CSV and xlsx for French spreadsheets, GeoJSON.

Every table leaves through ``tableau_export``: French column headers (``ENTETES``), numbers rounded as they
are displayed (``labels.arrondi``), « oui »/« non » for booleans, secrecy in its own status column with the
hidden number cells left empty (never « s » in a number column), and metadata columns saying where the
figures come from (source, millésime, périmètre, démonstration). ``csv_texte``/``csv_bytes`` write it for a
French Excel (« ; », decimal comma, UTF-8 BOM, formulas neutralised), ``xlsx_bytes`` as a workbook with a
« Sources » sheet; ``geojson_etablissements`` carries the same metadata at FeatureCollection level.
"""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from esscore.errors import EssError
from esscore.geography import TYPE_LABELS
from esscore.indicators import INDICATEURS, SECRET, SEUIL_DOMINANCE, SEUIL_ETABLISSEMENTS
from esscore.labels import PERCENT_INDICATORS, RATIO_INDICATORS, arrondi, decimales, fmt_int
from esscore.phrases import rang_ordinal

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Keys of ``source_info`` with a column of their own, or already said by them (``citation``: source and
# millésime in one text).
_DEJA_DITS = ("source", "millesime", "demo", "citation", "perimetre_donnees")

# ---------------------------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class Metadonnees:
    """What an export says about its figures: where from, which vintage, demonstration or not, perimeter.

    ``complements``: further keys of ``indicators.source_info`` (e.g. the headcount year), exported as given.
    ``perimetre_donnees``: with a partial SIRENE extract, which départements it covers (``indicators.texte_perimetre``;
    None for a national stock): the figures of the territories beyond them are partial or meaningless.
    """

    source: str | None = None
    millesime: str | None = None
    demo: bool = False
    perimetre: str | None = None
    complements: tuple[tuple[str, object], ...] = ()
    perimetre_donnees: str | None = None

    @classmethod
    def de_la_base(cls, info: Mapping[str, object], perimetre: str | None = None) -> Metadonnees:
        """From ``indicators.source_info(con)`` (keys ``source``, ``millesime``, ``demo`` and any other)."""
        autres = tuple((k, v) for k, v in info.items() if k not in _DEJA_DITS and _rempli(v))
        source, millesime, donnees = info.get("source"), info.get("millesime"), info.get("perimetre_donnees")
        return cls(None if source is None else str(source), None if millesime is None else str(millesime),
                   bool(info.get("demo")), perimetre, autres, str(donnees) if donnees else None)  # fmt: skip


def metadonnees_publies(base: Metadonnees) -> Metadonnees:
    """Published figures beside our estimates: each document is cited on its row, the estimates come from the
    ESS base (its millésime and demonstration flag); the table's own « Périmètre » column is kept."""
    source = f"chiffres publiés : document cité sur chaque ligne ; estimations : {base.source or 'aucune'}"
    return replace(base, source=source, perimetre=None)


PERIMETRES = {"statistique": "statistique", "legal": "légal"}
COLONNE_PERIMETRE_DONNEES = "Périmètre des données"
COLONNE_SECRET = "Secret statistique"
COLONNE_DEMO = "Démonstration"
REGLE_SECRET = (
    f"Les effectifs salariés estimés (et les parts et ratios qui en dépendent) d'un ensemble de moins de "
    f"{SEUIL_ETABLISSEMENTS} établissements employeurs, ou dont un seul établissement représente plus de "
    f"{SEUIL_DOMINANCE * 100:.0f}\u202f% du total, sont laissés vides (secret primaire), de même que ceux qui "
    f"permettraient de les retrouver par différence (secret complémentaire) ; la colonne « {COLONNE_SECRET} » "
    "dit pourquoi."
)


def _rempli(valeur: object) -> bool:
    return not _vide(valeur) and valeur != ""


def _oui_non(valeur: bool) -> str:
    return "oui" if valeur else "non"


def metadonnees_colonnes(meta: Metadonnees) -> dict[str, object]:
    """The metadata columns of a table export, in order (empty ones left out, the demo flag always there)."""
    colonnes: dict[str, object] = {"Source": meta.source, "Millésime": meta.millesime}
    colonnes.update({entete(k): v for k, v in meta.complements})
    colonnes["Périmètre de l'ESS"] = PERIMETRES.get(meta.perimetre or "", meta.perimetre)
    colonnes[COLONNE_PERIMETRE_DONNEES] = meta.perimetre_donnees  # a partial extract only
    colonnes = {k: v for k, v in colonnes.items() if _rempli(v)}
    colonnes[COLONNE_DEMO] = _oui_non(meta.demo)
    return colonnes


def metadonnees_json(meta: Metadonnees, date_export: datetime | None = None) -> dict[str, object]:
    """The ``metadata`` member of an exported GeoJSON (machine keys, as in the CLI's JSON)."""
    return {
        "source": meta.source,
        "millesime": meta.millesime,
        **dict(meta.complements),
        "perimetre": meta.perimetre,
        **({"perimetre_donnees": meta.perimetre_donnees} if meta.perimetre_donnees else {}),
        "demonstration": meta.demo,
        "date_export": (date_export or datetime.now().astimezone()).isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------------------------------------- GeoJSON


def avec_metadonnees(collection: dict, meta: Metadonnees | None, date_export: datetime | None = None) -> dict:
    """A FeatureCollection with a ``metadata`` member (a GeoJSON « foreign member », RFC 7946 § 6.1)."""
    if meta is None:
        return collection
    return {"type": collection["type"], "metadata": metadonnees_json(meta, date_export),
            **{k: v for k, v in collection.items() if k != "type"}}  # fmt: skip


def geojson_etablissements(
    frame: pd.DataFrame, meta: Metadonnees | None = None, date_export: datetime | None = None
) -> dict:
    """FeatureCollection of located, diffusible establishments; others are listed without geometry."""
    features = []
    for row in frame.to_dict("records"):
        lon, lat = row.get("lon"), row.get("lat")
        located = lon is not None and lat is not None and not (math.isnan(lon) or math.isnan(lat))
        props = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()
                 if k not in ("lon", "lat")}  # fmt: skip
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]} if located else None,
            "properties": props,
        })  # fmt: skip
    return avec_metadonnees({"type": "FeatureCollection", "features": features}, meta, date_export)


# ---------------------------------------------------------------------------------------------- French table

# Internal column name → French header, for every table the app exports (indicators: their label, « (%) »
# for shares, which are exported in percent). A name not listed is kept: tables built with French headers
# (benchmark list, roadmap journal, sources registry) pass through unchanged.
ENTETES: dict[str, str] = {
    **{k: v + (" (%)" if k in PERCENT_INDICATORS else "") for k, v in INDICATEURS.items()},
    "part_ess_secteur": "Part de l'ESS dans l'emploi salarié privé du secteur (%)",
    "part_emploi_salarie": "Part de l'ESS dans l'emploi salarié (%)",
    "salaries_prives": "Emploi salarié privé estimé",
    "part_pop_petites_communes": "Population en communes de moins de 2 000 habitants (%)",
    # territories
    "id": "Identifiant", "type": "Niveau", "code": "Code", "nom": "Nom", "population": "Population",
    "role": "Rôle dans la comparaison", "region": "Code région", "departement": "Code département",
    "epci": "Code EPCI", "epci_type": "Nature de l'EPCI",
    # breakdowns and establishments
    "famille": "Famille de l'ESS", "secteur": "Secteur d'activité", "taille": "Taille de l'établissement",
    "siret": "SIRET", "ape": "Code APE", "tranche_effectifs": "Tranche d'effectifs salariés",
    "employeur": "Employeur", "code_commune": "Code commune", "commune": "Commune",
    "lon": "Longitude", "lat": "Latitude",
    # initiatives
    "description": "Description", "statut": "Statut", "thematiques": "Thématiques", "commune_code": "Code commune",
    "commune_nom": "Commune", "precision": "Précision de la position", "site_web": "Site web",
    "source": "Source de la fiche", "source_detail": "Détail de la source",
    # published figures
    "territoire": "Territoire", "perimetre": "Périmètre", "indicateur": "Code de l'indicateur", "valeur": "Valeur",
    "unite": "Unité", "annee": "Année", "libelle": "Indicateur", "source_document": "Document source",
    "qualificatif": "Qualificatif", "note": "Note", "estimation": "Estimation ESS Territoires",
    "estimation_unite": "Unité de l'estimation", "estimation_libelle": "Ce que compte l'estimation",
    "comparable": "Estimation comparable", "raison": "Raison", "citation": "Source citée",
    "sous_ensemble": "Sous-ensemble", "couverture": "Couverture",
    # sources registry, roadmap journal
    "lignes": "Lignes", "url": "Adresse", "feuille_id": "Feuille de route", "horodatage": "Date (UTC)",
    "auteur": "Auteur", "action_code": "Action", "champ": "Champ", "ancienne_valeur": "Ancienne valeur",
    "nouvelle_valeur": "Nouvelle valeur",
    # further keys of source_info (metadata columns)
    "annee_effectifs": "Année des effectifs", "date_stock": "Date du stock Sirene", "licence": "Licence",
    "producteur": "Producteur", "titre": "Titre de la source",
}  # fmt: skip
ROLES = {"territoire": "territoire étudié", "pair": "pair", "region": "référence (région)",
         "france": "référence (France)"}  # fmt: skip
# Published-figure estimates (``publies.apparier``): each row rounded by the rule of its unit, as
# ``labels.fmt_unite`` shows it (a share in percent).
UNITES_ESTIMATION = {"part": "part_emploi_prive", "ratio": "employeurs_pour_1000_hab", "nombre": "etablissements"}
VALEURS: dict[str, dict[str, str]] = {"type": TYPE_LABELS, "role": ROLES, "perimetre": PERIMETRES,
                                      "estimation_unite": {"part": "%", "ratio": "pour 1 000 habitants"}}  # fmt: skip
# Indicator columns, rounded by ``labels.arrondi`` with their own rule or the one of the figure they are shown as
# (the share of small communes is displayed like a share of jobs: ``comparaison.tableau_affiche``).
ARRONDI_COMME = {"part_pop_petites_communes": "part_emploi_prive"}
NUMERIQUES = frozenset((*INDICATEURS, *PERCENT_INDICATORS, *RATIO_INDICATORS, "population", "salaries_prives",
                        *ARRONDI_COMME))  # fmt: skip
# Never exported: the largest establishment would reveal secret figures; the others are display helpers.
INTERNES = frozenset(("max_salaries", "secret", "secret_motif", "etiquette", "population_etiquette"))


def entete(colonne: str) -> str:
    """French header of an internal column name (``rang_<indicateur>`` → « Rang : <libellé> »)."""
    if colonne.startswith("rang_") and colonne[5:] in INDICATEURS:
        return f"Rang : {INDICATEURS[colonne[5:]]}"
    return ENTETES.get(colonne, colonne)


def _est_booleen(valeur: object) -> bool:
    """Python or numpy boolean (numpy's is not a ``bool`` subclass)."""
    return isinstance(valeur, bool) or type(valeur).__name__ in ("bool", "bool_")


def _est_nombre(valeur: object) -> bool:
    """A number cell (Python, numpy or Decimal), booleans excepted."""
    return isinstance(valeur, numbers.Number) and not _est_booleen(valeur)


def _vide(valeur: object) -> bool:
    return valeur is None or valeur is pd.NA or (isinstance(valeur, float) and math.isnan(valeur))


def _colonne(nom: str, serie: pd.Series) -> tuple[pd.Series, int | None]:
    """One exported column and its decimals (None: not a number, or shown as it is)."""
    valeurs = list(serie.astype(object))
    pleines = [v for v in valeurs if not _vide(v)]
    if nom.startswith("rang_"):
        return pd.Series([rang_ordinal(v) if isinstance(v, tuple) else None for v in valeurs], dtype=object), None
    if nom in VALEURS:
        return pd.Series([None if _vide(v) else VALEURS[nom].get(v, v) for v in valeurs], dtype=object), None
    if pleines and all(_est_booleen(v) for v in pleines):
        return pd.Series([None if _vide(v) else _oui_non(bool(v)) for v in valeurs], dtype=object), None
    if nom in NUMERIQUES:
        regle = ARRONDI_COMME.get(nom, nom)
        chiffres = decimales(regle)  # « s » and missing values become empty cells
        return pd.Series([arrondi(regle, v) for v in valeurs], dtype="Int64" if chiffres == 0 else "Float64"), chiffres
    nombres = [v for v in pleines if v != SECRET]
    if nombres and all(_est_nombre(v) for v in nombres):  # a number column (« s » cells, if any, left empty)
        propres = [None if _vide(v) or v == SECRET else float(v) for v in valeurs]
        if all(v is None or (v.is_integer() and abs(v) < 2**53) for v in propres):
            return pd.Series([None if v is None else int(v) for v in propres], dtype="Int64"), 0
        return pd.Series(propres, dtype="Float64"), None
    return pd.Series([None if _vide(v) else v for v in valeurs], dtype=object), None


def _par_unite(valeurs: pd.Series, unites: pd.Series) -> pd.Series:
    """Estimates of several units in one column, each rounded by the rule of its own unit."""
    regles = [UNITES_ESTIMATION.get(str(u), "etablissements") for u in unites.astype(object)]
    nombres = [arrondi(r, v) for r, v in zip(regles, valeurs.astype(object), strict=True)]
    entiers = all(v is None or float(v).is_integer() for v in nombres)  # « 40 », not « 40,0 », when all are
    return pd.Series(nombres, dtype="Int64" if entiers else "Float64")


def _statut_secret(frame: pd.DataFrame, masques: pd.Series) -> pd.Series | None:
    """« oui (primaire) », « oui (complémentaire) » or « non » per row (``secret_motif`` when the table has it,
    else the ``secret`` flag or « s » cells: « oui »); None for a table without secrecy."""
    motifs = frame["secret_motif"].astype(object) if "secret_motif" in frame else None
    if "secret" in frame:
        secret = frame["secret"].astype(object).map(lambda v: not _vide(v) and bool(v)) | masques
    elif motifs is not None:
        secret = motifs.map(_rempli) | masques
    elif masques.any():
        secret = masques
    else:
        return None
    motifs_ = motifs if motifs is not None else pd.Series([None] * len(frame), dtype=object)
    statuts = [(f"oui ({m})" if _rempli(m) else "oui") if s else "non" for s, m in zip(secret, motifs_, strict=True)]
    return pd.Series(statuts, dtype=object)


def _preparer(frame: pd.DataFrame, meta: Metadonnees | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """``tableau_export`` and the decimals of its number columns, by header (for the xlsx formats)."""
    frame = frame.reset_index(drop=True)
    sortie: dict[str, pd.Series] = {}
    chiffres: dict[str, int] = {}
    masques = pd.Series(False, index=frame.index)
    for nom in map(str, frame.columns):
        if nom in INTERNES or nom.startswith("t_") or (nom == "perimetre" and meta is not None and meta.perimetre):
            continue
        if nom == "estimation" and "estimation_unite" in frame:
            serie, decimales_ = _par_unite(frame[nom], frame["estimation_unite"]), None
        else:
            serie, decimales_ = _colonne(nom, frame[nom])
        if decimales_ is not None or pd.api.types.is_numeric_dtype(serie):
            masques |= frame[nom].astype(object).map(lambda v: isinstance(v, str) and v == SECRET)
        titre = entete(nom)
        titre = titre if titre not in sortie else f"{titre} ({nom})"
        sortie[titre] = serie
        if decimales_ is not None:
            chiffres[titre] = decimales_
    statut = _statut_secret(frame, masques)
    if statut is not None:
        sortie[COLONNE_SECRET] = statut
    for titre, valeur in (metadonnees_colonnes(meta) if meta is not None else {}).items():
        if titre not in sortie:  # a table's own column of the same name wins (never two columns « Source »)
            sortie[titre] = pd.Series([valeur] * len(frame), dtype=object)
    return pd.DataFrame(sortie, index=frame.index), chiffres


def tableau_export(frame: pd.DataFrame, meta: Metadonnees | None = None) -> pd.DataFrame:
    """The table as it is exported: French headers, numbers rounded as displayed (nullable Int64/Float64,
    secret cells empty), « oui »/« non », a « Secret statistique » column when the table has secrecy, and the
    metadata columns of ``meta`` (none when it is None)."""
    return _preparer(frame, meta)[0]


# ---------------------------------------------------------------------------------------------- CSV


# A spreadsheet runs a cell starting with one of these as a formula (« =HYPERLINK(…) », « @SUM(…) »);
# tab and carriage return start one too in some programs (OWASP « CSV Injection »).
_DEBUT_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def cellule_sure(valeur: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; others unchanged."""
    if isinstance(valeur, str) and valeur.startswith(_DEBUT_FORMULE):
        return "'" + valeur
    return valeur


def sans_formules(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells (and column names) can never run as spreadsheet formulas."""
    sortie = frame.rename(columns=lambda c: cellule_sure(str(c)))
    for col in sortie.columns:
        if sortie[col].dtype == object or pd.api.types.is_string_dtype(sortie[col]):
            sortie[col] = [cellule_sure(v) for v in sortie[col].astype(object)]
    return sortie


def csv_texte(frame: pd.DataFrame, meta: Metadonnees | None = None) -> str:
    """The one CSV writer of every export (pages and CLI), for a French Excel: ``tableau_export``, cells
    separated by « ; », decimal comma, formulas neutralised, no index."""
    return sans_formules(tableau_export(frame, meta)).to_csv(index=False, sep=";", decimal=",", lineterminator="\n")


def csv_bytes(frame: pd.DataFrame, meta: Metadonnees | None = None) -> bytes:
    """``csv_texte`` in UTF-8 with BOM so that spreadsheet software opens French accents correctly."""
    return csv_texte(frame, meta).encode("utf-8-sig")


# ---------------------------------------------------------------------------------------------- xlsx

LIGNES_MAX_XLSX = 1_048_575  # an Excel sheet holds 1 048 576 rows, the header included
_FORMATS = {0: "#,##0", 1: "#,##0.0"}  # Excel shows them with the reader's separators: « 1 234,5 » in French
_CELLULE_MAX = 32_767  # characters in one Excel cell


def xlsx_bytes(
    frame: pd.DataFrame, meta: Metadonnees | None = None, titre: str = "Données", date_export: datetime | None = None
) -> bytes:
    """The table as an Excel workbook: ``tableau_export`` on a first sheet (numbers stored as numbers with a
    French display format, header bold and frozen, fitted widths), then a « Sources » sheet."""
    # openpyxl is imported here: 0.2 s at import, paid only when someone asks for a workbook.
    from openpyxl import Workbook

    table, chiffres = _preparer(frame, meta)
    if len(table) > LIGNES_MAX_XLSX:
        raise EssError(f"{fmt_int(len(table))} lignes : c'est plus qu'une feuille Excel n'en contient "
                       "(1 048 576). Téléchargez le CSV, ou restreignez la sélection.")  # fmt: skip
    classeur = Workbook(write_only=True)
    _feuille_donnees(classeur, table, chiffres, titre)
    _feuille_sources(classeur, lignes_sources(meta, COLONNE_SECRET in table, date_export))
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def lignes_sources(
    meta: Metadonnees | None, secret: bool, date_export: datetime | None = None
) -> list[tuple[str, str]]:
    """The « Sources » sheet of a workbook: source, millésime, perimeter, demonstration, secrecy rule, date."""
    meta = meta or Metadonnees()
    quand = date_export or datetime.now().astimezone()
    lignes = [("Source", meta.source or "non précisée"), ("Millésime", meta.millesime or "non précisé")]
    lignes += [(entete(k), str(v)) for k, v in meta.complements]
    if meta.perimetre:
        lignes.append(("Périmètre de l'ESS", PERIMETRES.get(meta.perimetre, meta.perimetre)))
    if meta.perimetre_donnees:
        lignes.append((COLONNE_PERIMETRE_DONNEES, meta.perimetre_donnees))
    demo = "oui : chiffres fictifs (jeu de démonstration), à ne pas citer" if meta.demo else "non"
    regle = REGLE_SECRET if secret else "Sans objet : ce tableau ne contient pas d'effectifs soumis au secret."
    return [*lignes, ("Données de démonstration", demo), ("Secret statistique", regle),
            ("Arrondis", "Comme à l'écran : parts en pourcentage à une décimale, ratios à une décimale, "
                         "effectifs et estimations entiers."),
            ("Date d'export", quand.strftime("%d/%m/%Y à %H:%M"))]  # fmt: skip


def _texte_xlsx(valeur: str) -> str:
    """A text cell Excel accepts: no control character (openpyxl refuses them), at most 32 767 characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", valeur)[:_CELLULE_MAX]


def _cellule(feuille: object, valeur: object, format_: str | None = None, gras: bool = False) -> object:
    """A write-only cell: text always stored as text (« =… » is never a formula), numbers with their format.

    A plain value where no style is needed: openpyxl writes it as it is, three times faster than a cell object.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if _vide(valeur):
        return None
    if isinstance(valeur, str):
        texte = _texte_xlsx(valeur)
        if not (gras or texte.startswith("=")):
            return texte
        cellule = WriteOnlyCell(feuille, value=texte)
        cellule.data_type = "s"
    else:
        nombre = valeur.item() if hasattr(valeur, "item") else valeur
        if not (format_ or gras):
            return nombre
        cellule = WriteOnlyCell(feuille, value=nombre)
        if format_:
            cellule.number_format = format_
    if gras:
        cellule.font = Font(bold=True)
    return cellule


def _largeur(entete_: str, valeurs: list[object]) -> float:
    """Column width fitting the header and the first values (between 8 and 60 characters)."""
    longueurs = [len(str(v)) for v in valeurs[:500] if not _vide(v)]
    return float(min(60, max(8, len(entete_), *longueurs) + 2))


def _feuille_donnees(classeur: object, table: pd.DataFrame, chiffres: dict[str, int], titre: str) -> None:
    from openpyxl.utils import get_column_letter

    nom = "".join(c for c in titre if c not in "[]:*?/\\")[:31] or "Données"
    feuille = classeur.create_sheet("Données" if nom == "Sources" else nom)  # type: ignore[attr-defined]
    colonnes = [[None if _vide(v) else v for v in table[c].astype(object)] for c in table.columns]
    for i, (entete_, valeurs) in enumerate(zip(table.columns, colonnes, strict=True), start=1):
        feuille.column_dimensions[get_column_letter(i)].width = _largeur(entete_, valeurs)
    feuille.freeze_panes = "A2"
    feuille.append([_cellule(feuille, c, gras=True) for c in table.columns])
    formats = [_FORMATS.get(chiffres.get(c, -1)) for c in table.columns]
    for ligne in zip(*colonnes, strict=True):
        feuille.append([_cellule(feuille, v, f) for v, f in zip(ligne, formats, strict=True)])


def _feuille_sources(classeur: object, lignes: list[tuple[str, str]]) -> None:
    feuille = classeur.create_sheet("Sources")  # type: ignore[attr-defined]
    feuille.column_dimensions["A"].width = 28
    feuille.column_dimensions["B"].width = 110
    feuille.freeze_panes = "A2"
    feuille.append([_cellule(feuille, "Rubrique", gras=True), _cellule(feuille, "Valeur", gras=True)])
    for rubrique, valeur in lignes:
        feuille.append([_cellule(feuille, rubrique), _cellule(feuille, valeur)])
