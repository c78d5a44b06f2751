// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* opts.c: argument tables parsed and shown; see opts.h. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/text.h"

#define MAX_ROWS 32
/* getopt_long values: rows are VAL_ROW + their index */
#define VAL_PIN_DIR 0x80
#define VAL_ROW	    0x100

const struct ef_opt ef_global_opts[] = {
    {"json", NULL, EF_OPT_FLAG, 0, 0, 0, NULL, NULL, 0, "JSON output (-j)"},
    {"verbose", NULL, EF_OPT_FLAG, 0, 0, 0, NULL, NULL, 0,
     "more messages (-v); -vv: libbpf's and libxdp's too"},
    {"pin-dir", "DIR", EF_OPT_STR, 0, 0, 0, NULL, NULL, 0,
     "where the state lives (default $EVENFLOW_PIN_DIR, else /sys/fs/bpf/evenflow)"},
    {"help", NULL, EF_OPT_FLAG, 0, 0, 0, NULL, NULL, 0, "this help (-h)"},
    {"version", NULL, EF_OPT_FLAG, 0, 0, 0, NULL, NULL, 0,
     "the release and its flow-hash version, then exit (before OBJECT only)"},
    EF_OPT_END,
};

static bool is_end(const struct ef_opt *o)
{
	return !o->name && !o->metavar;
}

const char *ef_arg_show(const char *arg, char *buf, size_t len)
{
	return ef_text_escape(arg, EF_ARG_SHOWN, buf, len);
}

/* "--weight" or "vip": how an error names the row. */
static const char *label(const struct ef_opt *o, char *buf, size_t len)
{
	size_t i;

	if (o->name) {
		snprintf(buf, len, "--%s", o->name);
		return buf;
	}
	for (i = 0; o->metavar[i] && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)o->metavar[i]);
	buf[i] = '\0';
	return buf;
}

static int bad(const char *path, const struct ef_opt *o, const char *arg, const char *why)
{
	char l[32], a[EF_ARG_SHOWN * 4 + 8];

	return ef_usage("%s: %s %s: %s", path, label(o, l, sizeof(l)),
			ef_arg_show(arg, a, sizeof(a)), why);
}

static int set_number(const char *path, const struct ef_opt *o, const char *arg, void *field)
{
	char why[96], *end;
	double v;
	__u32 u;

	if (o->type == EF_OPT_U32) {
		if (ef_parse_u32(arg, (__u32)o->min, (__u32)o->max, &u)) {
			snprintf(why, sizeof(why), "must be a number in %.0f..%.0f", o->min,
				 o->max);
			return bad(path, o, arg, why);
		}
		*(unsigned *)field = u;
		return 0;
	}
	errno = 0;
	if (o->type == EF_OPT_U64) {
		unsigned long long n = strtoull(arg, &end, 10);

		if (errno || end == arg || *end || !isdigit((unsigned char)*arg) || n < o->min ||
		    (double)n > o->max) {
			snprintf(why, sizeof(why), "must be a number in %.0f..%.0f", o->min,
				 o->max);
			return bad(path, o, arg, why);
		}
		*(uint64_t *)field = n;
		return 0;
	}
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < o->min || v > o->max) {
		snprintf(why, sizeof(why), "must be a number from %g to %g", o->min, o->max);
		return bad(path, o, arg, why);
	}
	*(double *)field = v;
	return 0;
}

static int set_choice(const char *path, const struct ef_opt *o, const char *arg, void *field)
{
	char why[96] = "must be ";
	const struct ef_choice *c;

	for (c = o->choices; c->name; c++) {
		if (!strcmp(c->name, arg)) {
			*(int *)field = c->value;
			return 0;
		}
	}
	for (c = o->choices; c->name; c++)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s",
			 c == o->choices ? ""
			 : (c + 1)->name ? ", "
					 : " or ",
			 c->name);
	return bad(path, o, arg, why);
}

static int set_value(const char *path, const struct ef_opt *o, const char *arg, void *args)
{
	void *field = (char *)args + o->field;
	const char *why;

	switch (o->type) {
	case EF_OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case EF_OPT_U32:
	case EF_OPT_U64:
	case EF_OPT_NUM:
		return set_number(path, o, arg, field);
	case EF_OPT_STR:
		*(const char **)field = arg;
		return 0;
	case EF_OPT_CHOICE:
		return set_choice(path, o, arg, field);
	case EF_OPT_VIP:
		return ef_vip_parse(arg, field, &why) ? bad(path, o, arg, why) : 0;
	case EF_OPT_ADDR: {
		struct ef_arg_addr *a = field;

		return ef_addr_parse(arg, &a->addr, &a->family, &why) ? bad(path, o, arg, why) : 0;
	}
	case EF_OPT_ENDPOINT: {
		struct ef_arg_endpoint *e = field;

		return ef_endpoint_parse(arg, &e->addr, &e->family, &e->port, &why)
			   ? bad(path, o, arg, why)
			   : 0;
	}
	case EF_OPT_DEV:
		if (strlen(arg) >= IF_NAMESIZE || !if_nametoindex(arg))
			return bad(path, o, arg, "no such device");
		*(const char **)field = arg;
		return 0;
	case EF_OPT_CUSTOM:
		return o->parse(o, arg, field);
	}
	return -EINVAL;
}

/* getopt_long's table: the global options, then the rows' options. */
static int long_options(const struct ef_opt *opts, struct option *lo)
{
	size_t n = 0, i;

	lo[n++] = (struct option){"json", no_argument, NULL, 'j'};
	lo[n++] = (struct option){"verbose", no_argument, NULL, 'v'};
	lo[n++] = (struct option){"pin-dir", required_argument, NULL, VAL_PIN_DIR};
	lo[n++] = (struct option){"help", no_argument, NULL, 'h'};
	for (i = 0; opts && !is_end(&opts[i]); i++) {
		if (n >= MAX_ROWS)
			return -E2BIG;
		if (opts[i].name)
			lo[n++] = (struct option){opts[i].name,
						  opts[i].type == EF_OPT_FLAG ? no_argument
									      : required_argument,
						  NULL, VAL_ROW + (int)i};
	}
	lo[n] = (struct option){NULL, 0, NULL, 0};
	return 0;
}

static int getopt_error(const char *path, int c, char **argv)
{
	char a[EF_ARG_SHOWN * 4 + 8];

	if (c == ':')
		return ef_usage("%s: option '%s' needs a value", path,
				ef_arg_show(argv[optind - 1], a, sizeof(a)));
	if (optopt && optopt < VAL_PIN_DIR)
		return ef_usage("%s: unknown option '-%c'", path, optopt);
	return ef_usage("%s: unknown option '%s' (try '%s --help')", path,
			ef_arg_show(argv[optind - 1], a, sizeof(a)), path);
}

static int positionals(const struct ef_opt_set *set, const char *path, int argc, char **argv,
		       void *args)
{
	const struct ef_opt *o;
	char a[EF_ARG_SHOWN * 4 + 8];
	int arg = optind;

	for (o = set->opts; o && !is_end(o); o++) {
		if (o->name)
			continue;
		if (arg < argc && (o->flags & EF_OPT_MANY)) {
			while (arg < argc)
				if (set_value(path, o, argv[arg++], args))
					return -EINVAL;
		} else if (arg < argc) {
			if (set_value(path, o, argv[arg++], args))
				return -EINVAL;
		} else if (!(o->flags & EF_OPT_OPTIONAL)) {
			return ef_usage("%s: missing %s (try '%s --help')", path, o->metavar, path);
		}
	}
	if (arg < argc)
		return ef_usage("%s: unexpected argument '%s'", path,
				ef_arg_show(argv[arg], a, sizeof(a)));
	return 0;
}

int ef_opts_parse(const struct ef_opt_set *set, const char *path, struct ef_ctx *ctx, int argc,
		  char **argv, void *args)
{
	struct option lo[MAX_ROWS + 1];
	bool seen[MAX_ROWS] = {};
	const struct ef_opt *o;
	int c;

	if (long_options(set->opts, lo))
		return ef_err(-E2BIG, "%s: too many options in its table", path);
	optind = 0; /* glibc: 0 also resets its internal state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jvh", lo, NULL)) != -1) {
		if (c == 'j') {
			ctx->json = true;
		} else if (c == 'v') {
			ctx->verbose++;
		} else if (c == VAL_PIN_DIR) {
			ctx->pin_dir = optarg;
		} else if (c == 'h') {
			return 1;
		} else if (c >= VAL_ROW) {
			seen[c - VAL_ROW] = true;
			if (set_value(path, &set->opts[c - VAL_ROW], optarg, args))
				return -EINVAL;
		} else {
			return getopt_error(path, c, argv);
		}
	}
	for (o = set->opts; o && !is_end(o); o++)
		if ((o->flags & EF_OPT_REQUIRED) && !seen[o - set->opts])
			return ef_usage("%s: --%s %s is required", path, o->name, o->metavar);
	return positionals(set, path, argc, argv, args);
}

void ef_opts_usage_line(FILE *f, const struct ef_opt_set *set)
{
	const struct ef_opt *o;

	for (o = set->opts; o && !is_end(o); o++)
		if (!o->name)
			fprintf(f, (o->flags & EF_OPT_OPTIONAL) ? " [%s%s]" : " %s%s", o->metavar,
				(o->flags & EF_OPT_MANY) ? "..." : "");
	for (o = set->opts; o && !is_end(o); o++) {
		if (!o->name)
			continue;
		fprintf(f, (o->flags & EF_OPT_REQUIRED) ? " --%s" : " [--%s", o->name);
		if (o->metavar)
			fprintf(f, " %s", o->metavar);
		if (!(o->flags & EF_OPT_REQUIRED))
			fputc(']', f);
	}
}

/* The default of row o as text, "" if it has none worth showing. */
static const char *default_str(const struct ef_opt_set *set, const struct ef_opt *o, char *buf,
			       size_t len)
{
	const void *field = set->defaults ? (const char *)set->defaults + o->field : NULL;
	const struct ef_choice *c;

	buf[0] = '\0';
	if (!field)
		return buf;
	switch (o->type) {
	case EF_OPT_U32:
		if (*(const unsigned *)field)
			snprintf(buf, len, "%u", *(const unsigned *)field);
		break;
	case EF_OPT_U64:
		if (*(const uint64_t *)field)
			snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)field);
		break;
	case EF_OPT_NUM:
		if (*(const double *)field)
			snprintf(buf, len, "%g", *(const double *)field);
		break;
	case EF_OPT_STR:
		if (*(const char *const *)field)
			snprintf(buf, len, "%s", *(const char *const *)field);
		break;
	case EF_OPT_CHOICE:
		for (c = o->choices; c->name && !buf[0]; c++)
			if (c->value == *(const int *)field)
				snprintf(buf, len, "%s", c->name);
		break;
	default:
		break;
	}
	return buf;
}

void ef_opts_row(const struct ef_opt_set *set, const struct ef_opt *o, char *left, size_t llen,
		 char *right, size_t rlen)
{
	char def[64];
	size_t n;

	if (o->name)
		snprintf(left, llen, "--%s%s%s", o->name, o->metavar ? " " : "",
			 o->metavar ? o->metavar : "");
	else
		snprintf(left, llen, "%s", o->metavar);
	n = (size_t)snprintf(right, rlen, "%s", o->help ? o->help : "");
	default_str(set, o, def, sizeof(def));
	if (n < rlen && (o->type == EF_OPT_U32 || o->type == EF_OPT_U64))
		snprintf(right + n, rlen - n, " (%.0f..%.0f%s%s)", o->min, o->max,
			 def[0] ? ", default " : "", def);
	else if (n < rlen && o->type == EF_OPT_NUM)
		snprintf(right + n, rlen - n, " (%g..%g%s%s)", o->min, o->max,
			 def[0] ? ", default " : "", def);
	else if (n < rlen && def[0])
		snprintf(right + n, rlen - n, " (default %s)", def);
}

void ef_opts_help(FILE *f, const struct ef_opt_set *set)
{
	const struct ef_opt *o;

	for (o = set->opts; o && !is_end(o); o++) {
		char left[48], right[512];

		ef_opts_row(set, o, left, sizeof(left), right, sizeof(right));
		fprintf(f, "  %-22s %s\n", left, right);
	}
}

const struct ef_opt_set ef_no_args = {.opts = NULL};
