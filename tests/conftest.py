from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

# "ci" (the default) is derandomized: every run draws the same examples, so a green suite stays green on a clean
# checkout.  "explore" draws fresh examples on each run, with ten times as many, to hunt for new failures
# (HYPOTHESIS_PROFILE=explore pytest tests/property); add what it finds as a fixed regression test.
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Run ``@pytest.mark.untraced`` tests with the coverage tracer stopped (when coverage is on at all)."""
    cov = None
    if item.get_closest_marker("untraced") is not None:
        try:
            import coverage
        except ImportError:  # pragma: no cover - coverage is in the test extra
            coverage = None
        cov = coverage.Coverage.current() if coverage is not None else None
    if cov is not None:
        cov.stop()
    try:
        yield
    finally:
        if cov is not None:
            cov.start()
