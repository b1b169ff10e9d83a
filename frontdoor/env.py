"""Typed readers for settings that come from the environment.

Each reader returns the embedded default when the variable is unset or empty, and raises
``ImproperlyConfigured`` naming the variable when a value is present but invalid, so a
typo in a deployment fails at start-up instead of half-working.
"""

from __future__ import annotations

import math
import os
import zoneinfo
from collections.abc import Iterable
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.")
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}.")
    return number


def env_list(name: str, default: Iterable[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    value = env_str(name, default)
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(allowed)}.")
    return value


def env_time_zone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone (e.g. America/Chicago)."
        ) from None
    return value


def env_url(name: str, default: str, schemes: Iterable[str] = ("http", "https")) -> str:
    value = env_str(name, default).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in set(schemes) or not parts.netloc:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an absolute URL (e.g. https://311.example.gov)."
        )
    return value


EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def parse_email_url(url: str, name: str = "EMAIL_URL") -> dict[str, object]:
    """Turn ``smtp://user:pass@host:587/?tls=true`` into Django EMAIL_* settings."""
    parts = urlsplit(url)
    backend = EMAIL_BACKENDS.get(parts.scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"{name} scheme {parts.scheme!r} is not supported; use one of "
            f"{', '.join(sorted(EMAIL_BACKENDS))}."
        )
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    config: dict[str, object] = {"EMAIL_BACKEND": backend}
    if parts.scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parts.path) or "mail"
        return config
    if backend.endswith("smtp.EmailBackend"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host, e.g. smtp://mail.example:25.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        default_port = {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme]
        use_ssl = parts.scheme == "smtps"
        use_tls = parts.scheme == "submission" or options.get("tls", "").lower() in TRUE_VALUES
        if use_ssl and use_tls:
            # Django's SMTP backend refuses both, but only when the first e-mail is sent.
            raise ImproperlyConfigured(
                f"{name}: smtps:// is already encrypted; drop ?tls=true or use submission://."
            )
        try:
            timeout = int(options.get("timeout", "20"))
        except ValueError:
            timeout = 0
        if timeout < 1:
            raise ImproperlyConfigured(f"{name} has an invalid timeout; use ?timeout=<seconds>.")
        config.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or default_port,
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=use_ssl,
            EMAIL_USE_TLS=use_tls,
            EMAIL_TIMEOUT=timeout,
        )
    return config
