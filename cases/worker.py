"""The RQ worker of the registry (``manage.py rqworker``, settings.RQ["WORKER_CLASS"]).

RQ already runs periodic maintenance in every worker (cleaning its registries, taking over the
scheduler); this worker adds the registry's own: resuming print jobs whose worker was stopped
or killed (their lease expired). No separate scheduler process is needed, and with several
workers on several machines any of them does it (the rows are claimed with SKIP LOCKED).
"""

import logging

from django.conf import settings
from rq import Worker

logger = logging.getLogger(__name__)


class RegistryWorker(Worker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", settings.XUEJI_WORKER_MAINTENANCE_SECONDS)
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self):
        # An idle worker wakes at least once per maintenance interval, so maintenance runs.
        return max(1, min(super().dequeue_timeout, int(self.maintenance_interval)))

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        from django.db import close_old_connections

        from cases.services.print_jobs import print_jobs_recover

        close_old_connections()
        try:
            print_jobs_recover()
        except Exception:  # maintenance must never stop the worker; logged for the operator
            logger.exception("print job recovery failed")
