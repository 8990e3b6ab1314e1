"""What an uploaded document really is, from its first bytes: the client's name and type are ignored."""

# Leading bytes of each accepted document format.
DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
ACCEPTED_DOCUMENT_TYPES = [content_type for _, content_type in DOCUMENT_SIGNATURES]


def document_type_sniff(content: bytes) -> str | None:
    """The content type of a PDF, JPEG or PNG document, or None for anything else."""
    for signature, content_type in DOCUMENT_SIGNATURES:
        if content.startswith(signature):
            return content_type
    return None
