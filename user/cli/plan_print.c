// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* plan_print.c: a plan (core/plan.h) as text or JSON, for apply. */
#include <stdio.h>

#include "cli/output.h"
#include "cli/plan_print.h"
#include "core/model.h"
#include "util/addr.h"

static const char *sign(__u8 change)
{
	switch (change) {
	case EF_PLAN_ADDED:
		return "+";
	case EF_PLAN_REMOVED:
		return "-";
	case EF_PLAN_CHANGED:
		return "~";
	default:
		return " ";
	}
}

static void print_backend(const struct ef_plan_backend *b)
{
	char a[EF_ADDR_STRLEN], w[24], s[24];

	out_obj_open(NULL);
	out_text("    %s", sign(b->change));
	out_str("addr", " %-40s", ef_addr_str(&b->addr, b->family, a, sizeof(a)));
	out_str("change", NULL, ef_plan_change_str(b->change));
	if (b->weight_before && b->weight_after && b->weight_before != b->weight_after)
		snprintf(w, sizeof(w), "%u -> %u", b->weight_before, b->weight_after);
	else
		snprintf(w, sizeof(w), "%u", b->weight_after ? b->weight_after : b->weight_before);
	if (b->state_before && b->state_after && b->state_before != b->state_after)
		snprintf(s, sizeof(s), "%s -> %s", ef_state_str(b->state_before),
			 ef_state_str(b->state_after));
	else
		snprintf(s, sizeof(s), "%s",
			 ef_state_str(b->state_after ? b->state_after : b->state_before));
	out_text(" %-14s %-14s", w, s);
	if (b->weight_before)
		out_u64("weight_before", NULL, b->weight_before);
	if (b->weight_after)
		out_u64("weight_after", NULL, b->weight_after);
	if (b->state_before)
		out_str("state_before", NULL, ef_state_str(b->state_before));
	if (b->state_after)
		out_str("state_after", NULL, ef_state_str(b->state_after));
	out_share("share_before", NULL, b->share_before);
	out_share("share_after", NULL, b->share_after);
	out_text(" %6.1f%% -> %5.1f%%\n", 100.0 * b->share_before, 100.0 * b->share_after);
	out_obj_close();
}

void ef_plan_print(const struct ef_plan *p)
{
	char vs[EF_VIP_STRLEN];
	size_t i, j;

	out_obj_open("plan");
	out_arr_open("vips");
	for (i = 0; i < p->n_vips; i++) {
		const struct ef_plan_vip *pv = &p->vips[i];

		out_obj_open(NULL);
		out_str("vip", "vip %s", ef_vip_str(&pv->key, vs, sizeof(vs)));
		out_str("change", " %s", ef_plan_change_str(pv->change));
		out_bool("settings_changed", NULL, pv->settings_changed);
		if (pv->settings_changed)
			out_text(" (settings)");
		out_u64("table_size_before", NULL, pv->size_before);
		out_u64("table_size_after", NULL, pv->size_after);
		if (pv->size_before != pv->size_after && pv->size_before && pv->size_after)
			out_text(": table %u -> %u", pv->size_before, pv->size_after);
		else
			out_text(": table %u", pv->size_after ? pv->size_after : pv->size_before);
		out_u64("up_before", NULL, pv->up_before);
		out_u64("up_after", NULL, pv->up_after);
		out_text(", backends up %zu -> %zu", pv->up_before, pv->up_after);
		out_double("moved", NULL, pv->moved);
		out_bool("moved_sampled", NULL, pv->moved_sampled);
		if (pv->change == EF_PLAN_CHANGED)
			out_text(", %.1f%% of slots move%s", 100.0 * pv->moved,
				 pv->moved_sampled ? " (sampled)" : "");
		out_text("\n      %-40s %-14s %-14s %s\n", "backend", "weight", "state",
			 "share before -> after");
		out_arr_open("backends");
		for (j = 0; j < pv->n_bes; j++)
			print_backend(&pv->bes[j]);
		out_arr_close();
		out_obj_close();
	}
	out_arr_close();
	out_u64("vips_unchanged", "%llu VIP(s) unchanged", p->n_same);
	out_u64("vips_touched", ", %llu to change\n", p->n_vips);
	out_arr_open("warnings");
	for (i = 0; i < p->n_warnings; i++)
		out_str(NULL, "warning: %s\n", p->warnings[i]);
	out_arr_close();
	out_obj_close();
}
