#!/usr/bin/env python
"""Django's command-line utility for VaultPay.

Without DATABASE_URL every command runs on the embedded PostgreSQL of this checkout: it is started
if it is not running, and stopped when the last process using it exits (vaultpay.embedded_db).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vaultpay.settings")
    from django.core.management import execute_from_command_line

    if os.environ.get("DATABASE_URL"):
        execute_from_command_line(sys.argv)
        return

    from vaultpay.embedded_db.errors import EmbeddedDatabaseError
    from vaultpay.embedded_db.server import client_tools_on_path
    from vaultpay.embedded_db.shared_server import checkout_server_used, say

    client_tools_on_path()
    try:
        with checkout_server_used():
            execute_from_command_line(sys.argv)
    except EmbeddedDatabaseError as error:
        say(f"embedded PostgreSQL: {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
