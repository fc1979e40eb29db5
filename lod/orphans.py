"""Worker processes that end with their parent.

A pool's workers block reading their task queue, whose write end they hold too, so
a parent killed with SIGKILL (or by the out-of-memory killer) would leave them
waiting forever. Each worker (export workers, SPARQL query workers) watches its
parent instead.
"""

from __future__ import annotations

import os
import threading
import time


def die_with_parent(every: float = 1.0) -> None:
    """End this process soon after its parent is gone, even in the middle of a task.

    (Not PR_SET_PDEATHSIG: that fires when the *thread* that started the worker ends.)
    """
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
