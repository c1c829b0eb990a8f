import pytest
from django.core.exceptions import ValidationError

from patients.fields import format_mobile, normalise_mobile


@pytest.mark.parametrize("raw", ["070-174 06 05", "0701740605", "+46 70 174 06 05",
                                 "0046701740605", " 070 1740605 "])
def test_swedish_mobile_numbers_are_stored_as_e164(raw):  # P4
    assert normalise_mobile(raw) == "+46701740605"
    assert format_mobile("+46701740605") == "070-174 06 05"


@pytest.mark.parametrize("raw", ["08-123 456 78", "12345", "070-174", "+4420 7946 0958",
                                 "inte ett nummer"])
def test_landlines_foreign_and_broken_numbers_are_refused(raw):  # P4
    with pytest.raises(ValidationError) as error:
        normalise_mobile(raw)
    assert "svenskt mobilnummer" in error.value.messages[0]
