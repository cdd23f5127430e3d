"""Load GB/T 2260 divisions (the format of shared/data/divisions/*.csv)."""

import csv
import io

from django.db import transaction

from cases.audit import audit
from cases.errors import RuleError
from cases.models import Jurisdiction, Level

LEVEL_BY_LENGTH = {2: Level.PROVINCE, 4: Level.CITY, 6: Level.COUNTY, 9: Level.TOWNSHIP}
PARENT_LENGTH = {4: 2, 6: 4, 9: 6}


def read_divisions_csv(text: str) -> list[dict]:
    """Rows {code, name[, auxiliary_code]} from a divisions CSV; other columns are ignored
    because the parent follows from the code itself."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"code", "name"} <= set(reader.fieldnames):
        raise RuleError("divisions_columns", "区划文件须有 code 和 name 两列", field="file")
    rows = []
    for line, row in enumerate(reader, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if not code.isdigit() or len(code) not in LEVEL_BY_LENGTH or not name:
            raise RuleError(
                "divisions_row", f"第{line}行无效:区划代码应为2、4、6或9位数字且名称不能为空", field="file"
            )
        rows.append({"code": code, "name": name, "auxiliary_code": (row.get("auxiliary_code") or "").strip()})
    return rows


@transaction.atomic
def divisions_import(*, acting_user, rows):
    """Create or rename jurisdictions; parents must exist or come earlier in the same file.

    All or nothing: one bad row (unknown parent, code of the wrong province) changes nothing.
    """
    rows = sorted(rows, key=lambda r: (len(r["code"]), r["code"]))
    existing = {j.code: j for j in Jurisdiction.objects.filter(code__in=_codes_and_parents(rows))}
    created = updated = 0
    for row in rows:
        code = row["code"]
        parent = None
        if len(code) in PARENT_LENGTH:
            parent = existing.get(code[: PARENT_LENGTH[len(code)]])
            if parent is None:
                raise RuleError("divisions_parent_missing", f"区划 {code} {row['name']} 的上级区划不存在,请先导入上级区划", field="file")
        current = existing.get(code)
        if current is None:
            current = Jurisdiction.objects.create(
                code=code, name=row["name"], level=LEVEL_BY_LENGTH[len(code)], parent=parent,
                auxiliary_code=row.get("auxiliary_code", ""),
            )
            existing[code] = current
            created += 1
        elif current.name != row["name"] or (row.get("auxiliary_code") and current.auxiliary_code != row["auxiliary_code"]):
            current.name = row["name"]
            current.auxiliary_code = row.get("auxiliary_code") or current.auxiliary_code
            current.save(update_fields=["name", "auxiliary_code"])
            updated += 1
    if rows:
        top = existing[rows[0]["code"]]
        audit(top, "xueji.division.import", acting_user=acting_user, data={"created": created, "updated": updated})
    return {"created": created, "updated": updated}


def _codes_and_parents(rows):
    codes = set()
    for row in rows:
        code = row["code"]
        codes.add(code)
        if len(code) in PARENT_LENGTH:
            codes.add(code[: PARENT_LENGTH[len(code)]])
    return codes


@transaction.atomic
def jurisdiction_set_auxiliary_code(*, acting_user, jurisdiction, auxiliary_code):
    """第十条: the one-digit county code of the high-school auxiliary number, assigned by the
    city; unique among the counties of one city (two counties with one code would share numbers)."""
    jurisdiction = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    code = (auxiliary_code or "").strip()
    if code and (len(code) != 1 or not code.isdigit()):
        raise RuleError("auxiliary_code_format", "学籍辅号县码应为1位数字", field="auxiliary_code", article="第十条")
    if code and jurisdiction.level != "county":
        raise RuleError("auxiliary_code_level", "只有县(区)有学籍辅号县码", field="auxiliary_code", article="第十条")
    if code and Jurisdiction.objects.filter(level="county", code__startswith=jurisdiction.code[:4],
                                            auxiliary_code=code).exclude(pk=jurisdiction.pk).exists():
        raise RuleError("auxiliary_code_taken", "本市已有县(区)使用该县码", field="auxiliary_code", article="第十条")
    previous = jurisdiction.auxiliary_code
    jurisdiction.auxiliary_code = code
    jurisdiction.save(update_fields=["auxiliary_code"])
    audit(jurisdiction, "xueji.division.edit", acting_user=acting_user, data={"from": previous, "to": code})
    return jurisdiction

