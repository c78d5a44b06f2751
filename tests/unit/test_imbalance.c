// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_imbalance: the sliding-window imbalance detector (user/imbalance.c)
 * and the Prometheus exposition writer (user/metrics.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../select.h"

#include "core/imbalance.h"
#include "core/metrics.h"
#include "evenflow.h"

/* Three backends (ids 1..3) of VIP 0, with cumulative new flows. */
static void three(struct ef_imb_point p[3], uint64_t f1, uint64_t f2, uint64_t f3)
{
	const uint64_t f[3] = {f1, f2, f3};

	for (int i = 0; i < 3; i++)
		p[i] = (struct ef_imb_point){.vip_id = 0,
					     .backend_id = (uint32_t)i + 1,
					     .weight = 1,
					     .state = EF_BE_UP,
					     .packets = 10 * f[i],
					     .bytes = 1000 * f[i],
					     .new_flows = f[i]};
}

static const struct ef_imb_result *res(const struct ef_imb *imb, uint32_t id)
{
	const struct ef_imb_result *r = ef_imb_find(imb, id);

	assert_non_null(r);
	return r;
}

static void test_defaults(void **state)
{
	struct ef_imb_cfg c;

	(void)state;
	ef_imb_cfg_default(&c);
	assert_true(c.factor == 2.0 && c.margin == 0.20 && c.min_flows == 100 &&
		    c.window_s == 10.0);
	c.factor = 0.5;
	assert_null(ef_imb_new(&c));
}

static void test_balanced_is_not_flagged(void **state)
{
	struct ef_imb *imb = ef_imb_new(NULL);
	struct ef_imb_point p[3];

	(void)state;
	three(p, 0, 0, 0);
	assert_int_equal(ef_imb_add(imb, 0, p, 3), 0);
	three(p, 100, 110, 90);
	assert_int_equal(ef_imb_add(imb, 5, p, 3), 0);
	for (uint32_t id = 1; id <= 3; id++) {
		assert_true(res(imb, id)->judged);
		assert_false(res(imb, id)->flagged);
		assert_true(res(imb, id)->expected > 0.333 && res(imb, id)->expected < 0.334);
	}
	assert_int_equal(res(imb, 2)->flows, 110);
	assert_int_equal(res(imb, 2)->vip_flows, 300);
	/* rates over the last step */
	assert_true(res(imb, 1)->fps == 20.0);
	assert_true(res(imb, 1)->pps == 200.0);
	assert_true(res(imb, 1)->bps == 8 * 1000 * 100 / 5.0);
	assert_false(ef_imb_vip_flagged(imb, 0));
	ef_imb_free(imb);
}

static void test_one_takes_all_then_recovers(void **state)
{
	struct ef_imb *imb = ef_imb_new(NULL);
	struct ef_imb_point p[3];

	(void)state;
	three(p, 1000, 1000, 1000);
	assert_int_equal(ef_imb_add(imb, 0, p, 3), 0);
	three(p, 1000, 1300, 1000);
	assert_int_equal(ef_imb_add(imb, 3, p, 3), 0);
	assert_true(res(imb, 2)->flagged);
	assert_true(res(imb, 2)->changed);
	assert_true(res(imb, 2)->actual == 1.0);
	assert_true(res(imb, 2)->since == 3.0);
	assert_false(res(imb, 1)->flagged);
	assert_true(ef_imb_vip_flagged(imb, 0));
	/* still bad: the flag stays, not changed, same since */
	three(p, 1000, 1600, 1000);
	assert_int_equal(ef_imb_add(imb, 6, p, 3), 0);
	assert_true(res(imb, 2)->flagged);
	assert_false(res(imb, 2)->changed);
	assert_true(res(imb, 2)->since == 3.0);
	/* balanced again for longer than the window: cleared */
	three(p, 1400, 2000, 1400);
	assert_int_equal(ef_imb_add(imb, 12, p, 3), 0);
	three(p, 1800, 2400, 1800);
	assert_int_equal(ef_imb_add(imb, 17, p, 3), 0);
	assert_false(res(imb, 2)->flagged);
	assert_true(res(imb, 2)->changed);
	assert_false(ef_imb_vip_flagged(imb, 0));
	ef_imb_free(imb);
}

static void test_min_flows(void **state)
{
	struct ef_imb *imb = ef_imb_new(NULL);
	struct ef_imb_point p[3];

	(void)state;
	three(p, 0, 0, 0);
	ef_imb_add(imb, 0, p, 3);
	three(p, 0, 99, 0);
	ef_imb_add(imb, 1, p, 3);
	assert_false(res(imb, 2)->judged);
	assert_false(res(imb, 2)->flagged);
	three(p, 0, 100, 0);
	ef_imb_add(imb, 2, p, 3);
	assert_true(res(imb, 2)->judged);
	assert_true(res(imb, 2)->flagged);
	ef_imb_free(imb);
}

/* Factor and margin, each alone. */
static void test_factor_and_margin(void **state)
{
	struct ef_imb_cfg c;
	struct ef_imb *imb;
	struct ef_imb_point p[2] = {
	    {.backend_id = 1, .weight = 9, .state = EF_BE_UP},
	    {.backend_id = 2, .weight = 1, .state = EF_BE_UP},
	};

	(void)state;
	ef_imb_cfg_default(&c);
	imb = ef_imb_new(&c);
	ef_imb_add(imb, 0, p, 2);
	/* expected 90% / 10%; backend 2 gets 25%: 2.5x, only 15 points over */
	p[0].new_flows = 750;
	p[1].new_flows = 250;
	ef_imb_add(imb, 1, p, 2);
	assert_true(res(imb, 2)->flagged);
	assert_false(res(imb, 1)->flagged);
	ef_imb_free(imb);

	/* factor high: now only the margin counts; 15 points is inside */
	c.factor = 100;
	imb = ef_imb_new(&c);
	p[0].new_flows = p[1].new_flows = 0;
	ef_imb_add(imb, 0, p, 2);
	p[0].new_flows = 750;
	p[1].new_flows = 250;
	ef_imb_add(imb, 1, p, 2);
	assert_false(res(imb, 2)->flagged);
	/* over the window (0..2) 700 of 1700, 41%: 31 points over, flagged by the margin */
	p[0].new_flows = 750 + 250;
	p[1].new_flows = 250 + 450;
	ef_imb_add(imb, 2, p, 2);
	assert_true(res(imb, 2)->flagged);
	ef_imb_free(imb);
}

/* drain/down expect nothing; weights of UP backends only. */
static void test_states(void **state)
{
	struct ef_imb *imb = ef_imb_new(NULL);
	struct ef_imb_point p[3];

	(void)state;
	three(p, 0, 0, 0);
	p[2].state = EF_BE_DRAIN;
	ef_imb_add(imb, 0, p, 3);
	three(p, 100, 100, 0);
	p[2].state = EF_BE_DRAIN;
	ef_imb_add(imb, 1, p, 3);
	assert_true(res(imb, 1)->expected == 0.5);
	assert_true(res(imb, 3)->expected == 0.0);
	assert_false(res(imb, 3)->flagged);
	/* a drained backend that still gets new flows is flagged */
	three(p, 200, 200, 100);
	p[2].state = EF_BE_DRAIN;
	ef_imb_add(imb, 2, p, 3);
	assert_true(res(imb, 3)->flagged);
	ef_imb_free(imb);
}

/* A configuration change restarts the VIP's window. */
static void test_config_change_restarts_window(void **state)
{
	struct ef_imb *imb = ef_imb_new(NULL);
	struct ef_imb_point p[3];

	(void)state;
	three(p, 0, 0, 0);
	ef_imb_add(imb, 0, p, 3);
	three(p, 300, 0, 0);
	ef_imb_add(imb, 1, p, 3);
	assert_true(res(imb, 1)->flagged);
	three(p, 300, 0, 0);
	p[1].weight = 5;
	ef_imb_add(imb, 2, p, 3);
	assert_false(res(imb, 1)->judged);
	assert_false(res(imb, 1)->flagged);
	assert_true(res(imb, 1)->span_s == 0.0);
	three(p, 320, 1000, 340);
	p[1].weight = 5;
	ef_imb_add(imb, 3, p, 3);
	assert_true(res(imb, 1)->span_s == 1.0);
	assert_int_equal(res(imb, 2)->flows, 1000);
	assert_false(ef_imb_vip_flagged(imb, 0));
	ef_imb_free(imb);
}

/* The window slides: old flows fall out. A counter reset is not negative. */
static void test_window_slides(void **state)
{
	struct ef_imb_cfg c;
	struct ef_imb *imb;
	struct ef_imb_point p[3];

	(void)state;
	ef_imb_cfg_default(&c);
	c.window_s = 2;
	imb = ef_imb_new(&c);
	three(p, 0, 0, 0);
	ef_imb_add(imb, 0, p, 3);
	three(p, 0, 500, 0);
	ef_imb_add(imb, 1, p, 3);
	three(p, 100, 600, 100);
	ef_imb_add(imb, 2, p, 3);
	assert_true(res(imb, 2)->flagged); /* 0..2: 600 of 800 */
	three(p, 200, 700, 200);
	ef_imb_add(imb, 3, p, 3);
	assert_false(res(imb, 2)->flagged); /* 1..3: 200 of 600 */
	assert_int_equal(res(imb, 2)->flows, 200);
	three(p, 200, 5, 200);
	ef_imb_add(imb, 4, p, 3);
	assert_int_equal(res(imb, 2)->flows, 5);
	assert_int_equal(ef_imb_add(imb, 3.5, p, 3), -EINVAL);
	ef_imb_free(imb);
}

static void test_two_vips_independent(void **state)
{
	struct ef_imb *imb = ef_imb_new(NULL);
	struct ef_imb_point p[4] = {
	    {.vip_id = 7, .backend_id = 10, .weight = 1, .state = EF_BE_UP},
	    {.vip_id = 3, .backend_id = 20, .weight = 1, .state = EF_BE_UP},
	    {.vip_id = 7, .backend_id = 11, .weight = 1, .state = EF_BE_UP},
	    {.vip_id = 3, .backend_id = 21, .weight = 1, .state = EF_BE_UP},
	};
	const struct ef_imb_result *r;

	(void)state;
	ef_imb_add(imb, 0, p, 4);
	p[0].new_flows = 500;
	p[1].new_flows = 100;
	p[2].new_flows = 0;
	p[3].new_flows = 100;
	ef_imb_add(imb, 1, p, 4);
	assert_true(ef_imb_vip_flagged(imb, 7));
	assert_false(ef_imb_vip_flagged(imb, 3));
	/* sorted by VIP, then backend */
	assert_int_equal(ef_imb_results(imb, &r), 4);
	assert_int_equal(r[0].backend_id, 20);
	assert_int_equal(r[3].backend_id, 11);
	ef_imb_free(imb);
}

static void test_metrics_text(void **state)
{
	struct ef_snap_vip v = {.vip = {.id = 0}, .traffic = {10, 2000, 3}};
	struct ef_snap_backend b[2] = {
	    {.id = 1, .vip = 0, .be = {.weight = 1, .state = EF_BE_UP}, .traffic = {10, 2000, 3}},
	    {.id = 2, .vip = 0, .be = {.weight = 2, .state = EF_BE_DRAIN}},
	};
	struct ef_attached dev = {.name = "eth0", .mode = XDP_MODE_NATIVE};
	struct ef_snap s = {.vips = &v,
			    .n_vips = 1,
			    .backends = b,
			    .n_backends = 2,
			    .devices = &dev,
			    .n_devices = 1};
	struct ef_imb *imb = ef_imb_new(NULL);
	double started = 0;
	char *at;
	struct ef_imb_point p[2] = {
	    {.backend_id = 1, .weight = 1, .state = EF_BE_UP, .new_flows = 3},
	    {.backend_id = 2, .weight = 2, .state = EF_BE_DRAIN},
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	strcpy(v.name, "10.0.0.10:80/tcp");
	strcpy(b[0].addr, "10.200.1.2");
	strcpy(b[1].addr, "a\"b\\c");
	ef_imb_add(imb, 0, p, 2);
	assert_int_equal(ef_metrics_write(f, &s, imb, 10), 0);
	fclose(f);
	assert_non_null(strstr(buf, "# TYPE evenflow_backend_new_flows_total counter\n"));
	assert_non_null(strstr(
	    buf,
	    "evenflow_backend_new_flows_total{vip=\"10.0.0.10:80/tcp\",backend=\"10.200.1.2\"} "
	    "3\n"));
	assert_non_null(
	    strstr(buf, "evenflow_backend_state{vip=\"10.0.0.10:80/tcp\",backend=\"a\\\"b\\\\c\","
			"state=\"drain\"} 1\n"));
	assert_non_null(strstr(buf, "evenflow_backend_expected_share{vip=\"10.0.0.10:80/tcp\","
				    "backend=\"10.200.1.2\"} 1.000000\n"));
	assert_non_null(strstr(buf, "evenflow_vip_imbalanced{vip=\"10.0.0.10:80/tcp\"} 0\n"));
	assert_non_null(strstr(buf, "evenflow_verdicts_total{verdict=\"fwd_tx\"} 0\n"));
	assert_non_null(strstr(buf, "evenflow_dataplane_devices 1\n"));
	assert_non_null(
	    strstr(buf, "evenflow_dataplane_device_info{device=\"eth0\",mode=\"native\"} 1\n"));
	/* this process started after the boot and at most now */
	at = strstr(buf, "\nprocess_start_time_seconds ");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "\nprocess_start_time_seconds %lf", &started), 1);
	assert_true(started > (double)time(NULL) - 3600 && started <= (double)time(NULL) + 1);
	free(buf);

	/* no data plane: one gauge */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(ef_metrics_write(f, NULL, NULL, 10), 0);
	fclose(f);
	assert_non_null(strstr(buf, "evenflow_dataplane_loaded 0\n"));
	assert_null(strstr(buf, "evenflow_verdicts_total"));
	free(buf);
	ef_imb_free(imb);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_balanced_is_not_flagged),
	    cmocka_unit_test(test_one_takes_all_then_recovers),
	    cmocka_unit_test(test_min_flows),
	    cmocka_unit_test(test_factor_and_margin),
	    cmocka_unit_test(test_states),
	    cmocka_unit_test(test_config_change_restarts_window),
	    cmocka_unit_test(test_window_slides),
	    cmocka_unit_test(test_two_vips_independent),
	    cmocka_unit_test(test_metrics_text),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
