"""HarvestSettings: defaults, durations, environment variables, overrides, validation."""

from __future__ import annotations

import pytest

from tenderlens.exceptions import ConfigurationError
from tenderlens.harvest import HarvestSettings
from tenderlens.harvest.settings import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30.0), ("30s", 30.0), ("10m", 600.0), ("6h", 21600.0), ("7d", 604800.0), ("250ms", 0.25),
     ("0.5", 0.5), (" 2 m ", 120.0)],
)  # fmt: skip
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "ten", "10 minutes", "-5", "5x"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_defaults() -> None:
    settings = HarvestSettings.load({})
    assert settings == HarvestSettings()
    assert settings.min_interval is None  # each source's own
    assert settings.timeout == 360
    assert settings.every == 600
    assert settings.lookback == 7 * 86400
    assert settings.page_limit == 100


def test_environment_then_overrides() -> None:
    env = {
        "TENDERLENS_HARVEST_MIN_INTERVAL": "250ms",
        "TENDERLENS_HARVEST_ATTEMPTS": "7",
        "TENDERLENS_HARVEST_EVERY": "10m",
        "TENDERLENS_HARVEST_JITTER": "0.5",
        "TENDERLENS_HARVEST_USER_AGENT": "me",
        "TENDERLENS_HARVEST_TIMEOUT": "",  # empty: ignored
    }
    settings = HarvestSettings.load(env)
    assert settings.min_interval == 0.25
    assert settings.attempts == 7
    assert settings.every == 600
    assert settings.jitter == 0.5
    assert settings.user_agent == "me"
    assert settings.timeout == 360
    overridden = HarvestSettings.load(env, every="30s", attempts=None, timeout=2.0)
    assert (overridden.every, overridden.attempts, overridden.timeout) == (30, 7, 2.0)


def test_every_field_has_an_environment_variable() -> None:
    from dataclasses import fields

    for field in fields(HarvestSettings):
        assert HarvestSettings.env_var(field.name) == "TENDERLENS_HARVEST_" + field.name.upper()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TENDERLENS_HARVEST_ATTEMPTS": "many"}, "TENDERLENS_HARVEST_ATTEMPTS='many'"),
        ({"TENDERLENS_HARVEST_ATTEMPTS": "0"}, "attempts must be at least 1"),
        ({"TENDERLENS_HARVEST_EVERY": "soon"}, "not a duration"),
    ],
)
def test_bad_values_are_configuration_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        HarvestSettings.load(env)


def test_unknown_override_is_named() -> None:
    with pytest.raises(ConfigurationError, match="unknown harvest setting 'speed'"):
        HarvestSettings.load({}, speed="fast")
    with pytest.raises(ConfigurationError, match="must not be negative"):
        HarvestSettings(backoff=-1)
