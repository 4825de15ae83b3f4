from __future__ import annotations

import pytest
from engines import ENGINES, EngineError, launch
from fashion_mnist import available as fashion_mnist_available
from harness import CHROMIUM, ensure_bundle, launch_chromium


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def webclient_dist():
    return ensure_bundle()


# Module scope, not session: while Playwright's sync API is open, the main thread has a running asyncio
# loop, and zeroconf (mDNS tests, the GUI) would attach to that loop instead of its own and block.
@pytest.fixture(scope="module")
def chromium(webclient_dist):
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is not installed: run scripts/setup.sh --tests (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=ENGINES)
def browser(request, tmp_path_factory, webclient_dist):
    """One browser per engine (engines/) for the whole module: a test asking for it runs once in each of
    the three engines participants use, one engine's tests after the other."""
    try:
        b = launch(request.param, tmp_path_factory.mktemp(f"{request.param}-browser"))
    except EngineError as e:
        pytest.fail(str(e))
    yield b
    b.close()


@pytest.fixture(scope="session")
def fashion_mnist():
    if not fashion_mnist_available():
        pytest.fail("Fashion-MNIST is not installed: run scripts/setup.sh --tests (apt-get install dataset-fashion-mnist)")
    return True
