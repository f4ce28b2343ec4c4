"""speech: see the modules of this package."""
