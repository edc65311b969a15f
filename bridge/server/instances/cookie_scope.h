/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cookie_scope - a Set-Cookie value from an instance's IDE, kept under the
 * instance's own /i/<id>/: a Path= inside it stays, a wider one becomes
 * /i/<id>/, none gets /i/<id>/, and Domain= goes (host-only). Otherwise an
 * IDE - code its user controls - could set cookies for the portal's API or
 * for other users' instances on the same origin. Pure; fuzzed.
 */
#ifndef OCTOPUS_COOKIE_SCOPE_H
#define OCTOPUS_COOKIE_SCOPE_H

/* The scoped value (malloc'd), or NULL when out of memory. */
char *cookie_scope(const char *set_cookie, const char *base);

#endif
