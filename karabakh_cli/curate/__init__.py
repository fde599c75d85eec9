"""Writes to a fact base: add, fmt and diff; locked, atomic and checked whole before they land."""
