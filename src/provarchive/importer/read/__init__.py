"""Reading a legacy page: bytes or text to a ``ParsedPage`` with a confidence per field."""
