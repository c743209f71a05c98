"""Moves a child process's clock as the test session's (tests/clock.py).

Python imports `sitecustomize` at startup from its path; tests/clock.py puts this
folder on the PYTHONPATH of the processes the tests start when the clock is shifted.
"""

import datetime as _dt
import os as _os

_days = int(_os.environ.get("CLOCHER_TEST_CLOCK_SHIFT_DAYS", "").strip() or 0)
if _days:
    import time_machine as _time_machine

    _time_machine.travel(_dt.datetime.now(_dt.UTC) + _dt.timedelta(days=_days),
                         tick=True).start()
    # tests/clock.py must not move it again in a pytest process (pytest-xdist's workers).
    CLOCHER_CLOCK_SHIFTED = True
