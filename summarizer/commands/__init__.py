"""CLI commands, one module per pipeline area; each registers on ``summarizer.cli.app``."""
