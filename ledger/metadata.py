"""Metadata: the client's own labels on a posting or a hold (an order id, a cost centre), returned as given.

A JSON object of at most METADATA_MAX_KEYS keys, each `[a-z0-9_]{1,40}`, each value a string of at
most METADATA_MAX_VALUE characters without a NUL (PostgreSQL's jsonb cannot hold one). History
filters on it with `metadata[key]=value`, a containment query (`@>`) that the transaction table's
GIN index answers.
"""

import re

METADATA_MAX_KEYS = 20
METADATA_MAX_VALUE = 500
METADATA_KEY_PATTERN = r"^[a-z0-9_]{1,40}$"
# Matched with fullmatch: with match, `$` also matches before a trailing newline ("order_id\n").
_KEY = re.compile(METADATA_KEY_PATTERN)
# History's query parameters: metadata[order_id]=A-1009
METADATA_QUERY_PARAMETER = re.compile(r"^metadata\[(?P<key>[^\]]*)\]$")


def metadata_problems(value) -> list[str]:
    """What is wrong with `value` as metadata, one sentence each; empty when it is valid."""
    if not isinstance(value, dict):
        return ["Must be a JSON object of string values."]
    problems = []
    if len(value) > METADATA_MAX_KEYS:
        problems.append(f"At most {METADATA_MAX_KEYS} keys.")
    for key, item in value.items():
        if not _KEY.fullmatch(key):
            problems.append(f"Key {key[:60]!r} must be 1-40 characters of a-z, 0-9 and _.")
        if not isinstance(item, str):
            problems.append(f"The value of {key[:60]!r} must be a string.")
        elif len(item) > METADATA_MAX_VALUE:
            problems.append(f"The value of {key[:60]!r} is longer than {METADATA_MAX_VALUE} characters.")
        elif "\x00" in item:
            problems.append(f"The value of {key[:60]!r} must not contain a NUL character.")
    return problems


def metadata_filters(query_params) -> tuple[dict, list[str]]:
    """The `metadata[key]=value` pairs of a query string, and what is wrong with them."""
    wanted = {}
    for name in query_params:
        match = METADATA_QUERY_PARAMETER.match(name)
        if match:
            values = query_params.getlist(name)
            wanted[match["key"]] = values[-1]
    return wanted, (metadata_problems(wanted) if wanted else [])
