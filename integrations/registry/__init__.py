"""The population registry (personuppgiftstjänsten) behind a small interface (DESIGN N2, P3).

Settings name the backend class in REGISTRY_BACKEND; callers use `get_registry()`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Address:
    street: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True)
class RegistryGuardian:
    personnummer: str
    first_name: str
    last_name: str
    protected_identity: bool = False
    has_eid: bool = False


@dataclass(frozen=True)
class RegistryPerson:
    """What the registry tells about one person. `personnummer` is 12 digits."""

    personnummer: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    address: Address = field(default_factory=Address)
    protected_identity: bool = False
    has_eid: bool = False
    guardians: tuple[RegistryGuardian, ...] = ()


class RegistryError(Exception):
    """The registry did not answer, or answered with an error; the look-up may be retried."""


class PopulationRegistry(Protocol):
    def lookup(self, personnummer: str) -> RegistryPerson | None:
        """The person with this 12-digit number, or None when the registry knows no such person."""
        ...


@cache
def get_registry() -> PopulationRegistry:
    return import_string(settings.REGISTRY_BACKEND)()


@receiver(setting_changed)
def _forget_backend(*, setting: str, **kwargs) -> None:
    if setting.startswith("REGISTRY_"):
        get_registry.cache_clear()
