/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * text.h: outside text made safe to print (arguments, file names, bytes read
 * from files or the network) on a terminal, in a log line or in JSON.
 */
#ifndef EF_TEXT_H
#define EF_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* in with valid printable UTF-8 kept and any other byte escaped as \xNN,
 * cut after max_chars characters ("..." then), into buf[len]: buf. */
const char *ef_text_escape(const char *in, size_t max_chars, char *buf, size_t len);
/* Would ef_text_escape change in (invalid UTF-8 or a control byte)? */
bool ef_text_needs_escape(const char *in);

#endif /* EF_TEXT_H */
