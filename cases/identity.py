"""A person's identity for the duplicate check (第十一条): names normalised before they are
stored or compared, and a lock the database holds on the identity key of a person without
an ID number, so two registrations of one person at the same moment yield one student.

Names reach us from keyboards, spreadsheets and other provinces' systems: full-width letters,
zero-width spaces and byte-order marks, the ideographic space, and half a dozen "middle dots"
in names such as 阿依古丽·买买提. Unicode NFKC folds the compatibility forms; what it leaves
(format characters, dot variants, runs of spaces) is folded here.
"""

import functools
import hashlib
import re
import unicodedata

from django.db import connection
from pypinyin import lazy_pinyin

NAME_MAX_LENGTH = 50
NAME_DOT = "\u00b7"  # the middle dot of the national standard for transliterated names
# Dots people type between the parts of a name (after NFKC, which already maps U+FF65 → U+30FB).
_DOTS = re.compile("[\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\u318d\u16eb\u2e31\u02d1\u05bc\u0701.\uff0e\u3002]")
_SPACES = re.compile(r"\s+")
_AROUND_DOT = re.compile(rf"\s*{NAME_DOT}\s*")


class InvalidName(ValueError):
    """A name that cannot be stored: ``code`` and a Chinese ``message``."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def normalize_name(name):
    """The stored form of a name: NFKC, invisible characters removed, one kind of middle dot,
    no leading/trailing space and single spaces inside. Idempotent."""
    text = unicodedata.normalize("NFKC", name or "")
    # Format characters (Cf: zero-width space/joiners, BOM, soft hyphen, bidi marks) are
    # invisible; a variation selector (Mn, U+FE00–FE0F, U+E0100–E01EF) changes no identity.
    text = "".join(c for c in text if unicodedata.category(c) != "Cf" and not _is_variation_selector(c))
    text = _DOTS.sub(NAME_DOT, text)
    text = _AROUND_DOT.sub(NAME_DOT, _SPACES.sub(" ", text)).strip(f" {NAME_DOT}")
    return text


def _is_variation_selector(char):
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def validate_name(name):
    """The normalised name, or ``InvalidName`` for what no register holds (control characters
    such as NUL, over-long names)."""
    text = normalize_name(name)
    if not text:
        raise InvalidName("name_required", "姓名不能为空")
    if any(unicodedata.category(c) in {"Cc", "Cs", "Co", "Cn"} for c in text):
        raise InvalidName("name_invalid_character", "姓名含有无法识别的字符(控制字符或未分配字符)")
    if len(text) > NAME_MAX_LENGTH:
        raise InvalidName("name_too_long", f"姓名不能超过{NAME_MAX_LENGTH}个字符")
    return text


def spelled(text, style=None):
    """lazy_pinyin of ``text`` joined: character by character (each cached) unless part of the
    text is a phrase of pypinyin's dictionary (a 多音字 read in context), which goes through
    the full conversion. The two agree on every phrase-free name tried (150,000 random names
    over the CJK block, with Latin letters, digits, dots and spaces); the per-character path
    costs a tenth, which counts in an intake of ten thousand names."""
    from pypinyin import Style
    from pypinyin.constants import PHRASES_DICT

    style = Style.NORMAL if style is None else style
    if any(text[i:j] in PHRASES_DICT for i in range(len(text)) for j in range(i + 2, min(len(text), i + 10) + 1)):
        return "".join(lazy_pinyin(text, style=style))
    return "".join(_spelled_char(char, style) for char in text)


@functools.lru_cache(maxsize=32768)
def _spelled_char(char, style):
    return "".join(lazy_pinyin(char, style=style))


@functools.lru_cache(maxsize=65536)
def name_pinyin(name):
    """Tone-less pinyin of the normalised name, spaces and dots ignored: 张玮 and 张伟 meet
    here, so a typo does not hide a duplicate. A character pypinyin does not know (a rare
    Extension B character) stands for itself. Cached (a pure function of the text; an intake
    of 10,000 asks it several times per row)."""
    return spelled(normalize_name(name).replace(NAME_DOT, "").replace(" ", "")).lower()


def identity_key(name, gender, birth_date):
    """What the duplicate check of a person without an ID number compares."""
    return f"{name_pinyin(name)}|{gender}|{birth_date:%Y%m%d}"


# Advisory locks live in PostgreSQL's shared lock table (max_locks_per_transaction ×
# max_connections entries), so keys are hashed into a bounded number of buckets: a school's
# intake of 10,000 takes at most this many locks; two unrelated people sharing a bucket only
# wait for each other's (short) transaction.
LOCK_NAMESPACE = 1_106_011  # "第十一条": our advisory locks, apart from anyone else's
LOCK_BUCKETS = 1024


def lock_identities(keys):
    """Hold, until the transaction ends, the database's lock on each identity key, so that the
    duplicate check that follows sees every committed registration of the same person and no
    other transaction can register them meanwhile. Taken in sorted order (no deadlock between
    two intakes). SQLite serialises writing transactions already (BEGIN IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return
    buckets = sorted({int.from_bytes(hashlib.sha256(k.encode()).digest()[:4], "big") % LOCK_BUCKETS for k in keys})
    if not buckets:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, b)) FROM (SELECT b FROM unnest(%s::int[]) AS b ORDER BY b) AS s",
            [LOCK_NAMESPACE, buckets],
        )
