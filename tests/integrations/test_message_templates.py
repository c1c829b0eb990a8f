"""G6: no message may carry a personnummer, the visit's reason or a revealing unit name."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template import Context, Template

from guests.models import Participant
from guests.services import link_url, participant_add, render_invitation
from integrations.models import MessageTemplate
from tests.visits.factories import VideoVisitFactory

pytestmark = pytest.mark.django_db

PERSONNUMMER = re.compile(r"(19|20)?\d{6}[-+]?\d{4}")


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return MessageTemplate.objects.all()


def test_every_template_renders_without_anything_that_reveals(seeded, care_unit, clinician):
    care_unit.name, care_unit.name_is_revealing = "Beroendemottagningen", True
    care_unit.save()
    visit = VideoVisitFactory(care_unit=care_unit, owner=clinician, reason="Missbruk")
    participant, token = participant_add(visit=visit, kind="relative", first_name="Margareta",
                                         last_name="Ek", channel=Participant.Channel.NONE)
    assert seeded.count() >= 3
    for template in seeded:
        if template.key.startswith("inbjudan"):
            subject, body = render_invitation(template.key, participant=participant,
                                              link=link_url(token))
        else:
            context = Context({"start": "26 november kl. 10.30",
                               "meeting_url": "https://teams.microsoft.com/l/meetup-join/x"})
            subject, body = (Template(template.subject).render(context),
                             Template(template.body).render(context))
        text = (subject + "\n" + body).replace(token, "")
        assert not PERSONNUMMER.search(text), template.key
        assert visit.reason not in text, template.key
        assert care_unit.name not in text, template.key
        assert visit.patient.last_name not in text, template.key


@pytest.mark.parametrize("body", [
    "Hej {{ patient.personnummer }}", "Besök för {{ reason }} {{ link }}",
    "{% if x %}{{ link }}{% endif %}", "{{ visit.care_unit.name }}",
])
def test_admin_cannot_save_a_template_that_could_reveal(body):
    template = MessageTemplate(key="x", name="x", channel="sms", body=body)
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "body" in error.value.message_dict


def test_the_allowed_fields_pass():
    MessageTemplate(key="x", name="x", channel="sms",
                    body="Videomöte {{ start }}: {{link}} {{ meeting_url }}").full_clean()
