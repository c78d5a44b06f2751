// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log.c: verbosity-filtered messages and the one recorded error line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "util/log.h"

int ef_verbosity;

/* The recorded error, per thread: the daemon reads its file in a thread of
 * its own (daemon/loader.c). */
static _Thread_local char err_line[512];
static _Thread_local bool err_set;
static _Thread_local bool err_usage;

static void vlog(int level, const char *fmt, va_list ap)
{
	if (ef_verbosity < level)
		return;
	fputs("evenflow: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
}

void pr_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(1, fmt, ap);
	va_end(ap);
}

void pr_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(2, fmt, ap);
	va_end(ap);
}

/* libbpf and libxdp speak only at -vv: their warnings are noise for an
 * operator (every failed probe is one) and our own error says what failed. */
static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (ef_verbosity < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (ef_verbosity < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void ef_log_init(int verbosity)
{
	ef_verbosity = verbosity;
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
}

static void record(const char *fmt, va_list ap)
{
	if (err_set)
		return;
	vsnprintf(err_line, sizeof(err_line), fmt, ap);
	err_set = true;
}

int ef_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EIO;
}

int ef_usage(const char *fmt, ...)
{
	va_list ap;

	if (!err_set)
		err_usage = true;
	va_start(ap, fmt);
	record(fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *ef_err_msg(void)
{
	return err_set ? err_line : NULL;
}

bool ef_err_is_usage(void)
{
	return err_set && err_usage;
}

void ef_err_clear(void)
{
	err_set = false;
	err_usage = false;
	err_line[0] = '\0';
}
