"""Settings: a config file given explicitly must exist and be readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.config import load_settings
from summarizer.errors import ConfigError


def test_explicit_config_file_must_exist_and_be_a_file(tmp_path: Path) -> None:
    # `--config typo.toml` used to run silently with the defaults; `--config FOLDER` was a traceback
    with pytest.raises(ConfigError, match=r"typo\.toml: no such config file"):
        load_settings(tmp_path / "typo.toml")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(tmp_path)


def test_explicit_config_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('language = "ru"\n', encoding="utf-8")
    assert load_settings(path).language == "ru"
