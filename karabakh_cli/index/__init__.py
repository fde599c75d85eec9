"""The derived SQLite index of a large base, kept in the user's cache: where it lives and what
it is valid for, building it, and answering lookups from it."""
