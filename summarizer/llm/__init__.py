"""llm: see the modules of this package."""
