"""Load test: N simultaneous browser sessions on one Streamlit server; page-ready times and server memory.

Starts ``streamlit run app.py`` on a loopback port against a database (the national demo by default,
built once with ``esscore build``), then opens N sessions at once — N contexts of one headless Debian
Chromium driven by Playwright — each visiting the pages (panorama, comparaisons, carte, whichever are
registered; else donnees) for its own territory. A page is "ready" when its script run is over and the
main block has rendered (the same test as tests/browser.py). Reports p50/p95/max page-ready time, errors
(timeouts, exception boxes, tracebacks) and the server's RSS (read from /proc, peak while the round runs).
With ``--reconstruction`` the last round runs while ``esscore build`` swaps the database in.

Bounded: loopback only, at most 50 sessions, a per-page timeout and an overall deadline.
Goal on 2 cores: p95 ≤ 3 s at N = 20, no error. Note: Chromium runs on the same machine and takes its
share of the CPU, so the figures are pessimistic for the server.

Usage: python benchmarks/load.py [--db /tmp/load.duckdb] [--sessions 1,10,20] [--rounds 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


MAX_SESSIONS = 50
PREFERRED_PAGES = ("panorama", "comparaisons", "carte")
# Each session visits its own territory, never seen before by the server (cold caches, as when élus of many
# territories open their links): a deterministic shuffle of départements, régions, EPCI and towns of the DB.
TERRITOIRES_SQL = """
    SELECT id FROM territoires
    WHERE type IN ('region', 'departement', 'epci') OR (type = 'commune' AND population >= 20000)
    ORDER BY md5(id) LIMIT 400
"""


@dataclass
class Round:
    sessions: int
    times: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_peak_mb: float = 0.0
    rss_after_mb: float = 0.0
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0

    def summary(self) -> dict[str, object]:
        t = sorted(self.times)
        return {
            "sessions": self.sessions,
            "pages": len(t),
            "p50_s": round(statistics.median(t), 2) if t else None,
            "p95_s": round(_percentile(t, 95), 2) if t else None,
            "max_s": round(t[-1], 2) if t else None,
            "erreurs": len(self.errors),
            "rss_pic_mo": round(self.rss_peak_mb),
            "rss_apres_mo": round(self.rss_after_mb),
            "duree_s": round(self.wall_s, 1),
            "cpu_serveur_s": round(self.server_cpu_s, 1),
            "cpu_machine_s": round(self.machine_cpu_s, 1),
            "p50_par_page_s": {k: round(statistics.median(v), 2) for k, v in self.by_page.items()},
        }

    def add(self, page: str, seconds: float) -> None:
        self.times.append(seconds)
        self.by_page.setdefault(page, []).append(seconds)


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: with 20 values, p95 is the 19th)."""
    rank = max(1, min(len(sorted_values), -(-len(sorted_values) * pct // 100)))
    return sorted_values[int(rank) - 1]


def registered_pages() -> list[tuple[str, str]]:
    """(url_path, path to open) of the pages to load: "" opens the default page (Streamlit serves it at /)."""
    text = (ROOT / "app.py").read_text("utf-8")
    calls = re.findall(r"st\.Page\((.*?)\)\s*,?\s*$", text, re.M | re.S)
    urls = [m.group(1) for c in calls if (m := re.search(r"url_path\s*=\s*[\"']([^\"']+)[\"']", c))]
    default = next((u for c, u in zip(calls, urls, strict=False) if re.search(r"default\s*=\s*True", c)), urls[0])
    chosen = [p for p in PREFERRED_PAGES if p in urls] or ["donnees"]
    return [(p, "" if p == default else p) for p in chosen]


def territoires(db: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute(TERRITOIRES_SQL).fetchall()]


def ensure_db(db: Path) -> str:
    """Build the database once: the national demo when esscore.demo exists, else the SIRENE fixture."""
    if db.exists():
        return "existante"
    from esscore.build import build

    if (ROOT / "esscore" / "demo.py").exists():
        build(db, progress=lambda m: print(m, file=sys.stderr))
        return "démonstration nationale"
    fixture = ROOT / "tests" / "fixtures" / "sirene"
    build(db, progress=lambda m: print(m, file=sys.stderr),
          sirene=(fixture / "StockEtablissement_utf8.csv", fixture / "StockUniteLegale_utf8.csv"))  # fmt: skip
    return "fixture SIRENE"


def rss_mb(servers: list[int]) -> float:
    """Resident memory of the server processes and their children (VmRSS from /proc), in MB."""
    total = 0
    pids = list(servers)
    for pid in servers:
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(servers: list[int] | None = None) -> float:
    """CPU time (user + system) of the server processes (and reaped children), or of the whole machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    if servers is None:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        return (sum(int(f) for f in fields) - int(fields[3]) - int(fields[4])) / ticks  # minus idle, iowait
    total = 0
    for pid in servers:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(v) for v in stat[11:15])
    return total / ticks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ESS_DB": str(db), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1"]  # fmt: skip
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"Le serveur s'est arrêté (code {proc.returncode}) ; journal : {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as resp:  # noqa: S310
                if resp.read().strip() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"Le serveur n'a pas répondu en 60 s ; journal : {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


async def session(
    browser, base: str, pages: list[tuple[str, str]], territoire: str, rnd: Round, timeout_ms: int
) -> None:
    """One visitor in Chromium: a fresh context (cookies, websocket) visiting each page in turn."""
    from tests.browser import _APP_READY_JS as APP_READY_JS  # the same "page ready" test as the browser tests

    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        page = await context.new_page()
        for name, path in pages:
            url = f"{base}/{path}?{urlencode({'territoire': territoire})}"
            t0 = time.perf_counter()
            try:
                await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
                await page.wait_for_function(APP_READY_JS, timeout=timeout_ms)
            except Exception as err:  # noqa: BLE001 - a timeout is a measured failure, not a crash
                rnd.errors.append(f"{name} {territoire} : {type(err).__name__}")
                continue
            rnd.add(name, time.perf_counter() - t0)
            if await page.locator('[data-testid="stException"]').count():
                rnd.errors.append(f"{name} {territoire} : exception affichée")
    finally:
        await context.close()


async def ws_session(
    port: int | str, pages: list[tuple[str, str]], territoire: str, rnd: Round, timeout_s: float
) -> None:
    """One visitor speaking Streamlit's own protocol: per page, a new websocket (like a full page load) and a
    ``rerun_script`` request; the page is ready when the server reports the script run finished."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    for name, path in pages:
        t0 = time.perf_counter()
        try:
            async with websockets.connect(
                f"ws://{_hote(port)}/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
                origin=f"http://{_hote(port)}", max_size=None, open_timeout=timeout_s,  # type: ignore[arg-type]
            ) as ws:  # fmt: skip
                msg = BackMsg()
                msg.rerun_script.query_string = urlencode({"territoire": territoire})
                msg.rerun_script.page_name = path
                await ws.send(msg.SerializeToString())
                deadline = t0 + timeout_s
                while True:
                    fwd = ForwardMsg()
                    fwd.ParseFromString(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.perf_counter())))
                    kind = fwd.WhichOneof("type")
                    if kind == "page_not_found":
                        rnd.errors.append(f"{name} {territoire} : page introuvable")
                    elif kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                        rnd.errors.append(f"{name} {territoire} : {fwd.delta.new_element.exception.message[:120]}")
                    elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        break
        except Exception as err:  # noqa: BLE001 - a timeout or a dropped socket is a measured failure
            rnd.errors.append(f"{name} {territoire} : {type(err).__name__}")
            continue
        rnd.add(name, time.perf_counter() - t0)


def _hote(port: int | str) -> str:
    """ "127.0.0.1:PORT" for a port number, else the given "host:port"."""
    return f"127.0.0.1:{port}" if isinstance(port, int) else port


async def rechauffer(adresse: str, timeout_s: float = 60) -> int:
    """Open one session on the default page of a freshly started server, then exit (0 = served).

    Why: until some session has run app.py, Streamlit resolves a first visit to a sub-page among the file
    names of pages/ (pages/feuille-de-route.py is there for that, see esscore/ui/bootstrap.py); warming up
    also loads the database and the caches before the first official arrives. Run after each (re)start,
    e.g. as ``ExecStartPost`` of the systemd unit.
    """
    hote = adresse.removeprefix("http://").rstrip("/")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"http://{hote}/_stcore/health", timeout=2) as resp:  # noqa: S310
                if resp.read().strip() == b"ok":
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            print(f"Serveur injoignable : http://{hote}/_stcore/health", file=sys.stderr)
            return 1
        await asyncio.sleep(0.5)
    rnd = Round(1)
    await ws_session(hote, [("accueil", "")], "france", rnd, timeout_s)
    for err in rnd.errors:
        print(f"Erreur au préchauffage : {err}", file=sys.stderr)
    return 1 if rnd.errors or not rnd.times else 0


async def sample_rss(servers: list[int], rnd: Round, stop: asyncio.Event) -> None:
    while not stop.is_set():
        rnd.rss_peak_mb = max(rnd.rss_peak_mb, rss_mb(servers))
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.2)
        except TimeoutError:
            pass


Visit = Callable[[int, str, Round], Awaitable[None]]  # (visitor number, territory, round)


async def run_round(
    visit: Visit, servers: list[int], n: int, pool: list[str], offset: int, territoire: str | None = None
) -> Round:
    """N visitors at once, each on its own territory (or all on one); RSS sampled, CPU time counted."""
    rnd = Round(n)
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(servers, rnd, stop))
    cpu0, machine0 = cpu_seconds(servers), cpu_seconds()
    t0 = time.perf_counter()
    await asyncio.gather(*(
        visit(i, territoire or pool[(offset + i) % len(pool)], rnd) for i in range(n)
    ))  # fmt: skip
    rnd.wall_s = time.perf_counter() - t0
    rnd.server_cpu_s, rnd.machine_cpu_s = cpu_seconds(servers) - cpu0, cpu_seconds() - machine0
    stop.set()
    await sampler
    rnd.rss_after_mb = rss_mb(servers)
    return rnd


async def run_rounds(
    visit: Visit, args: argparse.Namespace, db: Path, servers: list[int], result: dict[str, Any]
) -> None:
    for i in range(len(servers)):  # first visit of each replica: imports, caches, DuckDB instance
        warm = Round(1)
        t0 = time.perf_counter()
        await visit(i, "epci:200041317", warm)
        result.setdefault("premiere_visite_s", round(time.perf_counter() - t0, 2))
        result.setdefault("premiere_visite_erreurs", warm.errors)
    result["premiere_visite_s"] = round(time.perf_counter() - t0, 2)
    result["premiere_visite_erreurs"] = warm.errors
    counts = [min(int(n), MAX_SESSIONS) for n in args.sessions.split(",")]
    pool = [t for t in territoires(db) if t != "epci:200041317"]
    offset = 0
    deadline = time.monotonic() + args.deadline
    rebuild: subprocess.Popen[bytes] | None = None
    for index, n in enumerate(counts):
        for _ in range(args.rounds):
            if time.monotonic() > deadline:
                raise SystemExit("Délai global dépassé.")
            last = index == len(counts) - 1
            if args.reconstruction and last and rebuild is None:
                rebuild = subprocess.Popen(
                    [sys.executable, "-m", "esscore.cli", "build", "--db", str(db)],
                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
            rnd = await run_round(visit, servers, n, pool, offset, args.territoire)
            offset += n
            summary = rnd.summary() | {"pendant_reconstruction": bool(rebuild and last)}
            result["rounds"].append(summary)
            print(json.dumps(summary, ensure_ascii=False), file=sys.stderr)
            for err in rnd.errors[:10]:
                print(f"  erreur : {err}", file=sys.stderr)
    if rebuild is not None:
        result["reconstruction_code"] = rebuild.wait(timeout=600)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    db = Path(args.db)
    origin = ensure_db(db)
    pages = registered_pages()
    replicas = max(1, min(args.replicas, 8))
    ports = [free_port() for _ in range(replicas)]
    procs: list[subprocess.Popen[bytes]] = []
    result: dict[str, Any] = {"base": origin, "client": args.client, "pages": [n for n, _ in pages],
                              "coeurs": os.cpu_count(), "replicas": replicas, "rounds": []}  # fmt: skip
    try:
        for k, port in enumerate(ports):  # replicas = what nginx with sticky sessions would spread visitors on
            procs.append(start_server(db, port, Path(f"{args.log}.{k}" if k else args.log)))
        servers = [p.pid for p in procs]
        result["rss_demarrage_mo"] = round(rss_mb(servers))
        if args.client == "websocket":
            ws_visit = lambda i, t, r: ws_session(ports[i % replicas], pages, t, r, args.timeout)  # noqa: E731
            await run_rounds(ws_visit, args, db, servers, result)
            return result
        from playwright.async_api import async_playwright

        from tests.browser import CHROMIUM, CHROMIUM_ARGS

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                visit = lambda i, t, r: session(  # noqa: E731
                    browser, f"http://127.0.0.1:{ports[i % replicas]}", pages, t, r, args.timeout * 1000
                )
                await run_rounds(visit, args, db, servers, result)
            finally:
                await browser.close()
    finally:
        for proc in procs:
            stop_server(proc)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/load.duckdb", help="base à servir (construite si absente)")
    parser.add_argument("--client", choices=["websocket", "navigateur"], default="websocket",
                        help="websocket : protocole Streamlit (mesure le serveur) ; navigateur : Chromium complet")  # fmt: skip
    parser.add_argument("--sessions", default="1,10,20", help="nombres de sessions simultanées, par ex. 1,10,20")
    parser.add_argument(
        "--territoire", help="même territoire pour toutes les sessions (caches chauds), ex. epci:200041317"
    )
    parser.add_argument("--replicas", type=int, default=1, help="processus Streamlit (comme derrière nginx)")
    parser.add_argument("--rounds", type=int, default=1, help="répétitions de chaque palier")
    parser.add_argument("--timeout", type=int, default=60, help="délai maximal d'une page (s)")
    parser.add_argument("--deadline", type=int, default=900, help="durée maximale de l'ensemble (s)")
    parser.add_argument("--reconstruction", action="store_true", help="dernier palier pendant un esscore build")
    parser.add_argument("--log", default="/tmp/load-streamlit.log", help="journal du serveur")
    parser.add_argument("--json", help="écrire les résultats dans ce fichier JSON")
    parser.add_argument("--rechauffer", metavar="HOTE:PORT",
                        help="seulement ouvrir une session sur un serveur déjà lancé (après démarrage), puis quitter")  # fmt: skip
    args = parser.parse_args()
    if args.rechauffer:
        sys.exit(asyncio.run(rechauffer(args.rechauffer, args.timeout)))
    result = asyncio.run(main_async(args))
    print(f"Base : {result['base']} · client : {result['client']} · pages : {', '.join(result['pages'])} · "
          f"{result['coeurs']} cœurs · {result['replicas']} processus Streamlit")  # fmt: skip
    print(f"Première visite (serveur neuf, 1 session) : {result['premiere_visite_s']} s ; "
          f"RSS au démarrage : {result['rss_demarrage_mo']} Mo")  # fmt: skip
    print(f"{'sessions':>8} {'pages':>6} {'p50 s':>6} {'p95 s':>6} {'max s':>6} {'erreurs':>7} {'RSS pic Mo':>10}"
          f" {'RSS après':>9} {'durée s':>7} {'CPU serveur s':>13} {'CPU machine s':>13}")  # fmt: skip
    for r in result["rounds"]:
        print(f"{r['sessions']:>8} {r['pages']:>6} {r['p50_s']!s:>6} {r['p95_s']!s:>6} {r['max_s']!s:>6} "
              f"{r['erreurs']:>7} {r['rss_pic_mo']:>10} {r['rss_apres_mo']:>9} {r['duree_s']:>7}"
              f" {r['cpu_serveur_s']:>13} {r['cpu_machine_s']:>13}"
              + ("  (pendant esscore build)" if r["pendant_reconstruction"] else ""))  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")


if __name__ == "__main__":
    main()
