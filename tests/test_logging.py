"""Log lines: one zone with its offset, and no line per scheduler tick."""

import logging
import re

from umpro import UTCFormatter


def test_log_times_are_utc_with_their_offset():
    record = logging.LogRecord("umpro", logging.INFO, __file__, 1, "Planificateur prêt", (), None)
    record.created = 1_796_029_200.25  # 2026-11-30 09:00:00.250 UTC
    line = UTCFormatter("%(asctime)s %(levelname)s %(message)s").format(record)
    assert line == "2026-11-30T09:00:00.250+00:00 INFO Planificateur prêt"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 ", line)


def test_the_scheduler_library_logs_warnings_only(app):
    assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO) is False
    assert logging.getLogger("umpro.jobs.scheduler").isEnabledFor(logging.WARNING)
