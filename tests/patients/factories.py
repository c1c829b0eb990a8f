import factory
from django.utils import timezone

from patients.models import Guardian, Patient
from tests.accounts.factories import UserFactory


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    personnummer = "198503129820"
    first_name = "Eva"
    last_name = "Lindqvist"
    has_eid = True
    mobile = "+46701740605"
    street = "Storgatan 12"
    postal_code = "90326"
    city = "Umeå"
    registry_checked_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def care_units(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.care_units.add(*extracted)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    child = factory.SubFactory(PatientFactory)
    personnummer = "198409219840"
    first_name = "Karin"
    last_name = "Berg"
    has_eid = True
