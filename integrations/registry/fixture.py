"""A registry backend that answers from the demo persons shipped beside it."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from personnummer import personnummer

from integrations.registry import Address, RegistryPerson

DEMO_PERSONS = Path(__file__).with_name("demo_persons.json")


class FixtureRegistry:
    def __init__(self, path: Path = DEMO_PERSONS) -> None:
        self.path = path

    @cached_property
    def persons(self) -> dict[str, RegistryPerson]:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        persons = {}
        for entry in data["persons"]:
            number = personnummer.parse(entry["personnummer"])
            persons[number.format(long_format=True)] = RegistryPerson(
                personnummer=number.format(long_format=True),
                first_name=entry["first_name"],
                last_name=entry["last_name"],
                birth_date=number.get_date(),
                address=Address(**entry["address"]),
                protected_identity=entry["protected_identity"],
                has_eid=entry["has_eid"],
                guardians=tuple(entry["guardians"]),
            )
        return persons

    def lookup(self, personnummer: str) -> RegistryPerson | None:
        return self.persons.get(personnummer)
