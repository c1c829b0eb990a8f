import datetime

import factory
from django.utils import timezone

from tests.accounts.factories import CareUnitFactory, UserFactory
from tests.patients.factories import PatientFactory
from visits.models import VideoVisit


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute),
                                     tzinfo=timezone.get_current_timezone())


class VideoVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VideoVisit
        skip_postgeneration_save = True

    care_unit = factory.SubFactory(CareUnitFactory)
    patient = factory.SubFactory(PatientFactory)
    owner = factory.SubFactory(UserFactory)
    # Today, at the start of the current hour: its links hold whenever the suite runs
    # (they end INVITATION_GRACE after the visit), and it is still today's visit.
    starts_at = factory.LazyFunction(
        lambda: timezone.localtime().replace(minute=0, second=0, microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=30))
    reason = "Återbesök"

    @factory.post_generation
    def staff(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.staff.add(*extracted)
