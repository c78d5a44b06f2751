// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_top.c: evenflow top: a full-screen live view (ncurses). One VIP at a
 * time, one row per backend: state (with + healthy, - unhealthy), weight,
 * rates, and a bar of the share of
 * new flows it actually takes with a marker '|' at the share its weight
 * gives it; '!' marks backends the detector flags (imbalance.h).
 * Keys: tab / right / down: next VIP; shift-tab / left / up: previous VIP;
 * s: next sort key; q: quit. Fits 80x24; follows resizes (KEY_RESIZE).
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/watch.h"
#include "core/model.h"
#include "core/snapshot.h"
#include "dp/pindir.h"
#include "util/log.h"

enum sort_key { SORT_ID, SORT_SHARE, SORT_RATE, SORT_ADDR, SORT_WEIGHT, SORT_MAX };
static const char *const sort_names[SORT_MAX] = {"id", "share", "new/s", "address", "weight"};

struct row {
	const struct ef_snap_backend *b;
	const struct ef_imb_result *r;
};

static enum sort_key sort_by;

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	double x = 0, y = 0;

	switch (sort_by) {
	case SORT_SHARE:
		x = a->r->actual;
		y = b->r->actual;
		break;
	case SORT_RATE:
		x = a->r->fps;
		y = b->r->fps;
		break;
	case SORT_ADDR:
		return strcmp(a->b->addr, b->b->addr);
	case SORT_WEIGHT:
		x = a->b->be.weight;
		y = b->b->be.weight;
		break;
	default:
		return a->b->id < b->b->id ? -1 : a->b->id > b->b->id;
	}
	/* largest first, then by id */
	if (x != y)
		return x < y ? 1 : -1;
	return a->b->id < b->b->id ? -1 : a->b->id > b->b->id;
}

/* [###   |   ] of width w: actual share filled, expected share marked. */
static void draw_bar(int y, int x, int w, double actual, double expected, bool flagged)
{
	int fill = (int)(actual * w + 0.5), mark = (int)(expected * w + 0.5), i;

	if (w < 3)
		return;
	if (mark >= w)
		mark = w - 1;
	mvaddch(y, x, '[');
	for (i = 0; i < w; i++) {
		chtype ch = i < fill ? '#' : ' ';

		if (i < fill && flagged && has_colors())
			ch |= COLOR_PAIR(1);
		if (i == mark)
			ch = '|' | A_BOLD;
		mvaddch(y, x + 1 + i, ch);
	}
	mvaddch(y, x + 1 + w, ']');
}

static void draw(const struct ef_snap *s, const struct ef_imb *imb, size_t sel, double window_s,
		 const char *msg)
{
	char b1[16], b2[16], b3[16];
	struct row *rows = NULL;
	size_t n = 0, i;
	int y = 0, wide = COLS >= 92, barw;
	const struct ef_snap_vip *v;
	const struct ef_imb_result *r0 = NULL;
	double pps = 0, bps = 0, fps = 0;

	erase();
	attron(A_BOLD);
	mvprintw(y, 0, "evenflow top");
	attroff(A_BOLD);
	if (!s || !s->n_vips) {
		mvprintw(y + 2, 0, "%s", msg ? msg : "no VIP configured");
		mvprintw(LINES - 1, 0, "q: quit");
		refresh();
		return;
	}
	v = &s->vips[sel];
	printw("  VIP %zu/%zu: %s", sel + 1, s->n_vips, v->name);
	rows = calloc(s->n_backends ? s->n_backends : 1, sizeof(*rows));
	for (i = 0; rows && i < s->n_backends; i++) {
		const struct ef_imb_result *r = ef_imb_find(imb, s->backends[i].id);

		if (s->backends[i].vip != sel || !r)
			continue;
		rows[n].b = &s->backends[i];
		rows[n++].r = r;
		r0 = r0 ? r0 : r;
		pps += r->pps;
		bps += r->bps;
		fps += r->fps;
	}
	y++;
	mvprintw(y++, 0, "%s pkt/s  %sbit/s  %s new/s   window %.0f s: %llu new flows%s",
		 ef_si(pps, b1, sizeof(b1)), ef_si(bps, b2, sizeof(b2)), ef_si(fps, b3, sizeof(b3)),
		 window_s, (unsigned long long)(r0 ? r0->vip_flows : 0),
		 r0 && !r0->judged ? " (too few to judge)" : "");
	if (ef_imb_vip_flagged(imb, v->vip.id)) {
		attron(A_BOLD | (has_colors() ? COLOR_PAIR(1) : 0));
		mvprintw(y, 0, "IMBALANCED: a backend takes more new flows than its weight says");
		attroff(A_BOLD | (has_colors() ? COLOR_PAIR(1) : 0));
	}
	y += 2;
	qsort(rows, n, sizeof(*rows), row_cmp);
	/* backend(17) state(6) weight(7) [pkt/s(7)] new/s(7) bit/s(7) share(7) expect(7) !(2) */
	barw = COLS - (17 + 6 + 7 + (wide ? 7 : 0) + 7 + 7 + 7 + 7 + 2) - 3;
	attron(A_UNDERLINE);
	mvprintw(y, 0, "%-16s %-5s %6s ", "backend", "state", "weight");
	if (wide)
		printw("%6s ", "pkt/s");
	printw("%6s %6s %6s %6s  ", "new/s", "bit/s", "share", "expect");
	if (barw >= 3)
		printw("%-*s", barw + 2, "actual # vs expected |");
	attroff(A_UNDERLINE);
	y++;
	for (i = 0; i < n; i++, y++) {
		const struct row *rw = &rows[i];

		if (y >= LINES - 2) {
			mvprintw(y, 0, "... %zu more (a taller terminal shows them)", n - i);
			break;
		}
		mvprintw(y, 0, "%-16.16s %-5.5s%c%6u ", rw->b->addr, ef_state_str(rw->b->be.state),
			 " +-"[rw->b->be.health % 3], rw -> b -> be.weight);
		if (wide)
			printw("%6s ", ef_si(rw->r->pps, b1, sizeof(b1)));
		printw("%6s %6s %5.1f%% %5.1f%% %c", ef_si(rw->r->fps, b2, sizeof(b2)),
		       ef_si(rw->r->bps, b3, sizeof(b3)), 100.0 * rw->r->actual,
		       100.0 * rw->r->expected, rw->r->flagged ? '!' : ' ');
		if (barw >= 3)
			draw_bar(y, getcurx(stdscr) + 1, barw, rw->r->actual, rw->r->expected,
				 rw->r->flagged);
	}
	if (!n)
		mvprintw(y, 0, "no backend");
	if (msg)
		mvprintw(LINES - 2, 0, "%.*s", COLS, msg);
	mvprintw(LINES - 1, 0, "%.*s", COLS,
		 "tab/arrows: VIP   s: sort   q: quit   state+ healthy, state- unhealthy");
	printw("   sort: %s", sort_names[sort_by]);
	refresh();
	free(rows);
}

static const struct ef_opt top_opts[] = {
    EF_INTERVAL_ROW("seconds between readings"),
    EF_IMB_ROWS,
    EF_OPT_END,
};

static const struct ef_watch_args top_defaults = {.imb = EF_IMB_CFG_DEFAULT, .interval_s = 1.0};
const struct ef_opt_set ef_top_args = EF_OPT_SET(top_opts, top_defaults);

/* The live view: the latest reading, the detector and what is selected. */
struct view {
	const char *pin_dir;
	const struct ef_watch_args *args;
	struct ef_snap s;
	struct ef_imb *imb;
	size_t sel;
	double next; /* when the next reading is due */
	char msg[256];
};

static bool setup_screen(void)
{
	setlocale(LC_ALL, "");
	if (!initscr())
		return false;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
	}
	return true;
}

/* A new reading when one is due: false if it is not due yet. */
static bool reading(struct view *v)
{
	double interval = v->args->interval_s;
	int err;

	if (ef_snap_now() < v->next)
		return false;
	v->next += interval;
	if (v->next < ef_snap_now())
		v->next = ef_snap_now() + interval;
	ef_snap_free(&v->s);
	ef_err_clear();
	v->msg[0] = 0;
	err = ef_snap_sample(v->pin_dir, &v->s, v->imb);
	if (err)
		snprintf(v->msg, sizeof(v->msg), "cannot read the data plane: %s",
			 ef_err_msg()	  ? ef_err_msg()
			 : err == -ENOENT ? "not loaded"
					  : strerror(-err));
	ef_err_clear();
	return true;
}

/* Acts on one key (ERR: the timeout): whether to draw again. */
static bool on_key(struct view *v, int key, volatile int *stop)
{
	size_t n = v->s.n_vips;

	switch (key) {
	case 'q':
	case 'Q':
		*stop = 1;
		return false;
	case '\t':
	case KEY_RIGHT:
	case KEY_DOWN:
		v->sel = n ? (v->sel + 1) % n : 0;
		return true;
	case KEY_BTAB:
	case KEY_LEFT:
	case KEY_UP:
		v->sel = n ? (v->sel + n - 1) % n : 0;
		return true;
	case 's':
	case 'S':
		sort_by = (sort_by + 1) % SORT_MAX;
		return true;
	case KEY_RESIZE:
		clear();
		return true;
	case ERR:
		return reading(v);
	default:
		return false;
	}
}

int cmd_top(const struct ef_ctx *ctx, const void *args)
{
	struct view v = {.pin_dir = ef_pin_dir(ctx->pin_dir), .args = args};
	volatile int *stop;
	int err;

	if (out_is_json())
		return ef_usage("top: a full-screen view has no JSON form (stats --interval S -j "
				"prints one JSON object per reading)");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return ef_err(-ENOTTY, "top: needs a terminal on standard input and output (stats "
				       "--interval S or check for scripts)");
	v.imb = ef_imb_new(&v.args->imb);
	if (!v.imb)
		return ef_err(-ENOMEM, "out of memory");
	/* Fail before taking the screen if there is nothing to show. */
	err = ef_watch_sample_needed(v.pin_dir, &v.s, v.imb, true);
	if (!err && !setup_screen())
		err = ef_err(-ENOTTY, "top: cannot set up the terminal");
	if (err) {
		ef_snap_free(&v.s);
		ef_imb_free(v.imb);
		return err;
	}
	stop = ef_watch_stop_on_signals();
	v.next = v.s.t + v.args->interval_s;
	draw(&v.s, v.imb, v.sel, v.args->imb.window_s, NULL);
	while (!*stop) {
		double left = v.next - ef_snap_now();

		timeout(left > 0 ? (int)(left * 1000) + 1 : 0);
		if (!on_key(&v, getch(), stop))
			continue;
		if (v.sel >= v.s.n_vips)
			v.sel = 0;
		draw(&v.s, v.imb, v.sel, v.args->imb.window_s, v.msg[0] ? v.msg : NULL);
	}
	endwin();
	ef_snap_free(&v.s);
	ef_imb_free(v.imb);
	return 0;
}
