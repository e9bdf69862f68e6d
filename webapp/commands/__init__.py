"""Subcommands of `interwar`; each module defines `register(group)`."""
