"""Small readers for settings that come from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured


def required(name: str) -> str:
    """Returns the variable's value or stops start-up naming what is missing."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def as_list(name: str) -> list[str]:
    """Splits a comma-separated variable, ignoring blanks."""
    return split(os.environ.get(name, ""))


def split(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def required_list(name: str) -> list[str]:
    """Like as_list, but stops start-up when the list is empty."""
    items = split(required(name))
    if not items:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return items


def as_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def as_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default
