import factory
from django.utils import timezone
from personnummer import personnummer as lib

from patients.models import Guardian, GuardianContact, Patient, PatientContact
from tests.accounts.factories import UserFactory


def test_number(n: int) -> str:
    """A distinct valid number per n: born 1980–1999, serial in Skatteverket's test series."""
    year, day, serial = 1980 + n % 20, 1 + (n // 20) % 28, 980 + (n // 560) % 20
    first_nine = f"{year % 100:02d}03{day:02d}{serial:03d}"
    digit = next(d for d in "0123456789" if lib.valid(first_nine + d))
    return f"{year // 100}{first_nine}{digit}"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    personnummer = factory.Sequence(test_number)
    first_name = "Eva"
    last_name = "Lindqvist"
    has_eid = True
    street = "Storgatan 12"
    postal_code = "90326"
    city = "Umeå"
    registry_checked_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def care_units(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.care_units.add(*extracted)

    # After care_units (declaration order): `mobile` and `email` are written as each
    # of the patient's units' own contact details, as Skapa patient would.
    @factory.post_generation
    def mobile(self, create: bool, extracted, **kwargs) -> None:
        if create:
            for unit in self.care_units.all():
                PatientContact.objects.update_or_create(
                    patient=self, care_unit=unit,
                    defaults={"mobile": "+46701740605" if extracted is None else extracted})

    @factory.post_generation
    def email(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            for unit in self.care_units.all():
                PatientContact.objects.update_or_create(patient=self, care_unit=unit,
                                                        defaults={"email": extracted})


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian
        skip_postgeneration_save = True

    child = factory.SubFactory(PatientFactory)
    personnummer = "198409219840"
    first_name = "Karin"
    last_name = "Berg"
    has_eid = True

    # `mobile` and `email` are written as each of the child's units' own contact
    # details, as Relationer would at each unit.
    @factory.post_generation
    def mobile(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            for unit in self.child.care_units.all():
                GuardianContact.objects.update_or_create(guardian=self, care_unit=unit,
                                                         defaults={"mobile": extracted})

    @factory.post_generation
    def email(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            for unit in self.child.care_units.all():
                GuardianContact.objects.update_or_create(guardian=self, care_unit=unit,
                                                         defaults={"email": extracted})
