"""esscore.auth: salted scrypt hashes, the old SHA-256 form, and the process-wide attempt limiter (fake clock)."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
from datetime import UTC, datetime

import pytest

from esscore import auth
from esscore.cli import main

MOT = "une phrase de passe longue et unique"


class Horloge:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def limiteur(h: Horloge, **options: object) -> auth.LimiteurEssais:
    return auth.LimiteurEssais(horloge=h, utc=lambda: datetime(2026, 11, 23, 8, 30, tzinfo=UTC), **options)


def faux() -> bool:
    return False


def vrai() -> bool:
    return True


# --------------------------------------------------------------------------- hashing


def test_scrypt_hash_is_salted_self_describing_and_verified() -> None:
    texte = auth.empreinte_mot_de_passe(MOT)
    assert re.fullmatch(r"scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=", texte), texte
    assert auth.empreinte_mot_de_passe(MOT) != texte  # a new salt every time
    empreinte = auth.lire_empreinte(f"  {texte}\n")
    assert empreinte is not None and empreinte.forme == "scrypt" and not empreinte.ancienne
    assert (empreinte.n, empreinte.r, empreinte.p, len(empreinte.sel)) == (2**14, 8, 1, 16)
    assert auth.verifier_mot_de_passe(MOT, empreinte)
    assert not auth.verifier_mot_de_passe(MOT + " ", empreinte)
    assert not auth.verifier_mot_de_passe("", empreinte)
    assert auth.verifier_mot_de_passe("é", auth.lire_empreinte(auth.empreinte_mot_de_passe("é")))


def test_parameters_are_read_from_the_stored_form() -> None:
    texte = auth.empreinte_mot_de_passe(MOT, sel=b"0123456789abcdef", n=2**10, r=4, p=2)
    assert texte.startswith("scrypt$1024$4$2$MDEyMzQ1Njc4OWFiY2RlZg==$")
    empreinte = auth.lire_empreinte(texte)
    assert (empreinte.n, empreinte.r, empreinte.p) == (1024, 4, 2)
    assert auth.verifier_mot_de_passe(MOT, empreinte)


def test_old_sha256_form_is_accepted_in_any_case() -> None:
    hexa = hashlib.sha256(MOT.encode()).hexdigest()
    for texte in (hexa, hexa.upper()):
        empreinte = auth.lire_empreinte(texte)
        assert empreinte is not None and empreinte.ancienne and empreinte.texte == hexa
        assert auth.verifier_mot_de_passe(MOT, empreinte)
        assert not auth.verifier_mot_de_passe("autre", empreinte)


@pytest.mark.parametrize(
    "texte",
    [
        None,
        42,
        "",
        "secret-en-clair",
        "a" * 63,
        "scrypt$16384$8$1$c2Vs",
        "scrypt$16384$8$1$!!!!$ZW1wcmVpbnRlZW1wcmVpbnRl",  # not base64
        "scrypt$1000$8$1$c2Vsc2Vsc2Vs$ZW1wcmVpbnRlZW1wcmVpbnRl",  # n not a power of two
        "scrypt$4194304$8$1$c2Vsc2Vsc2Vs$ZW1wcmVpbnRlZW1wcmVpbnRl",  # 4 GiB of memory per check
        "scrypt$16384$8$99$c2Vsc2Vsc2Vs$ZW1wcmVpbnRlZW1wcmVpbnRl",  # p too large
        "scrypt$16384$8$1$c2Vs$ZW1wcmVpbnRlZW1wcmVpbnRl",  # salt too short
        "bcrypt$2b$12$abcdefghijklmnopqrstuv",
    ],
)
def test_malformed_or_dangerous_hashes_are_refused(texte: object) -> None:
    assert auth.lire_empreinte(texte) is None


def test_configured_hash_prefers_the_new_key_and_warns_once_about_the_old_form(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="esscore.auth")
    nouveau = auth.empreinte_mot_de_passe(MOT)
    ancien = hashlib.sha256(b"ancien mot de passe unique au test").hexdigest()
    assert auth.empreinte_configuree({}) is None
    assert auth.empreinte_configuree({auth.CLE_EMPREINTE: nouveau, auth.CLE_ANCIENNE: ancien}).texte == nouveau
    assert not caplog.records
    for _ in range(3):
        assert auth.empreinte_configuree({auth.CLE_ANCIENNE: ancien}).ancienne
    avertissements = [r.getMessage() for r in caplog.records]
    assert len(avertissements) == 1 and "esscore roadmap mot-de-passe" in avertissements[0]
    assert ancien not in avertissements[0]
    assert auth.empreinte_invalide({auth.CLE_ANCIENNE: "secret-en-clair"}) == auth.CLE_ANCIENNE
    assert auth.empreinte_invalide({auth.CLE_EMPREINTE: "scrypt$x"}) == auth.CLE_EMPREINTE
    assert auth.empreinte_invalide({auth.CLE_EMPREINTE: nouveau}) is None


# --------------------------------------------------------------------------- client address


@pytest.mark.parametrize(
    ("adresse", "cle"),
    [
        (None, "inconnue"),
        ("", "inconnue"),
        ("pas une adresse", "inconnue"),
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
    ],
)
def test_address_key(adresse: str | None, cle: str) -> None:
    assert auth.cle_adresse(adresse) == cle


# --------------------------------------------------------------------------- limiter


def test_five_failures_then_doubling_delays_capped() -> None:
    h = Horloge()
    lim = limiteur(h)
    for restants in (4, 3, 2, 1):
        assert lim.essayer("203.0.113.7", faux) == auth.Resultat(False, restants=restants)
    assert lim.essayer("203.0.113.7", faux) == auth.Resultat(False, attente=2)
    appels = []
    refus = lim.essayer("203.0.113.7", lambda: appels.append(1) or True)
    assert refus.refuse and refus.motif == "adresse" and refus.attente == 2 and not refus.ok
    assert not appels  # the password is not even checked while the address waits
    delais = []
    for _ in range(12):
        h.t += lim.etat("203.0.113.7").attente
        delais.append(lim.essayer("203.0.113.7", faux).attente)
    # Each new failure as soon as allowed; the 12th comes more than an hour after the first five, forgotten.
    assert delais == [4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 8]
    assert lim.essayer("198.51.100.2", faux) == auth.Resultat(False, restants=4)  # other addresses unaffected
    assert lim.essayer("2001:db8:1:2::1", faux).restants == 4
    assert lim.essayer("2001:db8:1:2::99", faux).restants == 3  # same /64 network, same counter


def test_failures_are_forgotten_after_the_window_and_on_success() -> None:
    h = Horloge()
    lim = limiteur(h)
    for _ in range(4):
        lim.essayer("203.0.113.7", faux)
    h.t += auth.FENETRE_ADRESSE + 1
    assert lim.essayer("203.0.113.7", faux).restants == 4
    for _ in range(3):
        lim.essayer("203.0.113.7", faux)
    assert lim.etat("203.0.113.7").restants == 1
    assert lim.essayer("203.0.113.7", vrai) == auth.Resultat(True)
    assert lim.etat("203.0.113.7") == auth.Resultat(False, restants=5)


def test_a_right_password_is_refused_during_the_delay_then_accepted() -> None:
    h = Horloge()
    lim = limiteur(h)
    for _ in range(5):
        lim.essayer("203.0.113.7", faux)
    assert lim.essayer("203.0.113.7", vrai).refuse
    h.t += 1.5
    assert lim.essayer("203.0.113.7", vrai).attente == 1
    h.t += 0.5
    assert lim.essayer("203.0.113.7", vrai).ok


def test_twenty_wrong_passwords_from_one_address_in_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="esscore.auth")
    h = Horloge()
    lim = limiteur(h)
    resultats = []
    for i in range(20):
        h.t = 1000 + 3 * i
        resultats.append(lim.essayer("203.0.113.7", faux))
    assert sum(not r.refuse for r in resultats) == 9 and sum(r.refuse for r in resultats) == 11
    assert [r.attente for r in resultats if r.refuse] == [1, 5, 2, 13, 10, 7, 4, 1, 29, 26, 23]
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 20 and all(r.levelno == logging.WARNING for r in caplog.records)
    assert all("adresse 203.0.113.7, 2026-11-23 08:30:00 UTC" in m for m in messages)
    assert sum(m.startswith("Échec du mot de passe") for m in messages) == 9
    assert sum("refusé sans vérification (trop d'échecs depuis cette adresse)" in m for m in messages) == 11


def test_global_limit_suspends_every_address(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="esscore.auth")
    h = Horloge()
    lim = limiteur(h)
    for i in range(auth.SEUIL_GLOBAL):  # 50 addresses, one failure each, within a minute
        h.t = 1000 + i
        assert not lim.essayer(f"198.51.100.{i}", faux).refuse
    bloque = lim.essayer("203.0.113.7", vrai)  # a new address, right password: refused all the same
    assert bloque.refuse and bloque.motif == "global" and bloque.attente == auth.BLOCAGE_GLOBAL
    assert any(r.levelno == logging.ERROR and "sur l'ensemble du serveur" in r.getMessage() for r in caplog.records)
    assert any("trop d'échecs sur le serveur" in r.getMessage() for r in caplog.records)
    h.t += auth.BLOCAGE_GLOBAL
    assert lim.essayer("203.0.113.7", vrai).ok


def test_successes_do_not_count_towards_the_global_limit() -> None:
    h = Horloge()
    lim = limiteur(h, seuil_global=3)
    for i in range(10):
        assert lim.essayer(f"198.51.100.{i}", vrai).ok
    lim.essayer("198.51.100.1", faux)
    lim.essayer("198.51.100.2", faux)
    assert not lim.essayer("198.51.100.3", vrai).refuse
    lim.essayer("198.51.100.4", faux)
    assert lim.essayer("198.51.100.5", vrai).motif == "global"


def test_parallel_attempts_cannot_slip_past_the_threshold() -> None:
    """Attempts count as failures from the moment they are let through: 40 threads, 5 checks at most."""
    lim = auth.LimiteurEssais()
    verifies = []
    depart = threading.Barrier(40)

    def lent() -> bool:
        verifies.append(1)
        time.sleep(0.05)
        return False

    def tentative() -> None:
        depart.wait()
        lim.essayer("203.0.113.7", lent)

    fils = [threading.Thread(target=tentative) for _ in range(40)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert len(verifies) == auth.SEUIL_ADRESSE


def test_an_error_during_the_check_counts_as_a_failure() -> None:
    lim = limiteur(Horloge())

    def casse() -> bool:
        raise MemoryError("scrypt")

    with pytest.raises(MemoryError):
        lim.essayer("203.0.113.7", casse)
    assert lim.etat("203.0.113.7").restants == 4


def test_memory_is_bounded() -> None:
    h = Horloge()
    lim = limiteur(h, adresses_max=100, seuil_global=10**6)
    for i in range(1000):
        lim.essayer(f"10.0.{i // 256}.{i % 256}", faux)
    assert len(lim._adresses) == 100


def test_essayer_mot_de_passe_uses_the_process_wide_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    lim = limiteur(Horloge())
    monkeypatch.setattr(auth, "LIMITEUR", lim)
    empreinte = auth.lire_empreinte(auth.empreinte_mot_de_passe(MOT, n=2**10))
    assert not auth.essayer_mot_de_passe("non", empreinte, "203.0.113.7").ok
    assert lim.etat("203.0.113.7").restants == 4
    assert auth.essayer_mot_de_passe(MOT, empreinte, "203.0.113.7").ok


# --------------------------------------------------------------------------- CLI


def test_cli_prints_the_line_for_the_secrets_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(MOT + "\n"))
    assert main(["roadmap", "mot-de-passe", "--stdin"]) == 0
    out, err = capsys.readouterr()
    cle, valeur = out.strip().split(" = ")
    assert cle == "mot_de_passe_empreinte" and MOT not in out + err
    assert auth.verifier_mot_de_passe(MOT, auth.lire_empreinte(valeur.strip('"')))
    assert "[edition]" in err


def test_cli_asks_twice_and_refuses_mismatch_or_empty(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    saisies = iter([MOT, MOT + "x"])
    monkeypatch.setattr("getpass.getpass", lambda invite="": next(saisies))
    assert main(["roadmap", "mot-de-passe"]) == 2
    assert "Les deux saisies diffèrent" in capsys.readouterr().err
    saisies = iter(["court", "court"])
    assert main(["roadmap", "mot-de-passe"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("mot_de_passe_empreinte = ") and "mot de passe court" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["roadmap", "mot-de-passe", "--stdin"]) == 2
    assert "Mot de passe vide" in capsys.readouterr().err
