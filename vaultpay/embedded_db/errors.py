"""What went wrong with the embedded PostgreSQL, said in one line a newcomer can act on."""

from pathlib import Path


class EmbeddedDatabaseError(Exception):
    """A failure of the embedded database; its message is one line, printed without a traceback."""


# Phrases PostgreSQL's tools print, each with what they mean for the person running VaultPay.
_KNOWN_CAUSES = (
    ("No space left on device", "the disk is full: free some space and run again (no data was removed)"),
    ("Permission denied", "permission denied on the data directory or its files: fix their owner or mode"),
    ("Read-only file system", "the data directory is on a read-only file system"),
    # Any other complaint that names the socket file: its lock is held, or the address is in use.
    (".s.PGSQL.", "the socket is busy: another PostgreSQL holds it (stop that server, or remove its stale lock file)"),
    ("database files are incompatible", "the data directory was made by another PostgreSQL version"),
)


def _last_server_complaint(log_file: Path | None) -> str:
    if log_file is None or not log_file.exists():
        return ""
    lines = log_file.read_text(errors="replace").splitlines()[-40:]
    complaints = [line for line in lines if "FATAL" in line or "PANIC" in line or "ERROR" in line]
    return complaints[-1].strip() if complaints else ""


def explain_failure(action: str, output: str, log_file: Path | None) -> str:
    """One line: the known cause if the tool's output or the server log names one, else the server's words."""
    complaint = _last_server_complaint(log_file)
    evidence = f"{output}\n{complaint}"
    where = f" (log: {log_file})" if log_file is not None else ""
    for phrase, meaning in _KNOWN_CAUSES:
        if phrase in evidence:
            return f"could not {action} the embedded PostgreSQL: {meaning}{where}."
    detail = complaint or " ".join(output.split())[-300:] or "no output"
    return f"could not {action} the embedded PostgreSQL: {detail}{where}."
