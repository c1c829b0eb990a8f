import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """A channel layer per test: each async test has its own event loop, and the Redis
    layer's receive locks belong to the loop that made them, so a consumer still
    receiving when one test's loop closes must not hand its lock to the next test."""
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    yield
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
