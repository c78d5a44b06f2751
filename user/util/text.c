// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* text.c: outside text made safe to print; see text.h. */
#include <stdio.h>
#include <string.h>

#include "util/text.h"

/* Length of the valid UTF-8 sequence of 2 to 4 bytes at s, 0 if invalid
 * (overlong, a surrogate, past U+10FFFF) or a C1 control (U+0080..U+009F,
 * which terminals take as escapes). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;

	if (s[0] < 0xc2 || s[0] > 0xf4 || (s[0] == 0xc2 && s[1] < 0xa0) ||
	    (s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Bytes of the character at s kept as they are: 0 if it needs escaping. */
static size_t kept_len(const unsigned char *s)
{
	if (*s >= 0x80)
		return utf8_len(s);
	return *s >= 0x20 && *s < 0x7f ? 1 : 0;
}

const char *ef_text_escape(const char *in, size_t max_chars, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, shown = 0;

	while (*s && o + 8 < len) {
		size_t n = kept_len(s);

		if (shown == max_chars) {
			o += (size_t)snprintf(buf + o, len - o, "...");
			break;
		}
		if (n) {
			memcpy(buf + o, s, n);
			o += n;
			s += n;
		} else {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *s++);
		}
		shown++;
	}
	buf[o] = '\0';
	return buf;
}

bool ef_text_needs_escape(const char *in)
{
	const unsigned char *s = (const unsigned char *)in;

	while (*s) {
		size_t n = kept_len(s);

		if (!n)
			return true;
		s += n;
	}
	return false;
}
