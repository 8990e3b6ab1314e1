"""WSGI entry point (gunicorn vaultpay.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vaultpay.settings")

application = get_wsgi_application()
