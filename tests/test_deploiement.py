"""The production guide stays consistent with the code: sandbox of the web service, nginx headers and limits,
password command, encrypted backups; ``esscore build --si-necessaire`` (the build unit run before the app)."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from esscore.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "deploiement.md"


def blocs(langage: str) -> list[str]:
    return re.findall(rf"```{langage}\n(.*?)```", GUIDE.read_text("utf-8"), re.S)


def unite(nom: str) -> dict[str, list[str]]:
    """``Clé`` → values of the unit file ``nom`` shown in the guide."""
    texte = next(b for b in blocs("ini") if b.startswith(f"# /etc/systemd/system/{nom}\n"))
    valeurs: dict[str, list[str]] = {}
    for ligne in texte.splitlines():
        if "=" in ligne and not ligne.startswith(("#", "[")):
            cle, valeur = ligne.split("=", 1)
            valeurs.setdefault(cle.strip(), []).append(valeur.strip())
    return valeurs


def environnement() -> dict[str, str]:
    texte = next(b for b in blocs("bash") if "cat > /etc/ess-territoires.env" in b)
    corps = texte.split("<<'EOF'\n", 1)[1].split("\nEOF", 1)[0]
    return dict(ligne.split("=", 1) for ligne in corps.splitlines() if "=" in ligne)


def test_web_service_writes_only_in_the_store_folder() -> None:
    web, base, env = unite("ess-territoires.service"), unite("ess-territoires-base.service"), environnement()
    assert web["ProtectSystem"] == ["strict"] and web["PrivateTmp"] == ["true"]
    ecriture = " ".join(web["ReadWritePaths"]).split()
    store_dir = str(Path(env["ESS_STORE"]).parent)
    assert store_dir in ecriture
    assert str(Path(env["ESS_DB"]).parent) not in ecriture  # the statistics database: read-only for the app
    assert not any("data" in Path(p.lstrip("-")).parts for p in ecriture)
    assert Path(env["ESS_DB"]).parent != Path(store_dir)
    # the database is built (or upgraded) by a separate unit, as the same user, before the app starts
    assert "ess-territoires-base.service" in web["Requires"][0] and "ess-territoires-base.service" in web["After"][0]
    assert base["Type"] == ["oneshot"] and base["User"] == web["User"] == ["ess"]
    assert base["ExecStart"][0].endswith("esscore build --si-necessaire")
    assert str(Path(env["ESS_DB"]).parent) in base["ReadWritePaths"][0].split()


def test_nginx_headers_and_rate_limits() -> None:
    nginx = next(b for b in blocs("nginx") if "server_name" in b)
    assert re.search(r'add_header Strict-Transport-Security "max-age=\d{7,}[^"]*" always;', nginx)
    assert "add_header Content-Security-Policy \"frame-ancestors 'self'\" always;" in nginx
    assert "add_header X-Frame-Options SAMEORIGIN always;" in nginx
    zones = dict(re.findall(r"limit_req_zone \$binary_remote_addr zone=(\w+):\S+ rate=(\S+);", nginx))
    assert set(zones) == {"ess_sessions", "ess_pages"}
    stream = nginx.split("location = /_stcore/stream {", 1)[1].split("}", 1)[0]
    assert "limit_req zone=ess_sessions" in stream and "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in stream
    locations = re.findall(r"\n    location [^{]*\{\n(.*?)\n    \}", nginx, re.S)
    directives = [ligne.split("#", 1)[0] for corps in locations for ligne in corps.splitlines()]
    assert len(locations) == 4 and not any("add_header" in d for d in directives)  # would drop the server's
    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert f"client_max_body_size {conf['server']['maxUploadSize']}m;" in nginx


def test_guide_uses_the_salted_hash_and_encrypted_backups() -> None:
    texte = GUIDE.read_text("utf-8")
    assert "esscore roadmap mot-de-passe" in texte and 'mot_de_passe_empreinte = "scrypt$' in texte
    assert "sha256sum" not in texte
    sauvegarde = next(b for b in blocs("bash") if "/usr/local/bin/ess-sauvegarde" in b)
    assert "age -R /etc/ess-territoires-sauvegarde.pub" in sauvegarde and "umask 077" in sauvegarde
    assert "age -d -i" in texte


def test_build_only_when_needed(
    db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import esscore.build

    appels: list[object] = []
    monkeypatch.setattr(esscore.build, "build", lambda db, progress=None: appels.append(db))
    copie = tmp_path / "ess.duckdb"
    shutil.copy(db_file, copie)
    avant = copie.read_bytes()
    assert main(["build", "--db", str(copie), "--si-necessaire"]) == 0
    assert not appels and copie.read_bytes() == avant and "Base à jour" in capsys.readouterr().err
    assert main(["build", "--db", str(tmp_path / "absente.duckdb"), "--si-necessaire"]) == 0
    (tmp_path / "abimee.duckdb").write_bytes(b"pas une base")
    assert main(["build", "--db", str(tmp_path / "abimee.duckdb"), "--si-necessaire"]) == 0
    assert main(["build", "--db", str(copie)]) == 0  # without the option: always rebuilt
    assert appels == [str(tmp_path / "absente.duckdb"), str(tmp_path / "abimee.duckdb"), str(copie)]


def test_guide_scale_out_on_postgresql_matches_the_code() -> None:
    """Several servers: the guide's ESS_STORE is a PostgreSQL URL the code accepts, with no password in it, and
    every upstream of the proxy keeps a session on its server (ip_hash or a hash on a cookie)."""
    from esscore.config import store_location

    texte = GUIDE.read_text("utf-8")
    url = re.search(r"^ESS_STORE=(postgresql://\S+)$", texte, re.M)
    assert url and isinstance(store_location(url.group(1)), str)
    assert ":" not in url.group(1).split("://", 1)[1].split("@")[0]  # user only: the password is in .pgpass
    upstreams = [b for b in blocs("nginx") if "upstream ess_territoires" in b]
    assert len(upstreams) >= 2
    assert all(re.search(r"^\s*(ip_hash|hash \$\S+ consistent);", b, re.M) for b in upstreams)
    assert any("hash $ess_affinite consistent;" in b and "$cookie_ess_serveur" in b for b in upstreams)
    assert "esscore roadmap restore" in texte and "export logique" in texte
