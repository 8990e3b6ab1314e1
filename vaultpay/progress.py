"""Progress of a long management command: shown on a terminal, silent in cron jobs and pipes."""

import time

# A terminal is redrawn at most this often: a progress line must not cost the command its speed.
_REDRAW_SECONDS = 0.5


class CommandProgress:
    """One self-overwriting line on the command's stderr, only when stderr is a terminal.

    `update(done)` is cheap to call on every row; the line is redrawn at most twice a second.
    """

    def __init__(self, stream, label: str, total: int | None = None):
        self.stream = stream
        self.label = label
        self.total = total
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self._drawn_at = 0.0

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn_at < _REDRAW_SECONDS:
            return
        self._drawn_at = now
        of_total = f"/{self.total}" if self.total is not None else ""
        self.stream.write(f"\r{self.label}: {done}{of_total}", ending="")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self._drawn_at:
            self.stream.write("\r\033[K", ending="")  # clear the line before the command's report
            self.stream.flush()
