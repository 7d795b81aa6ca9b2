import pytest

from harness import Host


@pytest.fixture
def host():
    h = Host()
    try:
        yield h
    finally:
        h.close()
