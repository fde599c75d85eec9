"""Answers over a loaded base: names, quotes, search, who-said and records. Pure: never prints,
never writes."""
