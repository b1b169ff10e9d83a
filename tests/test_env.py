"""Settings from the environment: embedded defaults when unset, a loud error naming the
variable when a value is wrong, and a documented production configuration that passes
Django's deployment checks."""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontdoor.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    env_url,
    parse_email_url,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SMTP = "django.core.mail.backends.smtp.EmailBackend"
VAR = "FRONTDOOR_TEST_VALUE"


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(VAR, raising=False)
    return monkeypatch


@pytest.mark.parametrize("value", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_every_reader_returns_its_default_when_unset_or_empty(monkeypatch, value):
    if value is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, value)
    assert env_str(VAR, "fallback") == "fallback"
    assert env_bool(VAR, True) is True
    assert env_bool(VAR, False) is False
    assert env_int(VAR, 7, minimum=1) == 7
    assert env_list(VAR, ["a", "b"]) == ["a", "b"]
    assert env_choice(VAR, "en", ["en", "es"]) == "en"
    assert env_time_zone(VAR, "America/Chicago") == "America/Chicago"
    assert env_url(VAR, "http://127.0.0.1:8000") == "http://127.0.0.1:8000"


def test_env_str_strips_surrounding_spaces(monkeypatch):
    monkeypatch.setenv(VAR, "  Frontdoor 311 <noreply@city.example>\n")
    assert env_str(VAR, "x") == "Frontdoor 311 <noreply@city.example>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("off", False),
        ("0", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv(VAR, value)
    assert env_bool(VAR, not expected) is expected


@pytest.mark.parametrize("value", ["maybe", "y", "2", "tru"])
def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=rf"^{VAR}='{value}' is not a boolean"):
        env_bool(VAR, False)


def test_env_int_reads_whole_numbers(monkeypatch):
    monkeypatch.setenv(VAR, " 42 ")
    assert env_int(VAR, 1) == 42
    monkeypatch.setenv(VAR, "5")
    assert env_int(VAR, 1, minimum=5) == 5


@pytest.mark.parametrize("value", ["ten", "10.5", "1e3", "0x10"])
def test_env_int_rejects_non_numbers_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=rf"^{VAR}='{value}' is not a whole number"):
        env_int(VAR, 1)


def test_env_float_reads_a_number_within_its_bounds(monkeypatch):
    assert env_float(VAR, 0.75, minimum=0.01, maximum=1.0) == 0.75
    monkeypatch.setenv(VAR, " 0.9 ")
    assert env_float(VAR, 0.75, minimum=0.01, maximum=1.0) == 0.9


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("most", "='most' is not a number"),
        ("nan", "='nan' is not a number"),
        ("inf", "='inf' is not a number"),
        ("0", "=0 is below the minimum of 0.01"),
        ("1.5", "=1.5 is above the maximum of 1.0"),
    ],
)
def test_env_float_rejects_bad_values_naming_the_variable(monkeypatch, value, message):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=f"^{VAR}{message}"):
        env_float(VAR, 0.75, minimum=0.01, maximum=1.0)


def test_env_int_rejects_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "0")
    with pytest.raises(ImproperlyConfigured, match=rf"^{VAR}=0 is below the minimum of 1\."):
        env_int(VAR, 20, minimum=1)
    monkeypatch.setenv(VAR, "-3")
    with pytest.raises(ImproperlyConfigured, match=rf"^{VAR}=-3 is below the minimum of 0\."):
        env_int(VAR, 60, minimum=0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(VAR, "311.example.gov, www.311.example.gov,, ")
    assert env_list(VAR, ["localhost"]) == ["311.example.gov", "www.311.example.gov"]


def test_env_list_default_is_a_copy(unset):
    default = ("a", "b")
    first = env_list(VAR, default)
    first.append("c")
    assert env_list(VAR, default) == ["a", "b"]


def test_env_choice_accepts_only_listed_values(monkeypatch):
    monkeypatch.setenv(VAR, "es")
    assert env_choice(VAR, "en", ["en", "es"]) == "es"
    for wrong in ["fr", "ES", "en,es"]:
        monkeypatch.setenv(VAR, wrong)
        with pytest.raises(ImproperlyConfigured, match=rf"^{VAR}='{wrong}' is not one of: en, es"):
            env_choice(VAR, "en", ["en", "es"])


def test_env_time_zone_accepts_iana_names(monkeypatch):
    monkeypatch.setenv(VAR, "Europe/Madrid")
    assert env_time_zone(VAR, "America/Chicago") == "Europe/Madrid"


@pytest.mark.parametrize("value", ["Mars/Olympus", "CST6", "../../etc/passwd", "America/"])
def test_env_time_zone_rejects_unknown_zones_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=rf"^{VAR}=.* is not a known time zone"):
        env_time_zone(VAR, "America/Chicago")


def test_env_url_accepts_absolute_http_urls_without_trailing_slash(monkeypatch):
    monkeypatch.setenv(VAR, "https://311.example.gov/")
    assert env_url(VAR, "http://127.0.0.1:8000") == "https://311.example.gov"
    monkeypatch.setenv(VAR, "http://localhost:8000/portal")
    assert env_url(VAR, "http://127.0.0.1:8000") == "http://localhost:8000/portal"


@pytest.mark.parametrize(
    "value", ["not a url", "311.example.gov", "https://", "ftp://311.example.gov", "/portal"]
)
def test_env_url_rejects_anything_but_an_absolute_url(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=rf"^{VAR}=.* is not an absolute URL"):
        env_url(VAR, "http://127.0.0.1:8000")


# --- EMAIL_URL ---------------------------------------------------------------------------


def test_smtp_url_with_encoded_password_port_and_starttls():
    config = parse_email_url("smtp://user:p%40ss@mail.example:2525/?tls=true")
    assert config == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "user",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
        "EMAIL_TIMEOUT": 20,
    }


def test_plain_smtp_defaults_to_port_25_without_encryption_or_login():
    config = parse_email_url("smtp://mail.example")
    assert config["EMAIL_PORT"] == 25
    assert (config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (False, False)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("", "")


def test_smtps_is_implicit_tls_on_465():
    config = parse_email_url("smtps://frontdoor:secret@smtp.example.gov")
    assert config["EMAIL_BACKEND"] == SMTP
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


def test_submission_is_starttls_on_587_with_a_timeout():
    config = parse_email_url("submission://frontdoor:secret@smtp.example.gov/?timeout=5")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (
        587,
        True,
        False,
    )
    assert config["EMAIL_TIMEOUT"] == 5
    assert config["EMAIL_HOST_PASSWORD"] == "secret"


@pytest.mark.parametrize("url", ["console:", "console://"])
def test_console_url(url):
    assert parse_email_url(url) == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


def test_file_url_names_the_folder():
    assert parse_email_url("file:///var/lib/frontdoor/mail") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/lib/frontdoor/mail",
    }
    assert parse_email_url("file:///srv/mail%20out")["EMAIL_FILE_PATH"] == "/srv/mail out"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://x", "EMAIL_URL scheme 'ftp' is not supported; use one of console, dummy, file"),
        ("mail.example:25", "EMAIL_URL scheme 'mail.example' is not supported"),
        ("smtp://:25", "EMAIL_URL must name a host"),
        ("smtp://mail.example:99999", "EMAIL_URL has an invalid port"),
        ("smtp://mail.example:smtp", "EMAIL_URL has an invalid port"),
        ("smtps://mail.example/?tls=true", "smtps:// is already encrypted"),
        ("smtp://mail.example/?timeout=soon", "EMAIL_URL has an invalid timeout"),
        ("smtp://mail.example/?timeout=0", "EMAIL_URL has an invalid timeout"),
    ],
)
def test_bad_email_urls_fail_at_start_up(url, message):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        parse_email_url(url)
    assert message in str(excinfo.value)


def test_email_url_errors_do_not_echo_the_password():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        parse_email_url("smtp://user:hunter2@mail.example:99999", name="EMAIL_URL")
    assert "hunter2" not in str(excinfo.value)


# --- The real start-up, in a child process ------------------------------------------------

# Every variable settings.py reads, so the parent's environment cannot leak into the child.
SETTINGS_VARIABLES = {
    "ALLOWED_HOSTS", "CATALOGUE_CACHE_SECONDS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "DB_CONN_MAX_AGE", "DEBUG", "DEFAULT_FROM_EMAIL", "EMAIL_BACKEND", "EMAIL_HOST",
    "EMAIL_HOST_PASSWORD", "EMAIL_HOST_USER", "EMAIL_PORT", "EMAIL_TIMEOUT", "EMAIL_URL",
    "EMAIL_USE_SSL", "EMAIL_USE_TLS", "FRONTDOOR_PRODUCTION", "FRONTDOOR_VAR_DIR",
    "LANGUAGE_CODE", "LOG_LEVEL", "MAX_PHOTO_BYTES", "MEDIA_ROOT", "NOTIFY_MAX_ATTEMPTS",
    "NOTIFY_RETRY_SECONDS", "PHOTO_MAX_PIXELS", "S3_BUCKET", "SECRET_KEY",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT", "SILENCED_SYSTEM_CHECKS", "SITE_URL", "SWEEP_INTERVAL",
    "TEST_DATABASE_NAME", "TIME_ZONE", "DJANGO_SETTINGS_MODULE",
}  # fmt: skip


def manage(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(FRONTDOOR_VAR_DIR=str(tmp_path / "var"), MEDIA_ROOT=str(tmp_path / "media"))
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE='Mars/Olympus' is not a known time zone"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL engine 'django.db.backends.mysql'"),
        ("LANGUAGE_CODE", "fr", "LANGUAGE_CODE='fr' is not one of: en, es"),
        ("EMAIL_URL", "ftp://x", "EMAIL_URL scheme 'ftp' is not supported"),
        ("DATABASE_URL", "not a url at all", "DATABASE_URL"),
        ("S3_BUCKET", "photos", "S3_BUCKET is set but boto3 is missing"),
        ("SITE_URL", "311.example.gov", "SITE_URL='311.example.gov' is not an absolute URL"),
    ],
)
def test_manage_py_refuses_to_start_with_a_bad_variable(tmp_path, variable, value, message):
    if variable == "S3_BUCKET" and importlib.util.find_spec("boto3"):
        pytest.skip("boto3 is installed, so S3 storage is a valid configuration here")
    result = manage(tmp_path, "check", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_refuses_the_development_secret_key(tmp_path):
    result = manage(tmp_path, "check", FRONTDOOR_PRODUCTION="true", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when FRONTDOOR_PRODUCTION=true" in result.stderr


def production(**overrides: str) -> dict[str, str]:
    """README "Production", with the secrets filled in."""
    return {
        "FRONTDOOR_PRODUCTION": "true",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "SITE_URL": "https://311.example.gov",
        "ALLOWED_HOSTS": "311.example.gov",
        "SECURE_HSTS_PRELOAD": "true",
        "DATABASE_URL": "postgres://frontdoor:secret@db.internal:5432/frontdoor",
        "EMAIL_URL": "submission://frontdoor:secret@smtp.example.gov:587",
    } | overrides


def test_documented_production_configuration_passes_the_deploy_checks(tmp_path):
    result = manage(tmp_path, "check", "--deploy", **production())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert result.stderr == ""
    assert (tmp_path / "var" / "static").is_dir()  # the child used the temporary folder


def test_without_hsts_preload_the_only_deploy_warning_is_about_preload(tmp_path):
    environment = production()
    del environment["SECURE_HSTS_PRELOAD"]
    result = manage(tmp_path, "check", "--deploy", **environment)
    assert result.returncode == 0
    assert "System check identified 1 issue" in result.stderr
    assert "(security.W021)" in result.stderr
