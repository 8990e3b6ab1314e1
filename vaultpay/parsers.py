"""The JSON request parser: DRF's, refusing what would otherwise reach the code as a 500.

- JSON nested deeper than the decoder's recursion limit (`[[[[...` 100,000 deep) raises
  RecursionError inside json.loads;
- a lone UTF-16 surrogate such as "\\ud800" decodes to a Python string that can be neither
  encoded as UTF-8 (the response) nor stored by PostgreSQL, wherever it sits in the body.
Each is a malformed request (400 `malformed_request`); nothing else about the body is judged here
(a NUL character in a field is refused by the field, as DRF's CharField does).
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _strings_in(data):
    """Every key and string value in a decoded JSON document, walked without recursion."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        for text in _strings_in(data):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError("JSON parse error - the body holds an unpaired UTF-16 surrogate.") from None
        return data
