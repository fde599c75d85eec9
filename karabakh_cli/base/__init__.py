"""The fact-base file: reading it whole or a batch at a time, positions in it, problems, the
structure and integrity checks, archived source texts and the canonical layout."""
