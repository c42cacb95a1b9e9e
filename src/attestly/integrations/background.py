"""Collections a person asked for from the web app, run beside the request that asked.

"Collect now" should show results within seconds, not at the scheduler's next tick: the
request opens the run and returns at once, a small pool in the web process carries it out,
and the page polls the run until it is finished. Scheduled collections keep running on the
scheduler of `attestly serve` (or on Celery workers); this pool only takes runs started by
hand, at most `WORKERS` at a time (more wait in its queue).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connections

from attestly.integrations.collection import execute_run

WORKERS = 2
log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="collect-now")


def _work(run_id: int) -> int:
    try:
        return execute_run(run_id).pk
    except Exception:
        log.exception("collection run %s failed", run_id)
        raise
    finally:
        # This thread's own database connection; the request's is left alone.
        connections.close_all()


def submit(run_id: int) -> Future[int]:
    """Carry out a started run (see `do_start_collection_run`) on the pool."""
    return _pool.submit(_work, run_id)
