import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers

from tests.patients.factories import GuardianFactory, PatientFactory

KARIN_MOBILE, JOHAN_MOBILE = "+46701740606", "+46701740607"


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """A channel layer per test: each async test has its own event loop, and the Redis
    layer's receive locks belong to the loop that made them, so a consumer still
    receiving when one test's loop closes must not hand its lock to the next test."""
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    yield
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)


@pytest.fixture
def child(care_unit):
    """Lo Berg, 9 years old, with her guardians Karin and Johan."""
    return PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Berg",
                          has_eid=False, mobile="", care_units=[care_unit])


@pytest.fixture
def karin(child):
    return GuardianFactory(child=child, personnummer="198409219840", first_name="Karin",
                           mobile=KARIN_MOBILE)


@pytest.fixture
def johan(child):
    return GuardianFactory(child=child, personnummer="198301309855", first_name="Johan",
                           mobile=JOHAN_MOBILE)
