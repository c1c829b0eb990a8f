"""A registry backend that answers from the demo persons shipped beside it."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from personnummer import personnummer

from integrations.registry import Address, RegistryGuardian, RegistryPerson

DEMO_PERSONS = Path(__file__).with_name("demo_persons.json")


class FixtureRegistry:
    def __init__(self, path: Path = DEMO_PERSONS) -> None:
        self.path = path

    @cached_property
    def entries(self) -> dict[str, dict]:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return {entry["personnummer"]: entry for entry in data["persons"]}

    @cached_property
    def persons(self) -> dict[str, RegistryPerson]:
        return {number: self._person(entry) for number, entry in self.entries.items()}

    def _person(self, entry: dict) -> RegistryPerson:
        guardians = tuple(
            RegistryGuardian(
                personnummer=g["personnummer"], first_name=g["first_name"],
                last_name=g["last_name"], protected_identity=g["protected_identity"],
                has_eid=g["has_eid"],
            )
            for g in (self.entries[number] for number in entry["guardians"])
        )
        return RegistryPerson(
            personnummer=entry["personnummer"],
            first_name=entry["first_name"],
            last_name=entry["last_name"],
            birth_date=personnummer.parse(entry["personnummer"]).get_date(),
            address=Address(**entry["address"]),
            protected_identity=entry["protected_identity"],
            has_eid=entry["has_eid"],
            guardians=guardians,
        )

    def lookup(self, personnummer: str) -> RegistryPerson | None:
        return self.persons.get(personnummer)
