/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dlog.h: the daemon's log: one line per event on stderr, with a level,
 *
 *     level=warning msg="backend 10.200.1.2 of 10.0.0.10:80/tcp down: ..."
 *
 * prefixed with the syslog priority ("<4>") when stderr is the journal
 * ($JOURNAL_STREAM set, as systemd does), so journalctl shows and filters
 * the level (journalctl -p warning).
 */
#ifndef EF_DLOG_H
#define EF_DLOG_H

enum ef_dlog_level {
	EF_DLOG_ERR = 3,
	EF_DLOG_WARNING = 4,
	EF_DLOG_INFO = 6,
	EF_DLOG_DEBUG = 7,
};

void ef_dlog_init(int verbosity);

__attribute__((format(printf, 2, 3))) void ef_dlog(enum ef_dlog_level level, const char *fmt, ...);

#endif /* EF_DLOG_H */
