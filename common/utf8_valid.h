/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * utf8_valid - a copy of text with every byte that is not part of valid
 * UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF)
 * replaced by U+FFFD. Slurm takes any bytes as a job name and slurmrestd
 * passes them on; the bridge keeps such a job in its list (one odd name
 * must not break everyone's list) and answers valid UTF-8. Pure.
 */
#ifndef OCTOPUS_UTF8_VALID_H
#define OCTOPUS_UTF8_VALID_H

#include <stddef.h>

/* 1 when len bytes of s are valid UTF-8 */
int utf8_is_valid(const char *s, size_t len);

/* malloc'd and NUL-terminated (len bytes of s, which need not be), or NULL */
char *utf8_valid_dup(const char *s, size_t len);

/* The same for a caller's buffer: utf8_valid_size says how many bytes the
 * copy takes (without its NUL), utf8_valid_copy writes them and the NUL. */
size_t utf8_valid_size(const char *s, size_t len);
void utf8_valid_copy(char *out, size_t size, const char *s, size_t len);

#endif
