"""summarizer: from a client meeting to an approved, provable meeting protocol."""

__version__ = "0.1.0"
