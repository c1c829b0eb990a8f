import factory

from accounts.models import CareUnit, User

PASSWORD = "rätt-lösenord-123"


class CareUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareUnit
        django_get_or_create = ["hsa_id"]

    name = factory.Sequence(lambda n: f"Vårdcentral {n}")
    hsa_id = factory.Sequence(lambda n: f"SE2321000222-T{n:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Maria"
    last_name = factory.Sequence(lambda n: f"Lund{n}")
    title = "Läkare"
    role = User.Role.CLINICIAN
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def care_units(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.care_units.add(*extracted)
