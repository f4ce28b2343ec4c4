"""store: see the modules of this package."""
