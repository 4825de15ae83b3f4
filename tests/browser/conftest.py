from __future__ import annotations

import pytest

from harness import CHROMIUM, ensure_bundle, fashion_mnist_available, launch_chromium


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


@pytest.fixture(scope="session")
def fashion_mnist():
    if not fashion_mnist_available():
        pytest.fail("Fashion-MNIST is not installed: run scripts/setup.sh --tests (apt-get install dataset-fashion-mnist)")
    return True
