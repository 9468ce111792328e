"""Errors carrying a French message meant for the end user (CLI or page).

Every user-facing failure (bad file, unknown territory, wrong schema) raises
``EssError`` so that callers can print ``str(err)`` without a traceback.
"""


class EssError(Exception):
    """A user-facing error whose message is in French and says how to fix it."""


class TerritoireInconnu(EssError):
    """The territory identifier is malformed or does not exist."""


class DonneesInvalides(EssError):
    """An input file or record failed validation (names the file/record and field)."""


class ConflitEdition(EssError):
    """Someone else changed the same thing since the editor read the roadmap: nothing was written.

    Carries what the page needs to show the other person's change and to offer reapplying the editor's own:
    ``changements`` (change-log rows: ``auteur``, ``horodatage``, ``action_code``, ``champ``,
    ``ancienne_valeur``, ``nouvelle_valeur``) and ``version``, the roadmap's version now (pass it back to the
    store to reapply on top of what is there).
    """

    def __init__(self, message: str, changements: list[dict[str, object]], version: int) -> None:
        super().__init__(message)
        self.changements = changements
        self.version = version


class Interruption(BaseException):
    """A writer received SIGTERM/SIGINT: raised so that every ``finally`` undoes its half-done work.

    A ``BaseException`` like ``KeyboardInterrupt``: no ``except Exception`` may swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum
