"""Publishing: due publications, the dispatcher, attempts, retries, reconciliation and schedules."""
