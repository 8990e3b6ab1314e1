"""An email backend that several worker processes can share, for the real-worker tests.

Each message sent is appended as one JSON line to EMAIL_FILE_PATH/sent.jsonl. When the file
EMAIL_FILE_PATH/hang-once exists, the first send writes its process id to hung.pid and blocks
until that process is killed: the test's way of killing a worker in the middle of a task.
"""

import json
import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class RecordingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        directory = Path(settings.EMAIL_FILE_PATH)
        if (directory / "hang-once").exists():
            self._hang_the_first_time(directory)
        with open(directory / "sent.jsonl", "a", encoding="utf-8") as sent:
            for message in email_messages:
                record = {
                    "to": message.to,
                    "subject": message.subject,
                    "delivery": message.extra_headers.get("X-VaultPay-Delivery"),
                    "pid": os.getpid(),
                }
                sent.write(json.dumps(record) + "\n")
        return len(email_messages)

    @staticmethod
    def _hang_the_first_time(directory: Path) -> None:
        try:
            fd = os.open(directory / "hung.pid", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return  # already hung once: this is the redelivered task, send normally
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        threading.Event().wait()  # until the test kills this process
