"""Blueprints, one per module; each module defines `bp`."""
