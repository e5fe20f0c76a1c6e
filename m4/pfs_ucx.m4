# PFS_CHECK_UCX: UCX's UCP layer (--with-ucx).
AC_DEFUN([PFS_CHECK_UCX],
    [_PFS_CHECK_DEP([UCX], [ucx], [ucx], [ucp/api/ucp.h], [ucp_am_send_nbx],
                    [-lucp -luct -lucs], [libucx-dev])])
