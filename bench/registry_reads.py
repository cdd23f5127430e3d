"""Timings of the common reads on the current database (run after seed_demo):

    DJANGO_SETTINGS_MODULE=cms.settings.dev .venv/bin/python bench/registry_reads.py

Prints medians; nothing here is a test. Compare with the facts in shared/DESIGN.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from cases import access  # noqa: E402
from cases.models import Student  # noqa: E402

QUERY = """query($first: Int) { students(first: $first) { edges { node { id registryNumber name
  currentRegistration { status school { name } } } } } }"""


def median_ms(fn, runs=50):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    numbers = list(Student.objects.values_list("registry_number", flat=True)[:50])
    if not numbers:
        sys.exit("No students: run manage.py seed_demo first.")
    user = get_user_model().objects.get(username="county-620102")
    it = iter(numbers * 10)
    print(f"lookup by registry number (ORM):   {median_ms(lambda: Student.objects.get(registry_number=next(it))):.2f} ms")
    print(f"scoped students page of 50 (ORM):  {median_ms(lambda: list(access.visible(user, Student)[:50])):.2f} ms")
    client = Client()
    client.force_login(user)
    page = {"query": QUERY, "variables": {"first": 50}}
    print(f"GraphQL page of 50 students:       {median_ms(lambda: client.post('/graphql/', page, content_type='application/json')):.2f} ms")


if __name__ == "__main__":
    main()
