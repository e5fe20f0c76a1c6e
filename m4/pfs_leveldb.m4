# PFS_CHECK_LEVELDB: LevelDB's C API (--with-leveldb).  LevelDB ships no
# .pc file, so the header and leveldb_open are probed directly.
AC_DEFUN([PFS_CHECK_LEVELDB],
    [_PFS_CHECK_DEP([LEVELDB], [leveldb], [], [leveldb/c.h], [leveldb_open],
                    [-lleveldb], [libleveldb-dev])])
