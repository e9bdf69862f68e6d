"""Commented templates that `interwar new` fills in (package data)."""
