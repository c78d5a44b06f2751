/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * log.h: diagnostics of the CLI.
 *
 * pr_warn/pr_info/pr_debug go to stderr by verbosity (warn always, info at
 * -v, debug and libbpf/libxdp's own messages at -vv).
 *
 * Errors travel up as negative errno. The code that finds out what is wrong
 * (and so knows the bad input) records one line with ef_err() or
 * ef_usage(); main() prints it once, as "evenflow: <line>". The first record
 * wins: it is the most precise one.
 */
#ifndef EF_LOG_H
#define EF_LOG_H

#include <stdbool.h>

extern int ef_verbosity;

void ef_log_init(int verbosity);

__attribute__((format(printf, 1, 2))) void pr_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void pr_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void pr_debug(const char *fmt, ...);

/* Records "fmt..." as the error of this run (if none yet) and returns err. */
__attribute__((format(printf, 2, 3))) int ef_err(int err, const char *fmt, ...);
/* Same, and marks the failure as a usage error (exit status 2): returns -EINVAL. */
__attribute__((format(printf, 1, 2))) int ef_usage(const char *fmt, ...);

/* The recorded error line, or NULL. */
const char *ef_err_msg(void);
/* Whether the recorded error is a usage error. */
bool ef_err_is_usage(void);
/* Forgets the recorded error (tests). */
void ef_err_clear(void);

#endif /* EF_LOG_H */
