"""第三十八条 for the API: which students' records a request read, logged once per request.

The API's field middleware (core/fields.py) notes every Student, Guardian and ArchiveEntry
whose fields are resolved (objects only reach resolvers after the scope checks of their own
field, so these are exactly the records returned); after execution ``log_reads`` writes them with one INSERT per
door through ``student_reads_record``.
"""

from cases import models as m
from cases.services.reads import student_reads_record


class Reads:
    def __init__(self):
        self.students, self.archives, self.fields = set(), set(), set()
        self.loaded = {}


def reads_of(request):
    if not hasattr(request, "xueji_reads"):
        request.xueji_reads = Reads()
    return request.xueji_reads


_READ = (m.Student, m.Guardian, m.ArchiveEntry)


def note_read(root, info):
    """Note ``root`` (the object a field is resolved on) if it is a student's record."""
    if isinstance(root, _READ):
        reads = reads_of(info.context)
        if isinstance(root, m.Student):
            reads.loaded[root.pk] = root  # its scope_code is written with the read, no query
            reads.students.add(root.pk)
            reads.fields.add(info.field_name)
        elif isinstance(root, m.Guardian):
            reads.students.add(root.student_id)
            reads.fields.add("guardians")
        else:
            reads.archives.add(root.student_id)


def log_reads(request):
    reads = getattr(request, "xueji_reads", None)
    if reads is None:
        return
    if reads.students:
        student_reads_record(acting_user=request.user, students=[reads.loaded.get(pk, pk) for pk in reads.students],
                             door=m.ReadDoor.GRAPHQL,
                             what="字段:" + ",".join(sorted(reads.fields)))
    if reads.archives:
        student_reads_record(acting_user=request.user, students=reads.archives, door=m.ReadDoor.GRAPHQL_ARCHIVE,
                             what="档案条目")
    del request.xueji_reads
