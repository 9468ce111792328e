"""Shared edit password: salted slow hash, constant-time check, process-wide limit on failed attempts.

No Streamlit here (``esscore.ui.auth`` is the page glue): the CLI produces hashes with the same code.

Why scrypt: the hash lives in ``.streamlit/secrets.toml``; if that file leaks, a bare SHA-256 of a
passphrase is tested at billions of guesses per second on a GPU, the same guess against every
installation at once. ``hashlib.scrypt`` (standard library, OpenSSL) costs ~16 MiB of memory and tens of
milliseconds per guess, and a random salt per hash makes each installation a separate job. The stored
form names its parameters, so they can grow later without breaking the hashes already written.

Why the limiter is process-wide: a Streamlit session is only a browser tab. Reloading the page gave a
new session, so a per-session counter allowed 20 attempts in 37 seconds. The counters here are shared by
every session of the server process, per client address and for all addresses together.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JOURNAL = logging.getLogger("esscore.auth")

# --------------------------------------------------------------------------- hashing

# n = 2**14, r = 8, p = 1: the parameters recommended for interactive logins (RFC 7914 § 2, OWASP):
# 128 * n * r = 16 MiB of memory and ~50 ms of one core per check.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SEL_OCTETS, EMPREINTE_OCTETS = 16, 32
# Bounds on parameters read from the secrets file: a typo must not make every check take minutes or GiBs.
_N_MAX, _R_MAX, _P_MAX, _MEMOIRE_MAX = 2**20, 32, 16, 256 * 1024 * 1024

CLE_EMPREINTE = "mot_de_passe_empreinte"  # secrets key of the scrypt form (``esscore roadmap mot-de-passe``)
CLE_ANCIENNE = "mot_de_passe_sha256"  # former key: a bare, unsalted SHA-256, still accepted with a warning
COMMANDE = "esscore roadmap mot-de-passe"

_RE_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_RE_SCRYPT = re.compile(r"^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/=]{4,200})\$([A-Za-z0-9+/=]{4,200})$")

AVERTISSEMENT_SHA256 = (
    f"Le mot de passe d'édition est enregistré sous l'ancienne forme (`{CLE_ANCIENNE}` : SHA-256 sans sel, "
    f"vite cassé si le fichier de secrets fuite). Lancez « {COMMANDE} » sur le serveur et remplacez cette "
    f"ligne par la ligne `{CLE_EMPREINTE} = …` qu'elle affiche."
)


@dataclass(frozen=True)
class Empreinte:
    """A configured password hash: ``scrypt`` (salted) or ``sha256`` (the old unsalted form)."""

    forme: str
    texte: str  # the normalised stored form: identifies the password for the sessions opened with it
    sel: bytes = b""
    valeur: bytes = b""
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @property
    def ancienne(self) -> bool:
        return self.forme == "sha256"


def _b64(octets: bytes) -> str:
    return base64.b64encode(octets).decode("ascii")


def _scrypt(mot_de_passe: str, sel: bytes, n: int, r: int, p: int, longueur: int) -> bytes:
    memoire = 128 * r * (n + p + 2) + 1024 * 1024  # OpenSSL's own estimate, plus a margin
    return hashlib.scrypt(mot_de_passe.encode("utf-8"), salt=sel, n=n, r=r, p=p, maxmem=memoire, dklen=longueur)


def empreinte_mot_de_passe(
    mot_de_passe: str, *, sel: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> str:
    """``scrypt$N$r$p$<salt base64>$<hash base64>`` for the secrets file (a new random salt by default)."""
    sel = secrets.token_bytes(SEL_OCTETS) if sel is None else sel
    valeur = _scrypt(mot_de_passe, sel, n, r, p, EMPREINTE_OCTETS)
    return f"scrypt${n}${r}${p}${_b64(sel)}${_b64(valeur)}"


def lire_empreinte(texte: object) -> Empreinte | None:
    """Parse a stored hash (scrypt form or 64 hex digits, any case); None when malformed or out of bounds."""
    if not isinstance(texte, str):
        return None
    propre = texte.strip()
    if _RE_SHA256.match(propre.lower()):
        return Empreinte("sha256", propre.lower(), valeur=bytes.fromhex(propre))
    trouve = _RE_SCRYPT.match(propre)
    if not trouve:
        return None
    n, r, p = (int(x) for x in trouve.group(1, 2, 3))
    try:
        sel = base64.b64decode(trouve.group(4), validate=True)
        valeur = base64.b64decode(trouve.group(5), validate=True)
    except (binascii.Error, ValueError):
        return None
    puissance_de_2 = n > 1 and n & (n - 1) == 0
    if not (puissance_de_2 and n <= _N_MAX and 1 <= r <= _R_MAX and 1 <= p <= _P_MAX):
        return None
    if 128 * r * n > _MEMOIRE_MAX or len(sel) < 8 or len(valeur) < 16:
        return None
    return Empreinte("scrypt", propre, sel=sel, valeur=valeur, n=n, r=r, p=p)


def verifier_mot_de_passe(mot_de_passe: str, empreinte: Empreinte) -> bool:
    """True when ``mot_de_passe`` matches; the final comparison takes the same time whatever differs."""
    if empreinte.forme == "sha256":
        calcul = hashlib.sha256(mot_de_passe.encode("utf-8")).digest()
    else:
        calcul = _scrypt(mot_de_passe, empreinte.sel, empreinte.n, empreinte.r, empreinte.p, len(empreinte.valeur))
    return hmac.compare_digest(calcul, empreinte.valeur)


_deja_signale: set[str] = set()
_verrou_signal = threading.Lock()


def empreinte_configuree(conf: Mapping[str, Any]) -> Empreinte | None:
    """The hash of the ``[edition]`` secrets: ``mot_de_passe_empreinte`` first, else ``mot_de_passe_sha256``.

    Either key accepts either form. The old unsalted form is accepted (existing installations keep working)
    and logged once per value as a warning telling the administrator to re-hash.
    """
    valeur = conf.get(CLE_EMPREINTE)
    if valeur is None:
        valeur = conf.get(CLE_ANCIENNE)
    empreinte = lire_empreinte(valeur)
    if empreinte is not None and empreinte.ancienne:
        with _verrou_signal:
            nouveau = empreinte.texte not in _deja_signale
            _deja_signale.add(empreinte.texte)
        if nouveau:
            JOURNAL.warning(
                "Mot de passe d'édition sous l'ancienne forme (SHA-256 sans sel) : lancez « %s » et remplacez "
                "« %s » par « %s » dans .streamlit/secrets.toml.",
                COMMANDE,
                CLE_ANCIENNE,
                CLE_EMPREINTE,
            )
    return empreinte


def empreinte_invalide(conf: Mapping[str, Any]) -> str | None:
    """The secrets key holding a malformed hash (to tell the administrator), else None."""
    for cle in (CLE_EMPREINTE, CLE_ANCIENNE):
        if conf.get(cle) is not None:
            return None if lire_empreinte(conf.get(cle)) else cle
    return None


# --------------------------------------------------------------------------- attempt limiter

# Per address: 5 failures within an hour, then delays of 2, 4, 8 … s capped at 15 min (counted from each
# failure). A patient attacker gets ~12 checks an hour (~285 a day) per address, a user who mistyped is
# never locked out for more than 15 min, and a success clears the address's failures.
SEUIL_ADRESSE = 5
FENETRE_ADRESSE = 60 * 60.0
DELAI_MAX = 15 * 60.0
SEUIL_GLOBAL = 50  # failures from all addresses within FENETRE_GLOBALE …
FENETRE_GLOBALE = 60.0
BLOCAGE_GLOBAL = 5 * 60.0  # … suspend every password attempt for this long
ADRESSES_MAX = 10_000  # addresses remembered (the oldest are forgotten first): bounded memory
INCONNUE = "inconnue"


def cle_adresse(adresse: str | None) -> str:
    """The counter key of a client address: IPv4 as is, IPv6 by /64 network (what one subscriber gets).

    An unknown address (local run, no proxy header) shares the key « inconnue »: such clients are limited
    together, never exempted.
    """
    if not adresse:
        return INCONNUE
    try:
        ip = ipaddress.ip_address(str(adresse).strip().split("%", 1)[0])
    except ValueError:
        return INCONNUE
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(frozen=True)
class Resultat:
    """Outcome of one attempt.

    ``ok``: the password matched. ``refuse``: the password was not even checked (too many failures).
    ``attente``: seconds before this address may try again (0 when it may try now). ``restants``: failures
    still allowed before delays start. ``motif``: « adresse » or « global » when refused.
    """

    ok: bool
    refuse: bool = False
    attente: int = 0
    restants: int = 0
    motif: str = ""


def _maintenant_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Etat:
    echecs: deque[float] = field(default_factory=deque)
    bloque_jusqua: float = 0.0


@dataclass(kw_only=True, eq=False)
class LimiteurEssais:
    """Failed-attempt limiter shared by every session of the process (thread-safe, injectable clock).

    Per address: from the ``seuil``-th failure within ``fenetre`` seconds on, each failure closes the
    address for 2, 4, 8 … seconds (2 ** (failures - seuil + 1)), at most ``delai_max``, counted from that
    failure; attempts during the delay are refused without checking the password. For all addresses: after
    ``seuil_global`` failures within ``fenetre_globale`` seconds, every attempt is refused for
    ``blocage_global`` seconds (many addresses, one attacker). A success clears its address's failures.

    An attempt counts as a failure from the moment it is let through until it is known to be right, so
    parallel attempts (several tabs, scripts) cannot all slip in before the first failure is recorded.
    Every failure and every refusal is logged (address, UTC time; never the password).
    """

    seuil: int = SEUIL_ADRESSE
    fenetre: float = FENETRE_ADRESSE
    delai_max: float = DELAI_MAX
    seuil_global: int = SEUIL_GLOBAL
    fenetre_globale: float = FENETRE_GLOBALE
    blocage_global: float = BLOCAGE_GLOBAL
    adresses_max: int = ADRESSES_MAX
    horloge: Callable[[], float] = time.monotonic
    utc: Callable[[], datetime] = _maintenant_utc
    journal: logging.Logger = JOURNAL
    _verrou: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _adresses: OrderedDict[str, _Etat] = field(default_factory=OrderedDict, init=False, repr=False)
    _global: deque[float] = field(default_factory=deque, init=False, repr=False)
    _global_jusqua: float = field(default=0.0, init=False, repr=False)

    def reinitialiser(self) -> None:
        """Forget every counter (tests; a restart of the service does the same)."""
        with self._verrou:
            self._adresses.clear()
            self._global.clear()
            self._global_jusqua = 0.0

    def _heure(self) -> str:
        return self.utc().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    def _purger(self, maintenant: float, etat: _Etat) -> None:
        while etat.echecs and etat.echecs[0] <= maintenant - self.fenetre:
            etat.echecs.popleft()
        while self._global and self._global[0] <= maintenant - self.fenetre_globale:
            self._global.popleft()

    def _etat(self, cle: str, maintenant: float) -> _Etat:
        etat = self._adresses.pop(cle, None) or _Etat()
        self._adresses[cle] = etat  # most recently used last
        while len(self._adresses) > self.adresses_max:
            self._adresses.popitem(last=False)
        self._purger(maintenant, etat)
        return etat

    def _delai(self, echecs: int) -> float:
        if echecs < self.seuil:
            return 0.0
        return float(min(2.0 ** min(echecs - self.seuil + 1, 62), self.delai_max))

    def etat(self, adresse: str | None) -> Resultat:
        """Whether an attempt from ``adresse`` would be let through now (nothing recorded, nothing logged)."""
        cle = cle_adresse(adresse)
        with self._verrou:
            maintenant = self.horloge()
            etat = self._etat(cle, maintenant)
            return self._refus(etat, maintenant) or Resultat(False, restants=max(self.seuil - len(etat.echecs), 0))

    def _refus(self, etat: _Etat, maintenant: float) -> Resultat | None:
        if maintenant < self._global_jusqua:
            return Resultat(False, refuse=True, attente=_secondes(self._global_jusqua - maintenant), motif="global")
        if maintenant < etat.bloque_jusqua:
            return Resultat(False, refuse=True, attente=_secondes(etat.bloque_jusqua - maintenant), motif="adresse")
        return None

    def essayer(self, adresse: str | None, verifier: Callable[[], bool]) -> Resultat:
        """Run ``verifier`` (the password check) unless ``adresse`` or the server is refused; record the outcome."""
        cle = cle_adresse(adresse)
        with self._verrou:
            maintenant = self.horloge()
            etat = self._etat(cle, maintenant)
            refus = self._refus(etat, maintenant)
            if refus is None:  # counted as a failure until proven right (parallel attempts see it)
                etat.echecs.append(maintenant)
                self._global.append(maintenant)
                etat.bloque_jusqua = max(etat.bloque_jusqua, maintenant + self._delai(len(etat.echecs)))
        if refus is not None:
            self.journal.warning(
                "Essai de mot de passe d'édition refusé sans vérification (%s) : adresse %s, %s, encore %d s "
                "d'attente.",
                "trop d'échecs sur le serveur" if refus.motif == "global" else "trop d'échecs depuis cette adresse",
                cle,
                self._heure(),
                refus.attente,
            )
            return refus
        correct = False
        try:
            correct = bool(verifier())  # outside the lock: a slow hash must not hold up other sessions
        finally:  # an exception in the check still counts as a failure
            resultat = self._conclure(cle, etat, maintenant, correct)
        return resultat

    def _conclure(self, cle: str, etat: _Etat, instant: float, correct: bool) -> Resultat:
        with self._verrou:
            maintenant = self.horloge()
            if correct:
                etat.echecs.clear()
                etat.bloque_jusqua = 0.0
                try:
                    self._global.remove(instant)
                except ValueError:
                    pass
                self.journal.info("Mode édition ouvert par mot de passe : adresse %s, %s.", cle, self._heure())
                return Resultat(True)
            n = len(etat.echecs)
            global_ouvert = False
            if len(self._global) >= self.seuil_global and maintenant >= self._global_jusqua:
                self._global_jusqua = maintenant + self.blocage_global
                self._global.clear()
                global_ouvert = True
            attente = _secondes(max(etat.bloque_jusqua, self._global_jusqua) - maintenant)
        self.journal.warning(
            "Échec du mot de passe d'édition : adresse %s, %s, %d échec(s) en %d min depuis cette adresse%s.",
            cle,
            self._heure(),
            n,
            round(self.fenetre / 60),
            f", prochain essai dans {attente} s" if attente else "",
        )
        if global_ouvert:
            self.journal.error(
                "Mot de passe d'édition : %d échecs en %d s sur l'ensemble du serveur, tous les essais sont "
                "refusés pendant %d s (%s).",
                self.seuil_global,
                round(self.fenetre_globale),
                round(self.blocage_global),
                self._heure(),
            )
        return Resultat(False, attente=attente, restants=max(self.seuil - n, 0))


def _secondes(duree: float) -> int:
    """Whole seconds, rounded up (a 0.2 s wait is announced as 1 s, never as 0)."""
    return max(int(-(-duree // 1)), 0)


LIMITEUR = LimiteurEssais()


def essayer_mot_de_passe(
    mot_de_passe: str, empreinte: Empreinte, adresse: str | None, limiteur: LimiteurEssais | None = None
) -> Resultat:
    """One attempt at the edit password from ``adresse``, through the process-wide limiter."""
    limiteur = LIMITEUR if limiteur is None else limiteur
    return limiteur.essayer(adresse, lambda: verifier_mot_de_passe(mot_de_passe, empreinte))
