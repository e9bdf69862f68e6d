"""Teacher-authored YAML to validated, frozen domain objects. No Flask, no database."""
