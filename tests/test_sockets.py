"""How socket frames are decoded (videovisit.sockets): the limits, not the sockets."""

import json

import pytest

from videovisit.sockets import MAX_FRAME_CHARS, MAX_FRAME_DEPTH, BadFrame, decode_frame


def nested(depth: int) -> str:
    return '{"type": "signal", "data": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_a_description_signal_as_the_room_sends_it_is_decoded():
    sdp = "v=0\r\n" + "a=rtpmap:96 VP8/90000\r\n" * 300  # about 7 kB, like a real offer
    signal = {"type": "signal", "to": "p12",
              "data": {"description": {"type": "offer", "sdp": sdp}, "pc": "a", "to": "b"}}
    assert decode_frame(json.dumps(signal)) == signal


def test_the_depth_limit_is_exact():
    assert decode_frame(nested(MAX_FRAME_DEPTH))["type"] == "signal"
    with pytest.raises(BadFrame, match="nested too deeply"):
        decode_frame(nested(MAX_FRAME_DEPTH + 1))


def test_brackets_inside_strings_do_not_count_as_depth():
    text = json.dumps({"type": "signal", "data": {"sdp": "[{" * 1000 + '"\\' * 100}})
    assert decode_frame(text)["data"]["sdp"].startswith("[{[{")


def test_an_unterminated_string_does_not_hide_the_brackets_before_it():
    with pytest.raises(BadFrame, match="nested too deeply"):
        decode_frame("[" * 5000 + '"' + "\\]" * 5000)


@pytest.mark.parametrize(("text", "reason"), [
    (None, "binary"),
    ("", "empty"),
    ("not json", "not JSON"),
    ("[]", "not a JSON object"),
    ('"a string"', "not a JSON object"),
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ('{"data": "' + "x" * MAX_FRAME_CHARS + '"}', "characters"),
])
def test_a_frame_that_cannot_be_used_is_refused_saying_why(text, reason):
    with pytest.raises(BadFrame, match=reason) as refused:
        decode_frame(text)
    assert "xxx" not in str(refused.value) and "[[" not in str(refused.value)
