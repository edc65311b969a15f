/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utf8_valid.h"

#include <stdlib.h>
#include <string.h>

/* the length of the valid sequence at s (at most n bytes), or 0 */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;

		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;

		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

size_t utf8_valid_size(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, k, bad = 0;

	for (i = 0; i < len; i += k ? k : 1)
		bad += !(k = seq_len(s + i, len - i));
	return len + 2 * bad;   /* each bad byte (1) becomes 3 */
}

int utf8_is_valid(const char *text, size_t len)
{
	return utf8_valid_size(text, len) == len;
}

void utf8_valid_copy(char *out, size_t size, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, o = 0, k;

	if (size == len) {      /* nothing to replace: most text */
		memcpy(out, text, len);
		out[len] = '\0';
		return;
	}
	for (i = 0; i < len; i += k ? k : 1) {
		if ((k = seq_len(s + i, len - i))) {
			memcpy(out + o, s + i, k);
			o += k;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
		}
	}
	out[o] = '\0';
}

char *utf8_valid_dup(const char *text, size_t len)
{
	size_t size = utf8_valid_size(text, len);
	char *out = malloc(size + 1);

	if (out)
		utf8_valid_copy(out, size, text, len);
	return out;
}
