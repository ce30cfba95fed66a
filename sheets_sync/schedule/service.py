"""The scheduler process: hold the store, reconcile jobs with the config, run them, beat, reload, stop cleanly.

APScheduler 3 (BackgroundScheduler) with the SQLAlchemy job store; every job coalesces, runs one
instance at a time on ONE worker thread (jobs never overlap, so they share the process's API rate
budget and never write one workbook at once) and has a large misfire grace. A run missed past the
grace is recorded `skipped`; one run late within it is recorded `late` (see runner.py).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import os
import signal
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor  # only the schedule command imports this module

from sheets_sync.orchestrator import history_for
from sheets_sync.schedule import runner
from sheets_sync.schedule.plan import JobPlan, make_trigger, plan_jobs
from sheets_sync.schedule.state import (
    HEARTBEAT_EVERY,
    SchedulerState,
    acquire,
    beat,
    jobs_url,
    open_store,
    read_state,
    release,
)
from sheets_sync.schedule.timing import decide

if TYPE_CHECKING:
    import sqlalchemy as sa
    from apscheduler.events import JobExecutionEvent
    from apscheduler.schedulers.background import BackgroundScheduler

    from sheets_sync.config import Config
    from sheets_sync.history import RunRecord

logger = logging.getLogger(__name__)
JOBS_TABLE = "sheets_sync_jobs"
DEFAULT_STOP_TIMEOUT = dt.timedelta(minutes=5)
CANCEL_WAIT_SECONDS = 30.0  # after a cancel, how long the job has to record `interrupted` and clean up


def store_url(cfg: Config) -> str:
    """Where the jobs and the scheduler row live: `state_url`, else `state_dir/scheduler.sqlite`."""
    return jobs_url(str(cfg.state_url) if cfg.state_url else None, Path(str(cfg.state_dir)))


class SchedulerService:
    """One scheduler process for one config file."""

    def __init__(self, config_path: Path, cfg: Config, *, grace: dt.timedelta,
                 stop_timeout: dt.timedelta = DEFAULT_STOP_TIMEOUT, env: Mapping[str, str] | None = None,
                 heartbeat: dt.timedelta = HEARTBEAT_EVERY) -> None:
        self.path = config_path.resolve()
        self.cfg = cfg
        self.grace, self.stop_timeout, self.heartbeat = grace, stop_timeout, heartbeat
        self.env = dict(os.environ if env is None else env)
        self.owner = uuid.uuid4().hex
        self.stop = threading.Event()
        self._seen = self._signature()
        self._reload_lock = threading.Lock()
        self._engine: sa.Engine | None = None
        self._scheduler: BackgroundScheduler | None = None

    # --- life cycle ---------------------------------------------------------------------------

    def run(self) -> int:
        """Start, run until SIGTERM/SIGINT (or `stop` is set), stop cleanly; 0 when stopped as asked."""
        from apscheduler.events import EVENT_JOB_MISSED
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        engine = self._engine = open_store(store_url(self.cfg))
        try:
            acquire(engine, self.owner, str(self.path), _now())  # a second scheduler stops here, with one line
        except BaseException:
            engine.dispose()
            raise
        scheduler = self._scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE),
                       "internal": MemoryJobStore()},
            executors={"default": _TickTellingExecutor(1), "internal": ThreadPoolExecutor(1)},
            # job_defaults, not top-level arguments: APScheduler ignores a top-level misfire_grace_time
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(self.grace.total_seconds())},
            timezone=ZoneInfo(str(self.cfg.timezone)))
        scheduler.add_listener(self._missed, EVENT_JOB_MISSED)
        restore = self._on_signals()
        try:  # from here on the store is ours: whatever happens, it is released
            scheduler.start(paused=True)  # reconcile before any stored job runs
            self.reconcile(self.cfg)
            runner.activate(str(self.path), runner.JobContext(config=self.current_config, grace=self.grace))
            scheduler.add_job(self._tick, "interval", seconds=self.heartbeat.total_seconds(), id="heartbeat",
                              jobstore="internal", executor="internal", misfire_grace_time=None,
                              next_run_time=_now())
            scheduler.resume()
            logger.info("scheduler started for %s: %d jobs; stop with Ctrl-C or SIGTERM", self.path,
                        len(scheduler.get_jobs(jobstore="default")))
            while not self.stop.wait(0.5):
                pass
        finally:
            self._shut_down(scheduler, engine)
            restore()
        return 0

    def _shut_down(self, scheduler: BackgroundScheduler, engine: sa.Engine) -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)  # no new job starts; the running one is waited for below
        current = runner.running()
        if current is not None:
            seconds = self.stop_timeout.total_seconds()
            logger.info("stopping: waiting up to %d s for job %r to finish", seconds, current.job_id)
            if not runner.idle.wait(seconds):
                logger.error("job %r did not finish within %d s: cancelling it", current.job_id, seconds)
                _raise_in_thread(current.thread)
                runner.idle.wait(CANCEL_WAIT_SECONDS)
        runner.deactivate(str(self.path))
        release(engine, self.owner, _now())
        engine.dispose()
        logger.info("scheduler stopped")

    def _on_signals(self) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def on_signal(signum: int, frame: FrameType | None) -> None:
            logger.info("%s received: stopping after the running job", signal.Signals(signum).name)
            self.stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return restore

    # --- jobs ---------------------------------------------------------------------------------

    def reconcile(self, cfg: Config) -> None:
        """Make the stored jobs those of `cfg`: add, change (reports, time zone) and remove, each logged."""
        scheduler = self._scheduler
        assert scheduler is not None
        plans = {plan.id: plan for plan in plan_jobs(cfg)}
        stored = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
        timezone = str(cfg.timezone)
        for job_id in sorted(set(stored) - set(plans)):
            scheduler.remove_job(job_id, jobstore="default")
            logger.info("job removed: %s", job_id)
        for job_id, plan in plans.items():
            args = [str(self.path), job_id, list(plan.reports)]
            trigger = make_trigger(job_id, timezone)
            job = stored.get(job_id)
            if job is None:
                scheduler.add_job(runner.RUN_JOB, trigger=trigger, args=args, id=job_id, name=plan.schedule,
                                  jobstore="default")
                logger.info("job added: %s (reports: %s)", plan.schedule, _names(plan))
                continue
            changes = []
            if repr(job.trigger) != repr(trigger):
                scheduler.reschedule_job(job_id, jobstore="default", trigger=trigger)
                changes.append(f"time zone {timezone}")
            if list(job.args) != args:
                scheduler.modify_job(job_id, jobstore="default", args=args)
                changes.append(f"reports: {_names(plan)}")
            if changes:
                logger.info("job changed: %s (%s)", plan.schedule, "; ".join(changes))

    def current_config(self) -> Config:
        """The last valid config, reloaded first if the file changed (a job calls this before it runs)."""
        self.reload()
        return self.cfg

    def reload(self) -> None:
        """If the file changed: apply it when valid; otherwise log its problems and keep the old jobs."""
        from sheets_sync.config import check_config_file

        with self._reload_lock:
            signature = self._signature()
            if signature == self._seen:
                return
            result = check_config_file(self.path, self.env)
            if self._signature() != signature:
                return  # written while we read it (an editor saving in place): read it again at the next tick
            self._seen = signature
            if result.problems or result.config is None:
                for problem in result.problems:
                    logger.error("config not applied: %s", problem)
                logger.error("%s has %d problem(s); the jobs of the last valid config keep running",
                             self.path, len(result.problems))
                return
            self.cfg = result.config
            self.reconcile(self.cfg)
            logger.info("config reloaded: %s", self.path)

    def _signature(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _tick(self) -> None:
        """Every few seconds: pick up config edits, write the heartbeat (running job, next runs)."""
        scheduler, engine = self._scheduler, self._engine
        assert scheduler is not None and engine is not None
        try:
            self.reload()
        except Exception:
            logger.exception("config reload failed; the old jobs keep running")
        current = runner.running()
        next_runs = sorted((job.id, job.next_run_time.astimezone(dt.UTC).isoformat())
                           for job in scheduler.get_jobs(jobstore="default") if job.next_run_time is not None)
        ours = beat(engine, self.owner, _now(), running_job=current.job_id if current else None,
                    running_since=current.since if current else None, next_runs=next_runs)
        if not ours:
            logger.error("another scheduler took over this store; stopping")
            self.stop.set()

    def _missed(self, event: JobExecutionEvent) -> None:
        """APScheduler dropped a run past the misfire grace: record it `skipped` with the reason."""
        plans = {plan.id: plan for plan in plan_jobs(self.cfg)}
        plan = plans.get(event.job_id)
        if plan is None:
            return
        now = _now()
        timing = decide(event.scheduled_run_time, now, self.grace)
        history = history_for(self.cfg)
        try:
            runner.record_skipped(history, plan.reports, event.scheduled_run_time, timing.reason)
        finally:
            history.close()


class _TickTellingExecutor(ThreadPoolExecutor):  # type: ignore[misc]  # APScheduler ships no type hints
    """A thread pool that tells the runner which scheduled time it is about to run (to judge lateness)."""

    def submit_job(self, job: Any, run_times: list[dt.datetime]) -> None:
        runner.scheduled_times[job.id] = run_times[-1]  # coalesced: the latest missed time is the one run
        try:
            super().submit_job(job, run_times)
        except BaseException:  # not submitted (an instance is still queued or running): it tells nothing
            runner.scheduled_times.pop(job.id, None)
            raise


def _names(plan: JobPlan) -> str:
    return ", ".join(plan.reports)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _raise_in_thread(thread_id: int) -> None:
    """Raise KeyboardInterrupt in the job's thread: the run stops sending, records `interrupted`, cleans up."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(KeyboardInterrupt))


def read_status(cfg: Config) -> tuple[SchedulerState | None, list[RunRecord]]:
    """The scheduler row (None if no scheduler ever used this store) and each report's newest history row."""
    url = store_url(cfg)
    state = None
    database = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if database is None or Path(database).exists():  # reading creates nothing
        engine = open_store(url)
        try:
            state = read_state(engine)
        finally:
            engine.dispose()
    history = history_for(cfg)
    try:
        return state, history.latest_per_report()
    finally:
        history.close()
