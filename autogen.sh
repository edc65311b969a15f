#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Generate ./configure. Needs autoconf, automake, libtool (scripts/install-deps).
set -e
cd "$(dirname "$0")"
autoreconf --force --install
# The TAP driver lets `make check` count cmocka cases one by one.
cp "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
