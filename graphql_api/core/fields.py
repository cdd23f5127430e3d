"""What every field of the API passes through, in one graphql-core middleware: graphql-core calls
a middleware for every field of every row (a page of 50 students is some 300 calls), so the
three rules share one layer rather than three, in this order:

1. its arguments, checked at the edge (core/edge.py): refused before anything runs;
2. the object it is resolved on, noted for the read log when it is a student's record
   (core/reads.py, 第三十八条);
3. what it returns, passed through the scope guard (core/guard.py): every join as the root.
"""

from .edge import check_arguments
from .guard import guarded
from .reads import note_read


class FieldMiddleware:
    def resolve(self, next_, root, info, **args):
        if args:
            check_arguments(args)
        note_read(root, info)
        return guarded(next_(root, info, **args), info)
