"""A guard against a reference-counting bug in the Qt bindings, on Python 3.11 only.

PySide6 6.12 on CPython 3.11 drops one reference to `None` each time an invalid QVariant is
handed to Python (`widget.property("unset")`, `index.data(role)` for a role the model leaves
empty...). CPython 3.12 made `None`, `True` and `False` immortal, so there the bug is harmless;
on 3.11 a long day at the desk could drive `None`'s count to zero and abort the process
("Fatal Python error: none_dealloc"). The UI avoids those reads, and this gives the three
singletons a cushion of references so that whatever Qt itself does can never free them.
tests/ui/test_qt_compat.py shows the bug and the guard.
"""

from __future__ import annotations

import ctypes
import sys

#: About four billion: more invalid-QVariant reads than a process can make in its lifetime.
CUSHION = 1 << 32
_DONE: list[bool] = []


def protect_singletons() -> None:
    if sys.version_info >= (3, 12) or _DONE or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        # CPython's PyObject starts with ob_refcnt (Py_ssize_t); raising it is exactly what 3.12
        # does to make these objects immortal.
        ctypes.c_ssize_t.from_address(id(singleton)).value += CUSHION
    _DONE.append(True)
