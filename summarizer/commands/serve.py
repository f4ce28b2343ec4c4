"""CLI commands; registered on summarizer.cli.app."""
