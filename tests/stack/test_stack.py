"""The production stack on this machine: gunicorn (4 workers) and an RQ worker with the
production settings, against the test PostgreSQL database and a local Redis.

- the public lookup's limit holds across the four web workers (the cache is shared);
- a print job finishes on the RQ worker;
- a worker killed in the middle of a job leaves the job resumed (never stuck "running");
- a web server whose database is unreachable answers /graphql/ with JSON, and logs it.

Bounded: every wait has a deadline. Runs in CI on PostgreSQL (.ci/run); skipped elsewhere.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cases.models import CertificatePrint, PrintJob, PrintJobStatus
from graphql_api.services import SCHEME
from tests.factories import SchoolFactory, staff_user
from tests.test_print_jobs import diplomas

ROOT = Path(__file__).resolve().parents[2]
# One Redis database per pytest-xdist worker: two stacks never share a queue (a worker of one
# test would take the other's jobs, against the other's database).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("XUEJI_STACK_REDIS_URL", f"redis://127.0.0.1:6379/{1 + _WORKER % 15}")
LEASE = 4

pytestmark = [pytest.mark.postgres, pytest.mark.stack, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module")
def redis_ready():
    if os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"):
        pytest.skip("the stack runs on PostgreSQL")
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return client


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(name=None):
    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{name or db['NAME']}")


class Stack:
    """Processes started by one test; each in its own process group, stopped at the end."""

    def __init__(self, tmp_path, prefix):
        self.tmp, self.processes = tmp_path, []
        static = tmp_path / "static"
        static.mkdir(exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "DJANGO_SETTINGS_MODULE": "cms.settings.production", "SECRET_KEY": "stack-test-secret-key",
            "DATABASE_URL": database_url(), "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix,
            "WAGTAILADMIN_BASE_URL": "http://127.0.0.1", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0",
            "SECURE_SSL_REDIRECT": "0",  # plain http on this machine; production redirects to https
            "STATIC_ROOT": str(static), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "XUEJI_LOOKUP_LIMIT_PER_IP": "3", "XUEJI_PRINT_JOB_LEASE_SECONDS": str(LEASE),
            "XUEJI_WORKER_MAINTENANCE_SECONDS": "2", "PYTHONUNBUFFERED": "1",
        }

    def start(self, name, args, **env):
        log = open(self.tmp / f"{name}.log", "wb")
        process = subprocess.Popen(args, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def web(self, name="web", workers=4, **env):
        port = free_port()
        self.start(name, [sys.executable, "-m", "gunicorn", "cms.wsgi:application", "--workers", str(workers),
                          "--bind", f"127.0.0.1:{port}", "--timeout", "60"], **env)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _reachable(url), 90, f"gunicorn {name} did not come up")
        return url

    def worker(self, name="worker"):
        return self.start(name, [sys.executable, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job",
                                 "default"])

    def log(self, name):
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # The leader gone, its children (gunicorn's workers, RQ's work horse) may still hold a
        # database connection: wait for the whole group, then kill what is left.
        for process in self.processes:
            deadline = time.monotonic() + 20
            while _group_alive(process.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _group_alive(process.pid):
                os.killpg(process.pid, signal.SIGKILL)


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _reachable(url):
    try:
        urllib.request.urlopen(url + "/lookup/", timeout=5)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait_for(predicate, seconds, message):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(message)


@pytest.fixture
def stack(tmp_path, redis_ready):
    from rq import Queue

    Queue("default", connection=redis_ready).empty()  # nothing left over from an earlier run
    stack = Stack(tmp_path, prefix=f"stack-{os.getpid()}-{time.monotonic_ns()}")
    yield stack
    stack.stop()


def run_in_production(stack, code):
    """Python run by a separate process with the production settings (tasks go to RQ)."""
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=stack.env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def queue_print_job(stack, school, count):
    user = staff_user(school)
    ids = [c.pk for c in diplomas(school, count)]
    return int(run_in_production(stack, (
        "from django.contrib.auth import get_user_model; from cases.models import Certificate; "
        "from cases.services.print_jobs import print_job_create; "
        f"job = print_job_create(acting_user=get_user_model().objects.get(pk={user.pk}), "
        f"certificates=list(Certificate.objects.filter(pk__in={ids}))); print(job.pk)")))


def test_the_lookup_limit_holds_across_four_web_workers(stack):
    url = stack.web()

    def post():
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(url + "/lookup/", timeout=30).read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        data = urllib.parse.urlencode({"name": "王小明", "id_number": "620102201205010011",
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(url + "/lookup/", data=data, headers={"Referer": url + "/lookup/"})
        try:
            return opener.open(request, timeout=30).status
        except urllib.error.HTTPError as error:
            return error.code

    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(post())) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # One client address, a limit of 3: four workers counting alone would let up to 12 through.
    assert sorted(statuses) == [200] * 3 + [429] * 9


def test_a_print_job_finishes_on_the_rq_worker(stack):
    school = SchoolFactory(category="1")
    job_id = queue_print_job(stack, school, 3)
    assert PrintJob.objects.get(pk=job_id).status == PrintJobStatus.QUEUED  # nothing ran in-process
    stack.worker()
    wait_for(lambda: PrintJob.objects.get(pk=job_id).status in (PrintJobStatus.DONE, PrintJobStatus.FAILED), 120,
             "the print job did not finish on the RQ worker:\n" + stack.log("worker")[-3000:])
    job = PrintJob.objects.get(pk=job_id)
    assert (job.status, job.done, job.total, job.attempts) == (PrintJobStatus.DONE, 3, 3, 1), job.error
    assert Path(job.pdf.path).read_bytes().startswith(b"%PDF")


def children(pid):
    """Child process ids, from /proc (the worker's only child is its work horse)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_a_worker_killed_mid_job_leaves_the_job_resumed_and_finished(stack):
    school = SchoolFactory(category="1")
    job_id = queue_print_job(stack, school, 40)
    first = stack.worker("worker-1")
    wait_for(lambda: PrintJob.objects.get(pk=job_id).done >= 2, 120,
             "the job did not start:\n" + stack.log("worker-1")[-3000:])
    # The worker and its work horse (RQ forks it into a session of its own), mid-job.
    horses = children(first.pid)
    assert horses, "the RQ worker runs the job in a forked work horse"
    for pid in [first.pid, *horses]:
        os.kill(pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = PrintJob.objects.get(pk=job_id)
    assert killed.status == PrintJobStatus.RUNNING and killed.done < killed.total
    stack.worker("worker-2")  # its maintenance finds the expired lease and queues the job again
    wait_for(lambda: PrintJob.objects.get(pk=job_id).status in (PrintJobStatus.DONE, PrintJobStatus.FAILED), 180,
             "the killed job was neither resumed nor failed:\n" + stack.log("worker-2")[-3000:])
    job = PrintJob.objects.get(pk=job_id)
    assert (job.status, job.done, job.attempts) == (PrintJobStatus.DONE, 40, 2), job.error
    logged = list(CertificatePrint.objects.filter(print_job=job).values_list("certificate_id", flat=True))
    assert len(logged) == len(set(logged)) == 40  # pages of the killed run are not logged twice
    assert '"print job lost its worker"' in stack.log("worker-2") or "lost its worker" in stack.log("worker-2")


def test_graphql_answers_json_and_logs_when_the_database_is_unreachable(stack):
    # Its own web server pointed at a database that does not exist: the shared PostgreSQL stays up.
    url = stack.web("web-nodb", workers=1, DATABASE_URL="postgres://postgres@127.0.0.1:5432/xueji_no_such_database")
    request = urllib.request.Request(url + "/graphql/", data=json.dumps({"query": "{ __typename }"}).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {SCHEME}_abcdefgh_{'x' * 40}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=30)
    response = info.value
    assert response.code == 503 and response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.read())
    assert body["errors"][0]["extensions"]["code"] == "service_unavailable"
    assert "Traceback" not in json.dumps(body)
    logged = [json.loads(line) for line in stack.log("web-nodb").splitlines() if line.startswith("{")]
    failures = [entry for entry in logged if entry["message"] == "API request failed"]
    assert failures and failures[0]["level"] == "ERROR" and failures[0]["path"] == "/graphql/"
    assert "OperationalError" in failures[0]["exception"]
