"""What the whole suite shares: a summary of the live book's timings at the end of the run."""


def pytest_terminal_summary(terminalreporter):
    """Print the live book's cold starts and run times (tests/test_live_book.py records them).

    They come back from pytest-xdist's workers as the reports' user properties, so this works
    with `-n` too, where a test's own prints are not shown.
    """
    lines = [value for outcome in ("passed", "failed")
             for report in terminalreporter.stats.get(outcome, [])
             if report.when == "call"
             for name, value in getattr(report, "user_properties", []) if name == "live_book"]
    if lines:
        terminalreporter.section("the live book in chromium")
        for line in sorted(lines):
            terminalreporter.write_line(line)
