"""approval: see the modules of this package."""
