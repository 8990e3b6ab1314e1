"""A production start without its secrets fails at once, and names every missing one."""

import os
import subprocess
import sys

from django.conf import settings

SECRETS = (
    "DJANGO_SECRET_KEY",
    "PIN_PEPPER",
    "IP_HASH_KEY",
    "AUDIT_CHAIN_KEY",
    "KYC_MASTER_KEYS",
    "KYC_FINGERPRINT_PEPPER",
)
VALUES = {
    "DJANGO_SECRET_KEY": "test-secret-key-4Xq8Lm2Vn7Rb5Tz1Wc9Ky3Hd6Fs0Gj-Pw3Nz6Qt1Vb4Xm7Lc2Rh5Ks9Dj0Gf",
    "PIN_PEPPER": "test-pin-pepper",
    "IP_HASH_KEY": "test-ip-hash-key",
    "AUDIT_CHAIN_KEY": "test-audit-chain-key",
    "KYC_MASTER_KEYS": "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "KYC_FINGERPRINT_PEPPER": "test-fingerprint-pepper",
}


def _start(**variables: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, as a web process or worker would at start."""
    env = {k: v for k, v in os.environ.items() if k not in SECRETS} | {"DJANGO_SECURE": "true"} | variables
    code = "import django; django.setup(); print('started')"
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_secure_start_without_secrets_names_every_missing_one():
    result = _start()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    for name in SECRETS:
        assert name in last_line


def test_secure_start_without_the_kyc_secrets_is_refused():
    # given everything but the two KYC secrets (sealing would otherwise use the public development key)
    result = _start(**{k: v for k, v in VALUES.items() if not k.startswith("KYC_")})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "KYC_MASTER_KEYS" in last_line
    assert "KYC_FINGERPRINT_PEPPER" in last_line
    assert "PIN_PEPPER" not in last_line


def test_secure_start_with_every_secret_set_succeeds():
    result = _start(**VALUES)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
