"""Every text the registry writes (rule messages, archive entries, job outcomes) gives dates in
the one form, 2026年3月2日. strftime's %m and %d pad with zeros (2026年03月02日), so no module
formats a date that way; cases.calendar.chinese_date writes it."""

import datetime
import re
from pathlib import Path

from cases.calendar import chinese_date

CASES = Path(__file__).resolve().parents[1] / "cases"


def test_chinese_date_has_no_zero_padding():
    assert chinese_date(datetime.date(2026, 3, 2)) == "2026年3月2日"
    assert chinese_date(None) == ""


def test_no_module_writes_a_zero_padded_chinese_date():
    padded = re.compile(r":%Y年%m月%d日\}")  # an f-string's format spec; input formats are lists, not this
    offenders = [f"{path.relative_to(CASES.parent)}:{number}" for path in CASES.rglob("*.py")
                 for number, line in enumerate(path.read_text().splitlines(), start=1) if padded.search(line)]
    assert offenders == []
