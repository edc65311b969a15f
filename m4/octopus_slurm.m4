dnl SPDX-License-Identifier: GPL-2.0-or-later
dnl OCTOPUS_SLURM
dnl Finds Slurm's public headers and libslurm, its plugin directory, and the
dnl internal-header tree (--with-slurm-source) that non-SPANK plugins need.
dnl Refuses a source tree whose release differs from the installed headers:
dnl a plugin's plugin_version must equal the daemon's SLURM_VERSION_NUMBER
dnl exactly (major.minor.micro) or the daemon refuses to load it.
AC_DEFUN([OCTOPUS_SLURM], [
  dnl --with-slurm=PREFIX: a Slurm installed from SchedMD's source
  dnl (scripts/slurm-build), not Debian's packages. Its headers, libslurm,
  dnl plugin directory and configuration directory come from PREFIX.
  AC_ARG_WITH([slurm],
    [AS_HELP_STRING([--with-slurm=PREFIX],
      [build for the Slurm installed in PREFIX (e.g. /opt/slurm-26.05 from scripts/slurm-build) instead of Debian's])],
    [slurm_prefix=$withval], [slurm_prefix=])
  AS_IF([test "x$slurm_prefix" = xyes || test "x$slurm_prefix" = xno], [slurm_prefix=])
  AS_IF([test -n "$slurm_prefix"], [
    AS_IF([test ! -f "$slurm_prefix/include/slurm/slurm_version.h"],
      [AC_MSG_ERROR([--with-slurm=$slurm_prefix: no include/slurm/slurm_version.h there; give the --prefix Slurm was installed with])])
    dnl -isystem, as /usr/include is for Debian's: -Werror judges our code, not slurm.h
    CPPFLAGS="-isystem $slurm_prefix/include $CPPFLAGS"
    LDFLAGS="-L$slurm_prefix/lib -Wl,-rpath,$slurm_prefix/lib $LDFLAGS"
  ])
  AC_SUBST([slurm_prefix])
  dnl where the tests find the release's version header and daemons
  AS_IF([test -n "$slurm_prefix"],
    [SLURM_VERSION_H=$slurm_prefix/include/slurm/slurm_version.h; SLURM_SBINDIR=$slurm_prefix/sbin],
    [SLURM_VERSION_H=/usr/include/slurm/slurm_version.h; SLURM_SBINDIR=/usr/sbin])
  AC_SUBST([SLURM_VERSION_H])
  AC_SUBST([SLURM_SBINDIR])

  AC_CHECK_HEADER([slurm/slurm.h], [],
    [AC_MSG_ERROR([slurm/slurm.h not found: apt-get install libslurm-dev])])
  AC_CHECK_HEADER([slurm/spank.h], [],
    [AC_MSG_ERROR([slurm/spank.h not found: apt-get install libslurm-dev])])
  AC_CHECK_LIB([slurm], [slurm_api_version], [SLURM_LIBS=-lslurm],
    [AC_MSG_ERROR([libslurm not found: apt-get install libslurm-dev])])
  AC_SUBST([SLURM_LIBS])

  AC_MSG_CHECKING([installed Slurm version])
  AC_COMPUTE_INT([SLURM_VERSION_NUMBER_DEC], [SLURM_VERSION_NUMBER],
    [#include <slurm/slurm_version.h>],
    [AC_MSG_ERROR([cannot read SLURM_VERSION_NUMBER from slurm/slurm_version.h])])
  SLURM_VERSION_NUMBER=`printf '0x%06x' $SLURM_VERSION_NUMBER_DEC`
  SLURM_VERSION_STRING=`printf '%d.%02d.%d' $(( SLURM_VERSION_NUMBER_DEC >> 16 )) \
      $(( (SLURM_VERSION_NUMBER_DEC >> 8) & 255 )) $(( SLURM_VERSION_NUMBER_DEC & 255 ))`
  AC_MSG_RESULT([$SLURM_VERSION_STRING])
  AC_SUBST([SLURM_VERSION_NUMBER])
  AC_SUBST([SLURM_VERSION_STRING])

  AC_ARG_WITH([slurm-plugindir],
    [AS_HELP_STRING([--with-slurm-plugindir=DIR],
      [where Slurm loads plugins from (default: the directory holding libslurmfull.so)])],
    [slurmplugindir=$withval], [slurmplugindir=])
  AS_IF([test -z "$slurmplugindir" && test -n "$slurm_prefix"], [
    for d in "$slurm_prefix/lib/slurm" "$slurm_prefix/lib64/slurm"; do
      AS_IF([test -f "$d/libslurmfull.so"], [slurmplugindir=$d; break])
    done
  ])
  AS_IF([test -z "$slurmplugindir"], [
    for d in /usr/lib/*/slurm-wlm /usr/lib/slurm-wlm /usr/lib64/slurm /usr/lib/slurm; do
      AS_IF([test -f "$d/libslurmfull.so"], [slurmplugindir=$d; break])
    done
  ])
  AS_IF([test -z "$slurmplugindir"],
    [AC_MSG_ERROR([Slurm plugin directory not found: apt-get install slurm-client, or pass --with-slurm-plugindir=DIR])])
  AC_MSG_CHECKING([Slurm plugin directory])
  AC_MSG_RESULT([$slurmplugindir])
  AC_SUBST([slurmplugindir])

  AC_ARG_WITH([slurm-confdir],
    [AS_HELP_STRING([--with-slurm-confdir=DIR], [Slurm configuration directory (default: /etc/slurm)])],
    [slurmconfdir=$withval],
    [AS_IF([test -n "$slurm_prefix"], [slurmconfdir=$slurm_prefix/etc], [slurmconfdir=/etc/slurm])])
  AC_SUBST([slurmconfdir])

  AC_ARG_WITH([slurm-source],
    [AS_HELP_STRING([--with-slurm-source=DIR],
      [source tree of the installed Slurm, as scripts/slurm-source or scripts/slurm-build leave it (default: look in /var/cache/octopus-slurm)])],
    [SLURM_SRC_DIR=$withval], [SLURM_SRC_DIR=])
  AS_IF([test -z "$SLURM_SRC_DIR"], [
    for d in /var/cache/octopus-slurm/*-* /var/cache/octopus-slurm/src/slurm-*; do
      AS_IF([test -f "$d/octopus-stubinc/config.h" && \
             grep -q "SLURM_VERSION_STRING \"$SLURM_VERSION_STRING\"" "$d/octopus-stubinc/config.h"],
            [SLURM_SRC_DIR=$d])
    done
  ])
  AS_IF([test -z "$SLURM_SRC_DIR"],
    [AC_MSG_ERROR([Slurm internal headers not found: run scripts/slurm-source and pass --with-slurm-source=DIR])])
  AC_MSG_CHECKING([Slurm source tree $SLURM_SRC_DIR])
  AS_IF([test ! -f "$SLURM_SRC_DIR/src/common/slurm_xlator.h" || \
         test ! -f "$SLURM_SRC_DIR/src/slurmctld/slurmctld.h"],
    [AC_MSG_ERROR([$SLURM_SRC_DIR is not a Slurm source tree (no src/common/slurm_xlator.h)])])
  AS_IF([test ! -f "$SLURM_SRC_DIR/octopus-stubinc/config.h"],
    [AC_MSG_ERROR([$SLURM_SRC_DIR has no octopus-stubinc/config.h: prepare it with scripts/slurm-source])])
  src_version=`sed -n 's/^ *Version:[[[:space:]]]*\([[0-9.]]*\).*/\1/p' "$SLURM_SRC_DIR/META" | head -n1`
  AS_IF([test "x$src_version" != "x$SLURM_VERSION_STRING"],
    [AC_MSG_ERROR([Slurm source tree is $src_version but the installed Slurm is $SLURM_VERSION_STRING; plugins must be built from the exact installed release: rerun scripts/slurm-source])])
  AS_IF([! grep -q "SLURM_VERSION_NUMBER $SLURM_VERSION_NUMBER\$" "$SLURM_SRC_DIR/octopus-stubinc/config.h"],
    [AC_MSG_ERROR([$SLURM_SRC_DIR/octopus-stubinc/config.h is not for $SLURM_VERSION_NUMBER: rerun scripts/slurm-source])])
  AC_MSG_RESULT([$src_version, matches])
  AC_SUBST([SLURM_SRC_DIR])

  dnl A GRES plugin compiles Slurm's gres_common.c into itself, as Debian's
  dnl gres_gpu.so does (it needs MAJOR_IN_SYSMACROS from the stub config.h).
  SLURM_GRES_COMMON_SRC=$SLURM_SRC_DIR/src/plugins/gres/common/gres_common.c
  AS_IF([test ! -f "$SLURM_GRES_COMMON_SRC"],
    [AC_MSG_ERROR([$SLURM_GRES_COMMON_SRC missing: the Slurm source tree is incomplete, rerun scripts/slurm-source])])
  AC_SUBST([SLURM_GRES_COMMON_SRC])

  dnl Internal headers go in as -isystem so that -Wextra -Werror judges our
  dnl code, not Slurm's. NDEBUG comes from the stub config.h (mandatory).
  SLURM_INTERNAL_CPPFLAGS="-DSLURM_PLUGIN_DEBUG -isystem $SLURM_SRC_DIR/octopus-stubinc -isystem $SLURM_SRC_DIR"
  AC_SUBST([SLURM_INTERNAL_CPPFLAGS])

  dnl Plugins: only the entry points are exported (-fvisibility=hidden plus
  dnl OCTOPUS_EXPORT), and every symbol is bound at dlopen (-z now) so that a
  dnl missing one stops the daemon at start instead of killing it at first use.
  PLUGIN_CFLAGS="-fvisibility=hidden -fPIC"
  PLUGIN_LDFLAGS="-module -avoid-version -shared -Wl,-z,now -Wl,-z,relro"
  AC_SUBST([PLUGIN_CFLAGS])
  AC_SUBST([PLUGIN_LDFLAGS])
])
