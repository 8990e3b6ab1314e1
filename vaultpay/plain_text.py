"""Text a user wrote, made safe to show someone else: nothing in it can become a link.

Escaping HTML is not enough: mail clients and apps turn any URL, "www." name or bare domain in plain
text into a link by themselves. So a transfer description ("SECURITY ALERT ... verify at http://...")
has its URLs broken the way security teams share indicators: "http[:]//evil[.]example/login". The
words stay readable; no client recognises a link.
"""

import re

# "scheme:" of a URL ("http://", "https://", "mailto:", "javascript:"...).
_SCHEME = re.compile(r"\b([a-z][a-z0-9+.-]{1,15}):(?=//|[^\s/]*@|[^\s]*\()", re.IGNORECASE)
# A host name: labels separated by dots, ending in a letters-only top-level label ("evil.example",
# "www.bank.co.uk"). Amounts such as "12.50" have no letters there and are left alone.
_HOST = re.compile(r"\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}\b", re.IGNORECASE)


def text_unlinkable(text: str) -> str:
    """`text` with every URL scheme and host name broken, so that no client renders a link."""
    text = _SCHEME.sub(r"\1[:]", text)
    return _HOST.sub(lambda match: match.group(0).replace(".", "[.]"), text)
