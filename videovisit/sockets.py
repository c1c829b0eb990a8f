"""Frames from a browser's socket, parsed so that none can end the socket."""

from __future__ import annotations

import json
import logging
import re
from itertools import accumulate

from channels.generic.websocket import AsyncJsonWebsocketConsumer

logger = logging.getLogger(__name__)

# The room's largest frame is a description (SDP) of a few kilobytes; ICE candidates,
# heartbeats and the staff pages' frames are far smaller.
MAX_FRAME_CHARS = 64 * 1024
# The room's deepest frame is a description inside a signal: three levels.
MAX_FRAME_DEPTH = 20

# A JSON string, or an unterminated one up to the end, so that no quote starts a
# second scan of the same text (which would cost the square of the frame's length).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*\\?(?:"|\Z)', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BadFrame(ValueError):
    """A frame that is ignored; its message says why, without the frame's content."""


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, brackets in strings not counted.

    Without recursion (json's parser recurses once per level), and in time linear in
    the text's length, spent in the regex engine rather than in a Python loop.
    """
    outside_strings = _STRING.sub("", text)
    return max(accumulate(map(_STEP.__getitem__, _BRACKET.findall(outside_strings))),
               default=0)


def decode_frame(text: str | None) -> dict:
    """The JSON object a text frame carries; BadFrame for anything else."""
    if not text:
        raise BadFrame("an empty or binary frame")
    if len(text) > MAX_FRAME_CHARS:
        raise BadFrame(f"a frame of {len(text)} characters")
    # No frame with fewer brackets than the limit can nest deeper than it: the whole
    # scan is for frames that have many.
    if text.count("[") + text.count("{") > MAX_FRAME_DEPTH and \
            nesting_depth(text) > MAX_FRAME_DEPTH:
        raise BadFrame("a frame nested too deeply")
    try:
        content = json.loads(text)
    except ValueError:
        raise BadFrame("a frame that is not JSON") from None
    if not isinstance(content, dict):
        raise BadFrame("a frame that is not a JSON object")
    return content


class JsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON socket that ignores a frame it cannot use, with a warning, and stays open.

    Channels' own would close the socket with an error (1011) on a binary frame, on
    text that is not JSON, or on JSON nested deeply enough to exhaust the parser's
    recursion; receive_json here always gets an object.
    """

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            content = await self.decode_json(text_data)
        except BadFrame as bad:
            # What kind of frame and where, never its content: it may carry anything.
            logger.warning("%s ignored %s.", type(self).__name__, bad)
            return
        await self.receive_json(content, **kwargs)

    @classmethod
    async def decode_json(cls, text_data: str | None) -> dict:
        return decode_frame(text_data)
