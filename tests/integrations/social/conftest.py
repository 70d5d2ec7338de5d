"""The X and LinkedIn fakes, started afresh for one test with the settings pointing at them."""

import pytest

from tests.fakes.linkedin_api import fake_linkedin_server
from tests.fakes.x_api import fake_x_server


@pytest.fixture
def fake_x(settings):
    with fake_x_server(settings) as fake:
        yield fake


@pytest.fixture
def fake_linkedin(settings):
    with fake_linkedin_server(settings) as fake:
        yield fake
