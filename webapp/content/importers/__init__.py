"""Importers: other question formats to our YAML. Pure: text in, YAML text out."""
