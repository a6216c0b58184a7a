import pytest

from outcomes.senders import LocmemSender


@pytest.fixture(autouse=True)
def prom_outbox(settings):
    """Patient links go to memory in these tests, never to files or real addresses."""
    settings.PROM_SENDER = "outcomes.senders.LocmemSender"
    settings.PUBLIC_BASE_URL = "https://painway.test"
    LocmemSender.outbox = []
    return LocmemSender.outbox
