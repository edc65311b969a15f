dnl SPDX-License-Identifier: GPL-2.0-or-later
dnl OCTOPUS_REQUIRE_PKG(VAR, PKG-CONFIG-MODULE, DEBIAN-PACKAGE)
dnl A missing dependency stops configure and names the Debian package to install.
AC_DEFUN([OCTOPUS_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found ($$1_PKG_ERRORS): apt-get install $3 (or run scripts/install-deps)])])
])
