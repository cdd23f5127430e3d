"""A province-sized registry for benchmarks (``manage.py seed_province``).

The demo (cases/demo.py) writes a small province through the services; at five million
students that would take days. This builder writes the same kind of data straight into the
tables: schools of every category over Gansu's real counties and townships, classes of every
current cohort and of last year's leavers, students with valid ID numbers (a few with J
numbers), their registrations with history (the earlier stage's school, transfers), the
registration events, auxiliary numbers (cancelled ones for transfers), staff of every unit and
some cases in flight (through the services). Everything is decided by the seed and the number of
students: the same arguments give the same rows.

On PostgreSQL the rows are generated into tab-separated files and loaded with COPY while the
big tables' secondary indexes and constraints are dropped; they are rebuilt afterwards (one
sort per index instead of five million insertions). On SQLite the same rows are inserted with
``executemany`` (slow, meant for small sizes).
"""

import datetime
import random
import threading
import time
from bisect import bisect
from collections import defaultdict
from functools import lru_cache
from itertools import accumulate

from django.db import connection, transaction

from cases.demo import (
    BOY_CHARS,
    COMMON_CHARS,
    ENTRY_AGE,
    GIRL_CHARS,
    HAN_SURNAMES,
    SURNAMES_BY_ETHNICITY,
    child_name,
    ensure_townships,
    ethnic_mix,
    load_geography,
)
from cases.numbers.auxiliary import (
    DEFAULT_COMPULSORY_TEMPLATE,
    high_school_layout,
    number_fields,
    template_layout,
)
from cases.numbers.id_number import mod11_2_check_digit
from cases.services.students import name_initials, name_pinyin

YEARS = {"primary": 6, "junior": 3, "senior": 3, "vocational": 3, "special": 9}
CATEGORY_STAGES = {"0": ["primary"], "1": ["junior"], "2": ["primary", "junior"],
                   "3": ["primary", "junior", "senior"], "4": ["junior", "senior"], "5": ["senior"],
                   "6": ["vocational"], "7": ["senior", "vocational"], "S": ["special"]}
CATEGORY_WEIGHTS = {"0": 50, "1": 13, "2": 15, "3": 1.5, "4": 4.5, "5": 6, "6": 4, "7": 1.5, "S": 2.5}
CATEGORY_SUFFIX = {"0": "小学", "1": "初级中学", "2": "九年制学校", "3": "实验学校", "4": "中学", "5": "高级中学",
                   "6": "职业中学", "7": "综合高级中学", "S": "特殊教育学校"}
PREVIOUS_STAGE = {"junior": "primary", "senior": "junior", "vocational": "junior"}
STUDENTS_PER_SCHOOL = 420
SHARE_HISTORY = 0.6  # junior and senior students whose earlier stage is in the registry
SHARE_TRANSFERRED = 0.02
SHARE_SUSPENDED = 0.01
SHARE_DROPPED_OUT = 0.005
SHARE_ABROAD = 0.001
SHARE_WITHOUT_ID = 0.004
SHARE_LEAVERS = 0.04  # last year's final-year cohorts: graduated, kept in the registry
# Compulsory-education auxiliary numbers: each city sets a format with the school's full code,
# so that numbers stay unique in counties with more than 99 schools (第十条).
CITY_TEMPLATE = "{year2}{school_code}{stage1}{seq:4}"
STAMP = "2026-09-01 08:00:00+08"

# (table, columns, boolean columns) in load order.
TABLES = {
    "school": ("cases_school", ["id", "code", "name", "category", "stages", "ownership", "supervision",
                                "auxiliary_code", "scope_code", "is_closed", "county_id", "township_id"], {"is_closed"}),
    "class": ("cases_schoolclass", ["id", "stage", "cohort", "class_name", "promoted_through", "school_id"], set()),
    "student": ("cases_student", [
        "id", "registry_number", "id_number", "name", "name_pinyin", "name_initials", "former_names", "gender",
        "birth_date", "ethnicity", "native_place", "household_type", "household_address", "address", "is_migrant",
        "is_left_behind", "disability", "created_at", "household_county_id", "paper_archive_school_id",
        "current_registration_id", "current_school_id", "scope_code"], {"is_migrant", "is_left_behind"}),
    "registration": ("cases_registration", ["id", "stage", "status", "started_on", "ended_on", "created_at",
                                            "school_id", "school_class_id", "student_id", "suspended_until",
                                            "student_elsewhere", "former_scope_code", "former_registry_number"],
                     {"student_elsewhere"}),
    "event": ("cases_registrationevent", ["id", "status_from", "status_to", "occurred_on", "reason", "recorded_at",
                                          "recorded_by_id", "registration_id"], set()),
    "aux": ("cases_auxiliarynumber", ["id", "number", "kind", "issued_at", "cancelled_at", "cancelled_reason",
                                      "cancelled_by_id", "issued_by_id", "registration_id", "school_id"], set()),
    # The approved cases behind the history (transfers, suspensions, dropouts, study abroad): the
    # registry's years of decided cases, which a unit's reads must never visit one by one.
    "case": ("cases_case", [
        "id", "live", "has_unpublished_changes", "expired", "locked", "number", "case_type", "state",
        "transfer_scope", "external_school", "external_province", "stage", "reason", "reason_text", "effective_on",
        "end_on", "details", "overrides", "scope_code", "destination_scope_code", "created_at", "submitted_at",
        "decided_at", "destination_school_id", "registration_id", "school_id", "student_id"],
        {"live", "has_unpublished_changes", "expired", "locked"}),
}
STREAMED = ("student", "registration", "event", "aux", "case")
BIG_TABLES = ("cases_student", "cases_registration", "cases_registrationevent", "cases_auxiliarynumber", "cases_case")
N = "\\N"  # NULL in COPY's text format


@lru_cache(maxsize=None)
def _spelling(name):
    """(pinyin, initials) exactly as the registration service computes them (cached for the run:
    names repeat across five million pupils)."""
    return name_pinyin(name), name_initials(name)


class Table:
    """A weighted draw by bisection on precomputed cumulative weights (``random.choices``
    rebuilds them on every call, which counts at five million draws)."""

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def draw(self, rng):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


@lru_cache(maxsize=None)
def _table(weights_key):
    return Table(dict(weights_key))


def fast_child_name(rng, ethnicity, gender):
    """cases.demo.child_name with precomputed tables (same distribution)."""
    if ethnicity == "藏族":
        return child_name(rng, ethnicity, gender)
    surname = _table(tuple(SURNAMES_BY_ETHNICITY.get(ethnicity, HAN_SURNAMES).items())).draw(rng)
    chars = (BOY_CHARS if gender == "M" else GIRL_CHARS) + COMMON_CHARS
    if rng.random() < 0.25:
        return surname + chars[int(rng.random() * len(chars))]
    return surname + "".join(rng.sample(chars, 2))


class Writer:
    """Rows of each table in COPY's text format. On PostgreSQL every table streams into its own
    connection's COPY (psycopg's queued writer sends from a thread), so the server parses and
    stores while Python generates; elsewhere the rows are kept for ``executemany``."""

    def __init__(self, stream=True):
        self.counts = defaultdict(int)
        self.pending = defaultdict(list)
        self.copies = {}
        if stream and connection.vendor == "postgresql":
            import psycopg
            from psycopg.copy import QueuedLibpqWriter

            params = connection.get_connection_params()
            for key in STREAMED:
                table, columns, _ = TABLES[key]
                conn = psycopg.connect(**params, autocommit=False)
                conn.execute("SET synchronous_commit = off")
                cursor = conn.cursor()
                manager = cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN",
                                      writer=QueuedLibpqWriter(cursor))
                self.copies[key] = (conn, manager, manager.__enter__())

    def write(self, key, lines):
        self.counts[key] += len(lines)
        if key not in STREAMED:  # schools and classes: committed first, the others refer to them
            _insert_now(key, lines)
        elif self.copies:
            self.copies[key][2].write("".join(lines))
        else:
            self.pending[key].extend(lines)

    def finish(self, log):
        """Finish every COPY and commit (PostgreSQL), or insert the rows (SQLite)."""
        if self.copies:
            for key, (conn, manager, _) in self.copies.items():
                started = time.monotonic()
                manager.__exit__(None, None, None)
                conn.commit()
                conn.close()
                log(f"COPY {TABLES[key][0]} 完成:{self.counts[key]:,} 行(等待 {time.monotonic() - started:.1f} 秒)")
            return
        for key in STREAMED:
            _insert_now(key, self.pending.pop(key, []))


def _insert_now(key, lines):
    table, columns, booleans = TABLES[key]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write("".join(lines))
            return
        flags = [column in booleans for column in columns]
        rows = ([None if v == N else (v == "t") if flag else v
                 for v, flag in zip(line.rstrip("\n").split("\t"), flags)] for line in lines)
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                           rows)


class Province:
    """The generator: everything from one random.Random, in a fixed order."""

    def __init__(self, students, seed, today, first_ids, places):
        self.total = students
        self.seed = seed
        self.rng = random.Random(f"xueji-province:{seed}:{students}")
        self.today = today
        self.school_year = today.year if today.month >= 9 else today.year - 1
        self.ids = dict(first_ids)  # next id per table key
        self.places = places  # jurisdiction code → (id, auxiliary_code)
        self.geo = load_geography()
        self.id_sequences = defaultdict(int)  # (area, birth, gender) → last ID sequence
        self.j_counters = defaultdict(int)  # J-number counter prefix → last value
        self.aux_counters = defaultdict(int)  # auxiliary prefix → last value
        self.case_counters = defaultdict(int)  # case:<year> → highest case number of the year
        self.layouts = {}

    def next_id(self, key):
        value = self.ids[key]
        self.ids[key] += 1
        return value

    # --- schools and classes -------------------------------------------------------------------
    def plan_schools(self):
        rng, counties = self.rng, list(self.geo.counties.values())
        weights = [(2.2 if c.is_urban else 1.0) * rng.uniform(0.6, 1.4) for c in counties]
        count = max(len(CATEGORY_STAGES) * 2, round(self.total / STUDENTS_PER_SCHOOL))
        per_county = [max(2, round(count * w / sum(weights))) for w in weights]
        schools = []
        categories = list(CATEGORY_WEIGHTS)
        for county, n in zip(counties, per_county):
            high_school_codes = iter(range(1, 100))
            other_codes = iter(range(1, 10**6))
            names = set()
            townships = list(county.townships) or [(county.code, county.name)]
            for number in range(1, min(n, 999) + 1):
                category = rng.choices(categories, weights=list(CATEGORY_WEIGHTS.values()))[0]
                if number <= len(categories) and county.code == "620102":
                    category = categories[number - 1]  # every category at least once
                stages = CATEGORY_STAGES[category]
                township = rng.choice(townships)
                supervision = "county"
                if category in "4567" and rng.random() < 0.3:
                    supervision = "city"
                elif category in "45" and county.code[:4] == "6201" and rng.random() < 0.05:
                    supervision = "province"
                if "senior" in stages:
                    aux = next(high_school_codes, None)
                    if aux is None:  # a county has at most 99 high-school codes
                        category, stages = "1", CATEGORY_STAGES["1"]
                        aux = next(other_codes) % 99 + 1
                else:
                    aux = next(other_codes) % 99 + 1
                base = township[1].removesuffix("街道").removesuffix("镇").removesuffix("乡") or county.short_name
                name = base + CATEGORY_SUFFIX[category]
                serial = 1
                while name in names:
                    serial += 1
                    name = f"{base}第{serial}{CATEGORY_SUFFIX[category]}"
                names.add(name)
                scope = {"county": county.code, "city": county.code[:4], "province": county.code[:2]}[supervision]
                schools.append({
                    "id": self.next_id("school"), "code": f"1{county.code}{number:03d}", "name": name,
                    "county": county.code, "township": township[0] if len(township[0]) == 9 else None,
                    "category": category, "stages": stages, "supervision": supervision, "scope": scope,
                    "ownership": "private" if rng.random() < 0.08 else "public", "aux": f"{aux:02d}",
                    "size": rng.uniform(0.5, 1.6) * (1.6 if county.is_urban else 1.0),
                })
        return schools

    def plan_classes(self, schools):
        """Classes of every current cohort, and of last year's final-year cohort (the leavers)."""
        rng, year = self.rng, self.school_year
        grades = sum(s["size"] * sum(YEARS[st] for st in s["stages"]) for s in schools)
        per_grade = self.total * (1 - SHARE_LEAVERS) / 42 / grades
        classes = []
        for school in schools:
            for stage in school["stages"]:
                for grade in range(0, YEARS[stage] + 1):  # grade 0: last year's leavers
                    count = max(1, round(school["size"] * per_grade * rng.uniform(0.7, 1.3)))
                    if grade == 0:
                        count = max(1, round(count * SHARE_LEAVERS * 6))
                    cohort = year - YEARS[stage] if grade == 0 else year - grade + 1
                    for number in range(1, count + 1):
                        classes.append({"id": self.next_id("class"), "school": school, "stage": stage,
                                        "cohort": cohort, "name": f"{number}班", "leavers": grade == 0})
        # Students per class: the total split over the classes (leaver classes count the same).
        base, extra = divmod(self.total, len(classes))
        sizes = [base + (1 if i < extra else 0) for i in range(len(classes))]
        for i in range(0, len(sizes) - 1, 2):  # some variation, the sum unchanged
            shift = rng.randint(0, max(0, min(sizes[i], sizes[i + 1]) // 4))
            sizes[i] += shift
            sizes[i + 1] -= shift
        for cls, size in zip(classes, sizes):
            cls["size"] = size
        return classes

    def school_lines(self, schools):
        return [
            f"{s['id']}\t{s['code']}\t{s['name']}\t{s['category']}\t,{','.join(s['stages'])},\t{s['ownership']}\t"
            f"{s['supervision']}\t{s['aux']}\t{s['scope']}\tf\t{self.places[s['county']][0]}\t"
            f"{self.places[s['township']][0] if s['township'] in self.places else N}\n"
            for s in schools
        ]

    def class_lines(self, classes):
        year = self.school_year
        return [f"{c['id']}\t{c['stage']}\t{c['cohort']}\t{c['name']}\t{year}\t{c['school']['id']}\n" for c in classes]

    # --- numbers ------------------------------------------------------------------------------
    def id_number(self, area, birth, gender):
        key = (area, birth, gender)
        self.id_sequences[key] += 1
        n = self.id_sequences[key]
        sequence = 2 * n - 1 if gender == "M" else 2 * n
        first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
        return first17 + mod11_2_check_digit(first17)

    def j_number(self, area, birth, gender):
        prefix = f"J{area}{birth:%Y%m%d}{gender}"
        self.j_counters[prefix] += 1
        n = self.j_counters[prefix]
        first17 = f"{area}{birth:%Y%m%d}{2 * n - 1 if gender == 'M' else 2 * n:03d}"
        return "J" + first17 + mod11_2_check_digit(first17)

    def aux_number(self, school, stage, cohort):
        key = (school["id"], stage, cohort)
        layout = self.layouts.get(key)
        if layout is None:
            county = school["county"]
            fields = number_fields(entry_year=cohort, county_code=county, county_aux_code=self.places[county][1],
                                   school_code=school["code"], school_aux_code=school["aux"], stage=stage)
            if stage == "senior":
                layout = ("high_school", high_school_layout(fields))
            else:
                layout = ("compulsory", template_layout(CITY_TEMPLATE, fields))
            self.layouts[key] = layout
        kind, layout = layout
        self.aux_counters[layout.prefix] += 1
        return kind, layout.render(self.aux_counters[layout.prefix])

    # --- people -------------------------------------------------------------------------------
    # Each county is generated from a random stream of its own (seed, size, county) into id
    # blocks of its own (a student count known in advance, and at most three registrations,
    # six events and three numbers per student): the same rows whatever the order in which
    # counties are generated, so that several processes can generate them side by side.
    PER_STUDENT = {"student": 1, "registration": 3, "event": 6, "aux": 3, "case": 1}

    def county_blocks(self, classes):
        """{county code: {table key: first id}} in the order of the classes."""
        sizes = defaultdict(int)
        for cls in classes:
            sizes[cls["school"]["county"]] += cls["size"]
        blocks, next_ids = {}, {key: self.ids[key] for key in self.PER_STUDENT}
        for county, size in sizes.items():
            blocks[county] = dict(next_ids)
            for key, per in self.PER_STUDENT.items():
                next_ids[key] += size * per
        self.ids.update(next_ids)
        return blocks, dict(sizes)

    def people(self, classes, schools, writer, log, blocks=None, counties=None):
        """Students of ``counties`` (default: all) with their registrations, events and numbers."""
        if blocks is None:
            blocks, _ = self.county_blocks(classes)
        by_county_stage = defaultdict(list)
        for school in schools:
            for stage in school["stages"]:
                by_county_stage[(school["county"], stage)].append(school)
        done, started = 0, time.monotonic()
        by_county = defaultdict(list)
        for cls in classes:
            by_county[cls["school"]["county"]].append(cls)
        for county_code, county_classes in by_county.items():
            if counties is not None and county_code not in counties:
                continue
            self.rng = random.Random(f"xueji-province:{self.seed}:{self.total}:{county_code}")
            self.ids.update(blocks[county_code])
            done = self._county(county_classes, by_county_stage, writer, log, done, started)

    def _county(self, classes, by_county_stage, writer, log, done, started):
        rng, today, year = self.rng, self.today, self.school_year
        students, registrations, events, numbers, cases = [], [], [], [], []

        def registration(student_id, school, stage, class_id, status, started_on, ended_on=None, until=None,
                         reason_open="新生注册", reason_close="", cohort=None, current=None, number=None):
            # ``current``: the school of the student's current registration, when not this one;
            # ``number``: the student's registry number (copied with the flag, services/current.py)
            rid = self.next_id("registration")
            elsewhere = current is not None and current["scope"] != school["scope"]
            former = f"t\t{school['scope']}\t{number}" if elsewhere else f"f\t{N}\t{N}"
            registrations.append(
                f"{rid}\t{stage}\t{status}\t{started_on}\t{ended_on or N}\t{STAMP}\t{school['id']}\t"
                f"{class_id or N}\t{student_id}\t{until or N}\t{former}\n")
            events.append(f"{self.next_id('event')}\t\tactive\t{started_on}\t{reason_open}\t{STAMP}\t{N}\t{rid}\n")
            if status != "active":
                on = ended_on or started_on + datetime.timedelta(days=200)
                events.append(f"{self.next_id('event')}\tactive\t{status}\t{on}\t{reason_close or status}\t{STAMP}"
                              f"\t{N}\t{rid}\n")
            if stage in ("primary", "junior", "senior", "vocational", "special"):
                kind, number = self.aux_number(school, stage, cohort or started_on.year)
                cancelled = f"{ended_on} 12:00:00+08\t转出注销" if status == "transferred_out" else f"{N}\t"
                numbers.append(f"{self.next_id('aux')}\t{number}\t{kind}\t{STAMP}\t{cancelled}\t{N}\t{N}\t{rid}\t"
                               f"{school['id']}\n")
            return rid

        def case(case_type, school, rid, student_id, stage, on, reason, *, destination=None, end_on=None,
                 details="{}"):
            # Approved on ``on``, numbered by its id (unique whatever the year; the year's
            # counter is set above the highest, ``case_counters``), no revision: decided history.
            cid = self.next_id("case")
            self.case_counters[f"case:{on.year}"] = max(self.case_counters[f"case:{on.year}"], cid)
            opened = on - datetime.timedelta(days=14)
            cases.append(
                f"{cid}\tf\tf\tf\tf\tXJ{on.year}{cid:07d}\t{case_type}\tapproved\t"
                f"{'within' if destination else ''}\t\t\t{stage}\t{reason}\t\t{on}\t{end_on or N}\t{details}\t[]\t"
                f"{school['scope']}\t{destination['scope'] if destination else ''}\t{opened} 09:00:00+08\t"
                f"{opened} 10:00:00+08\t{on} 10:00:00+08\t{destination['id'] if destination else N}\t{rid}\t"
                f"{school['id']}\t{student_id}\n")

        for cls in classes:
            school, stage, cohort = cls["school"], cls["stage"], cls["cohort"]
            county = self.geo.counties[school["county"]]
            mix = _table(tuple(ethnic_mix(county.code).items()))
            # per class, not per pupil (five million of them)
            urban, full_name, area, place = county.is_urban, county.full_name, county.id_areas[0], self.places[county.code][0]
            household = "resident" if urban else "agricultural"
            for _ in range(cls["size"]):
                sid = self.next_id("student")
                gender = "M" if rng.random() < 0.52 else "F"
                age = ENTRY_AGE[stage] + (1 if rng.random() < 0.05 else 0)
                birth = datetime.date(cohort - age - 1, 9, 1) + datetime.timedelta(days=rng.randrange(365))
                ethnicity = mix.draw(rng)
                name = fast_child_name(rng, ethnicity, gender)
                pinyin, initials = _spelling(name)
                if rng.random() < SHARE_WITHOUT_ID:
                    id_number, number = N, self.j_number(county.code, birth, gender)
                else:
                    id_number = self.id_number(area, birth, gender)
                    number = "G" + id_number
                migrant = urban and rng.random() < 0.12
                township = rng.choice(county.townships)[1] if county.townships else county.name
                address = f"{full_name}{township}{rng.randint(1, 200)}号"
                # History: the earlier stage at a school of the county, and transfers.
                started_on = datetime.date(cohort, 9, 1)
                previous = PREVIOUS_STAGE.get(stage)
                if previous and rng.random() < SHARE_HISTORY and by_county_stage.get((county.code, previous)):
                    earlier = rng.choice(by_county_stage[(county.code, previous)])
                    begun = datetime.date(cohort - YEARS[previous], 9, 1)
                    registration(sid, earlier, previous, None, "graduated", begun, datetime.date(cohort, 7, 1),
                                 reason_close="毕业", cohort=cohort - YEARS[previous], current=school, number=number)
                if not cls["leavers"] and rng.random() < SHARE_TRANSFERRED:
                    others = [s for s in by_county_stage[(county.code, stage)] if s is not school]
                    if others:
                        origin = rng.choice(others)
                        moved = min(today, started_on + datetime.timedelta(days=rng.randrange(30, 700)))
                        left = registration(sid, origin, stage, None, "transferred_out", started_on, moved,
                                            reason_close="转出", cohort=cohort, current=school, number=number)
                        case("transfer", origin, left, sid, stage, moved, "relocation", destination=school)
                        started_on = moved + datetime.timedelta(days=1)
                status, ended, until = "active", None, None
                if cls["leavers"]:
                    status, ended = "graduated", datetime.date(year, 7, 1)
                else:
                    draw = rng.random()
                    if draw < SHARE_SUSPENDED:
                        status = "suspended"
                        # About a fifth are past their end: the dashboard's overdue panel.
                        until = today + datetime.timedelta(days=rng.randrange(-120, 330))
                    elif draw < SHARE_SUSPENDED + SHARE_DROPPED_OUT and stage in ("primary", "junior"):
                        status = "dropped_out"
                    elif draw < SHARE_SUSPENDED + SHARE_DROPPED_OUT + SHARE_ABROAD:
                        status = "abroad"
                current = registration(sid, school, stage, cls["id"], status, started_on, ended, until,
                                       reason_close="毕业" if ended else "", cohort=cohort)
                decided = min(today, started_on + datetime.timedelta(days=200))
                if status == "suspended":
                    case("suspension", school, current, sid, stage,
                         min(today, max(started_on, until - datetime.timedelta(days=180))), "illness", end_on=until)
                elif status == "dropped_out":
                    case("dropout", school, current, sid, stage, decided, "absent")
                elif status == "abroad":
                    case("study_abroad", school, current, sid, stage, decided, "", details='{"destination": "新加坡"}')
                students.append(
                    f"{sid}\t{number}\t{id_number}\t{name}\t{pinyin}\t{initials}\t\t{gender}\t{birth}\t{ethnicity}\t"
                    f"甘肃省{full_name}\t{household}\t"
                    f"甘肃省{address}\t{address}\t{'t' if migrant else 'f'}\t"
                    f"{'t' if not migrant and not urban and rng.random() < 0.1 else 'f'}\t\t{STAMP}\t"
                    f"{place}\t{school['id']}\t{current}\t{school['id']}\t{school['scope']}\n")
            done += cls["size"]
            if len(students) >= 20_000:
                self._flush(writer, students, registrations, events, numbers, cases)
            if done // 250_000 != (done - cls["size"]) // 250_000:
                log(f"  {done:,} 名学生({time.monotonic() - started:.0f} 秒)")
        self._flush(writer, students, registrations, events, numbers, cases)
        return done

    @staticmethod
    def _flush(writer, students, registrations, events, numbers, cases):
        for key, lines in (("student", students), ("registration", registrations), ("event", events),
                           ("aux", numbers), ("case", cases)):
            writer.write(key, lines)
            lines.clear()


# --- loading ----------------------------------------------------------------------------------
def postgres_defer_indexes():
    """Drop the big tables' secondary indexes and their unique and foreign-key constraints
    (committed: the COPY connections must not wait on these locks); return the statements that
    rebuild them, in two lists: unique constraints and indexes, then foreign keys."""
    indexes, foreign_keys, drops = [], [], []
    with connection.cursor() as cursor:
        # Rows written just before (townships, schools) leave deferred foreign-key checks pending
        # inside an open transaction, and PostgreSQL refuses ALTER TABLE while they are.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in BIG_TABLES:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')", [table])
            constraint_names = set()
            for name, definition, kind in cursor.fetchall():
                constraint_names.add(name)
                drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                if kind == "u":
                    indexes.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                else:  # added unchecked, then validated: a join instead of a trigger per row
                    foreign_keys.append((f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID',
                                         f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"'))
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_index x ON x.indexrelid = "
                "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass "
                "WHERE i.tablename = %s AND NOT x.indisprimary", [table])
            for name, definition in cursor.fetchall():
                if name not in constraint_names:
                    drops.append(f'DROP INDEX "{name}"')
                    indexes.append(definition)
        with transaction.atomic():
            for statement in drops:
                cursor.execute(statement)
    return indexes, foreign_keys


def generate(province, classes, schools, log, workers=2):
    """Generate the people and load them: on PostgreSQL in ``workers`` forked processes, each
    a share of the counties streaming into COPY connections of its own (the generation in
    Python is the longest step; the counties are independent, see ``Province.people``);
    elsewhere in this process. Returns ({table key: rows}, {counter prefix: last value})."""
    import multiprocessing

    blocks, sizes = province.county_blocks(classes)
    if connection.vendor != "postgresql" or workers < 2:
        writer = Writer()
        province.people(classes, schools, writer, log, blocks=blocks)
        writer.finish(log)
        return dict(writer.counts), {**province.aux_counters, **province.j_counters, **province.case_counters}
    # Counties sharing the area code of their ID numbers draw from one sequence counter: they
    # go to the same process (which generates them in the plan's order, as one process would).
    areas = defaultdict(list)
    for county in sizes:
        areas[province.geo.counties[county].id_areas[0]].append(county)
    shares, loads = [set() for _ in range(workers)], [0] * workers
    for area, counties in sorted(areas.items(), key=lambda item: (-sum(sizes[c] for c in item[1]), item[0])):
        emptiest = loads.index(min(loads))
        shares[emptiest].update(counties)
        loads[emptiest] += sum(sizes[c] for c in counties)
    context = multiprocessing.get_context("fork")  # the plan (schools, classes) is shared as it is
    running = []
    for share in shares:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_generate_share,
                                  args=(province, classes, schools, blocks, share, sender, log))
        process.start()
        sender.close()
        running.append((process, receiver))
    results = [receiver.recv() for _, receiver in running]
    for process, _ in running:
        process.join()
    failed = [r for r in results if r[0] != "ok"]
    if failed:
        raise RuntimeError(f"seed_province: a generating process failed: {failed[0][1]}")
    counts, counters = defaultdict(int), {}
    for _, share_counts, share_counters in results:
        for key, rows in share_counts.items():
            counts[key] += rows
        for prefix, value in share_counters.items():  # per county or school, but a year's cases: the highest
            counters[prefix] = max(counters.get(prefix, 0), value)
    return dict(counts), counters


def _generate_share(province, classes, schools, blocks, counties, sender, log):
    """A forked process: its counties into COPY connections of its own (never the parent's)."""
    try:
        writer = Writer()
        province.people(classes, schools, writer, log, blocks=blocks, counties=counties)
        writer.finish(log)
        sender.send(("ok", dict(writer.counts),
                     {**province.aux_counters, **province.j_counters, **province.case_counters}))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
        import traceback

        sender.send(("error", f"{error!r}\n{traceback.format_exc()}", None))


def _run_parallel(statements, workers, log):
    """Run statements over ``workers`` connections (index builds of one table may run side by side)."""
    import psycopg

    params = connection.get_connection_params()
    queue, errors, lock = list(statements), [], threading.Lock()

    def work():
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '256MB'")
            while True:
                with lock:
                    if not queue or errors:
                        return
                    item = queue.pop(0)
                try:
                    for statement in (item if isinstance(item, tuple) else (item,)):
                        conn.execute(statement)
                except Exception as error:  # noqa: BLE001 - re-raised in the caller's thread
                    errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _first_ids():
    from cases import models as m

    models = {"school": m.School, "class": m.SchoolClass, "student": m.Student, "registration": m.Registration,
              "event": m.RegistrationEvent, "aux": m.AuxiliaryNumber, "case": m.Case}
    return {key: (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            for key, model in models.items()}


def build(*, students, seed, today=None, log=print, workers=2):
    """Generate and load; returns ({table key: rows}, schools). The caller checks that the
    database holds no schools or students. On PostgreSQL the loading is not one transaction:
    the indexes are dropped first and rebuilt at the end."""
    from django.utils import timezone

    from cases.models import AuxiliaryNumberTemplate, Jurisdiction, SequenceCounter

    today = today or timezone.localdate()
    ensure_townships()
    places = {code: (pk, aux) for pk, code, aux in Jurisdiction.objects.values_list("id", "code", "auxiliary_code")}
    province = Province(students, seed, today, _first_ids(), places)
    postgres = connection.vendor == "postgresql"
    started = time.monotonic()
    if postgres:
        indexes, foreign_keys = postgres_defer_indexes()
    writer = Writer(stream=False)  # schools and classes, written at once
    schools = province.plan_schools()
    classes = province.plan_classes(schools)
    writer.write("school", province.school_lines(schools))
    writer.write("class", province.class_lines(classes))
    log(f"学校 {len(schools):,} 所,班级 {len(classes):,} 个")
    with transaction.atomic():
        counts, counters = generate(province, classes, schools, log, workers=workers)
        writer.counts.update(counts)
        log(f"生成并装载:{time.monotonic() - started:.0f} 秒")
        SequenceCounter.objects.bulk_create(
            [SequenceCounter(prefix=prefix, last_value=value) for prefix, value in counters.items()], batch_size=5000)
        for city in province.geo.cities:
            AuxiliaryNumberTemplate.objects.update_or_create(
                jurisdiction_id=places[city][0], defaults={"pattern": CITY_TEMPLATE})
        if postgres:
            with connection.cursor() as cursor:
                for table, _, _ in TABLES.values():
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    if postgres:
        rebuilt = time.monotonic()
        _run_parallel(indexes, workers, log)
        log(f"重建索引和唯一约束 {len(indexes)} 项:{time.monotonic() - rebuilt:.0f} 秒")
        rebuilt = time.monotonic()
        _run_parallel(foreign_keys, workers, log)
        log(f"外键 {len(foreign_keys)} 项(添加并校验):{time.monotonic() - rebuilt:.0f} 秒")
        # VACUUM as well as ANALYZE: the visibility map of rows just loaded is empty, and without
        # it every index-only scan (the search pages' keys, bounded counts) reads the table too.
        rebuilt = time.monotonic()
        _run_parallel([f"VACUUM (ANALYZE) {table}" for table, _, _ in TABLES.values()], workers, log)
        log(f"VACUUM ANALYZE:{time.monotonic() - rebuilt:.0f} 秒")
    return dict(writer.counts), schools


def seed_staff(schools, *, seed, password):
    """Staff of every unit through the staff service (one batch: cases.services.staff.
    staff_create_many): the province, each city and county (reviewer, some heads), and a
    registrar at one school in twenty. One password for all."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from cases.models import Jurisdiction, School
    from cases.services.staff import staff_create_many

    rng = random.Random(f"xueji-province-staff:{seed}")
    User = get_user_model()
    admin = User.objects.filter(username="admin").first() or User.objects.create_superuser(
        "admin", "admin@example.invalid", None, first_name="系统管理员")
    geo = load_geography()
    units = Jurisdiction.objects.in_bulk(["62", *geo.cities, *geo.counties], field_name="code")
    trained = datetime.date(2024, 8, 20)
    people = []

    def add(username, unit, role):
        people.append({"username": username, "full_name": child_name(rng, "汉族", rng.choice("MF")), "unit": unit,
                       "role": role, "trained_on": trained, "filed_on": trained + datetime.timedelta(days=10)})

    add("province", units["62"], "reviewer")
    add("province-head", units["62"], "head")
    for city in geo.cities:
        add(f"city-{city}", units[city], "reviewer")
    for county in geo.counties:
        add(f"county-{county}", units[county], "reviewer")
    chosen = sorted(s["code"] for s in schools[::20])
    for school in School.objects.filter(code__in=chosen).order_by("code"):
        add(f"school-{school.code}", school, "registrar")
    profiles = staff_create_many(acting_user=admin, people=people)
    users = {"admin": admin, **{p.user.username: p.user for p in profiles}}
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=make_password(password))  # one hash
    return users


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed_cases(users, *, seed, count):
    """Suspension cases in flight at the registrars' schools: half drafts, half submitted (with
    their evidence), all through the case services."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases.models import Registration, StaffProfile
    from cases.services.cases import case_create, case_submit, evidence_attach

    rng = random.Random(f"xueji-province-cases:{seed}")
    today = timezone.localdate()
    profiles = list(StaffProfile.objects.filter(school__isnull=False).select_related("user", "school").order_by("pk"))
    created, errors, taken = 0, [], set()
    for index in range(count):
        if not profiles:
            break
        profile = profiles[index % len(profiles)]
        candidates = [r for r in Registration.objects.filter(school=profile.school, status="active")
                      .select_related("student").order_by("pk")[:20] if r.pk not in taken]  # one case a student
        registration = rng.choice(candidates) if candidates else None
        taken.add(getattr(registration, "pk", None))
        if registration is None:
            continue
        user = profile.user
        try:
            with transaction.atomic():
                case = case_create(acting_user=user, case_type="suspension", school=profile.school,
                                   student=registration.student, reason="other", effective_on=today,
                                   end_on=today + datetime.timedelta(days=rng.randrange(60, 300)),
                                   reason_text="随父母外出务工")
                if index % 2:
                    for kind in ("parent_application", "suspension_proof"):
                        evidence_attach(acting_user=user, case=case, kind=kind,
                                        uploaded_file=SimpleUploadedFile(f"{kind}.pdf", PDF, "application/pdf"))
                    case_submit(acting_user=user, case=case)
            created += 1
        except (ValidationError, PermissionDenied) as error:  # said by the command, never silent
            errors.append(error)
    return created, errors


__all__ = ["build", "seed_staff", "seed_cases", "DEFAULT_COMPULSORY_TEMPLATE"]
