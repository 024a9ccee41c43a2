"""`deconflict serve` settings: flags over environment over the config file over defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from deconflict.bootstrap import ServeSettings, default_db_path, load_serve_settings
from deconflict.domain.errors import InvalidInput


def test_defaults_when_nothing_is_given() -> None:
    assert load_serve_settings({}, {}) == ServeSettings(db=str(default_db_path()))


def test_flags_win_over_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "deconflict.toml"
    config.write_text(
        '[serve]\nport = 9000\nhost = "0.0.0.0"\ndeadline_every_s = 5\ndb = "/srv/file.sqlite"\n'
    )
    environ = {"DECONFLICT_PORT": "9100", "DECONFLICT_DB": "/srv/env.sqlite"}
    settings = load_serve_settings({"port": 9200, "host": None}, environ, config)
    assert settings.port == 9200  # flag
    assert settings.db == "/srv/env.sqlite"  # environment over file
    assert settings.host == "0.0.0.0" and settings.deadline_every_s == 5.0  # file over default


def test_unknown_or_malformed_settings_are_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[serve]\nprot = 9000\n")
    with pytest.raises(InvalidInput, match="prot"):
        load_serve_settings({}, {}, config)
    with pytest.raises(InvalidInput) as caught:
        load_serve_settings({}, {"DECONFLICT_PORT": "eighty"})
    assert caught.value.field == "port"


def test_the_consoles_settings_come_like_the_others(tmp_path: Path) -> None:
    config = tmp_path / "deconflict.toml"
    config.write_text('[serve]\ntile_url = "https://tiles.example.org/{z}/{x}/{y}.png"\n')
    settings = load_serve_settings(
        {}, {"DECONFLICT_WEB_MODULES": "/opt/console/node_modules"}, config
    )
    assert settings.web_modules == "/opt/console/node_modules"
    assert settings.tile_url == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert load_serve_settings({"web_modules": "/x"}, {}).web_modules == "/x"
    assert load_serve_settings({}, {}).web_modules.endswith("web/node_modules")
