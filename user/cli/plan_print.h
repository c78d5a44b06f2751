/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* plan_print.h: printing a plan (apply's table of shares before and after). */
#ifndef EF_PLAN_PRINT_H
#define EF_PLAN_PRINT_H

#include "core/plan.h"

/* Prints the plan through output.h: object "plan" (text: one block per VIP). */
void ef_plan_print(const struct ef_plan *plan);

#endif /* EF_PLAN_PRINT_H */
