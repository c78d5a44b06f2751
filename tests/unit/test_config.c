// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_config: the YAML configuration file (user/config.c) and the apply
 * plan (user/plan.c): a good file with every key, health-check
 * inheritance, each validation error with its exact FILE:LINE:COL line, and
 * the plan's shares, moved slots and warnings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../select.h"

#include <xdp/libxdp.h>

#include "core/config_cluster.h"
#include "core/config_file.h"
#include "core/plan.h"
#include "util/addr.h"

static int parse(const char *text, struct ef_config *cfg, struct ef_config_errors *errs)
{
	return ef_config_parse("t.yaml", text, strlen(text), cfg, errs);
}

static void test_good(void **state)
{
	static const char *text =
	    "metrics:\n"
	    "  listen: 127.0.0.1:9632\n"
	    "imbalance:\n"
	    "  tolerance: 25%\n"
	    "  factor: 3\n"
	    "  window: 5s\n"
	    "  min-flows: 50\n"
	    "apply:\n"
	    "  max-move: 0.3\n"
	    "health:\n"
	    "  type: tcp\n"
	    "  interval: 500ms\n"
	    "  timeout: 200ms\n"
	    "  rise: 1\n"
	    "  fall: 2\n"
	    "vips:\n"
	    "  - address: 10.0.0.10\n"
	    "    port: 80\n"
	    "    protocol: udp\n"
	    "    forward: l2\n"
	    "    table-size: 251\n"
	    "    echo: off\n"
	    "    backends:\n"
	    "      - address: 10.200.1.2\n"
	    "        weight: 5\n"
	    "        state: drain\n"
	    "      - {address: 10.200.2.2, health: {type: http, path: /h, expect: 204}}\n"
	    "      - address: 10.200.3.2\n"
	    "        health: none\n"
	    "  - address: fd00:10::10\n"
	    "    port: 443\n"
	    "    src: [fd00::1]\n"
	    "    health: {fall: 7}\n"
	    "    backends: [{address: 'fd00:200:1::2'}]\n";
	struct ef_config_errors errs;
	struct ef_config cfg;
	const struct ef_conf_vip *v;

	(void)state;
	assert_int_equal(parse(text, &cfg, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(cfg.metrics_listen, "127.0.0.1:9632");
	assert_true(cfg.imbalance.tolerance > 0.249 && cfg.imbalance.tolerance < 0.251);
	assert_true(cfg.imbalance.factor == 3.0);
	assert_true(cfg.imbalance.window_s == 5.0);
	assert_int_equal(cfg.imbalance.min_flows, 50);
	assert_true(cfg.limits.max_move > 0.29 && cfg.limits.max_move < 0.31);
	assert_int_equal(cfg.conf.n_vips, 2);
	v = &cfg.conf.vips[0];
	assert_int_equal(v->key.family, EF_FAMILY_V4);
	assert_int_equal(v->key.port, htons(80));
	assert_int_equal(v->key.proto, IPPROTO_UDP);
	assert_int_equal(v->vip.forward, EF_FWD_L2);
	assert_int_equal(v->vip.table_size, 251);
	assert_true(v->vip.flags & EF_VIP_F_NO_ECHO);
	assert_int_equal(v->n_backends, 3);
	assert_int_equal(v->backends[0].weight, 5);
	assert_int_equal(v->backends[0].admin, EF_BE_DRAIN);
	assert_int_equal(v->backends[1].weight, 1);
	assert_int_equal(v->backends[1].admin, EF_BE_UP);
	/* the file's default, then the backend's own keys */
	assert_int_equal(cfg.vx[0].hc[0].type, EF_HC_TCP);
	assert_int_equal(cfg.vx[0].hc[0].interval_ms, 500);
	assert_int_equal(cfg.vx[0].hc[0].timeout_ms, 200);
	assert_int_equal(cfg.vx[0].hc[1].type, EF_HC_HTTP);
	assert_string_equal(cfg.vx[0].hc[1].path, "/h");
	assert_int_equal(cfg.vx[0].hc[1].expect, 204);
	assert_int_equal(cfg.vx[0].hc[1].fall, 2);
	assert_int_equal(cfg.vx[0].hc[2].type, EF_HC_NONE);
	assert_int_equal(cfg.vx[0].be_pos[1].line, 27);
	/* the VIP's keys over the default */
	v = &cfg.conf.vips[1];
	assert_int_equal(v->key.family, EF_FAMILY_V6);
	assert_int_equal(v->key.proto, IPPROTO_TCP);
	assert_true(v->vip.flags & EF_VIP_F_SRC6);
	assert_false(v->vip.flags & EF_VIP_F_NO_ECHO);
	assert_int_equal(cfg.vx[1].hc[0].fall, 7);
	assert_int_equal(cfg.vx[1].hc[0].type, EF_HC_TCP);
	assert_int_equal(cfg.n_checked, 3);
	ef_config_free(&cfg);
}

static void test_defaults(void **state)
{
	struct ef_config_errors errs;
	struct ef_config cfg;

	(void)state;
	assert_int_equal(parse("vips: []\n", &cfg, &errs), 0);
	assert_int_equal(cfg.conf.n_vips, 0);
	assert_string_equal(cfg.metrics_listen, "");
	assert_true(cfg.limits.max_move == EF_MAX_MOVE_DEFAULT);
	assert_true(cfg.limits.max_shift == EF_MAX_SHIFT_DEFAULT);
	assert_true(cfg.limits.max_weight_ratio == EF_MAX_WEIGHT_RATIO_DEFAULT);
	ef_config_free(&cfg);
	assert_int_equal(parse("vips:\n  - address: 10.0.0.1\n    port: 0\n", &cfg, &errs), 0);
	assert_int_equal(cfg.conf.vips[0].n_backends, 0);
	assert_int_equal(cfg.conf.vips[0].vip.forward, EF_FWD_IPIP);
	ef_config_free(&cfg);
}

struct bad {
	const char *text;
	const char *line; /* the first error line, exactly */
};

static const struct bad bads[] = {
    /* YAML itself */
    {"vips: [\n", "t.yaml:2:1:"},
    {"vips: []\nvips: []\n", "t.yaml:2:1: configuration: duplicate key 'vips'"},
    {"vips: []\n---\nvips: [{address: 10.0.0.1, port: 80}]\n",
     "t.yaml:2:1: a second document ('---'): a file holds one configuration"},
    {"vips: []\n---\n: invalid\n", "t.yaml:2:1: a second document ('---'): a file holds one "
				   "configuration"},
    {"---\n", "t.yaml: empty configuration (it needs 'vips:', or 'decap:' on a backend)"},
    {"", "t.yaml: empty configuration (it needs 'vips:', or 'decap:' on a backend)"},
    {"# only a comment\n",
     "t.yaml: empty configuration (it needs 'vips:', or 'decap:' on a backend)"},
    /* not text: libfyaml 0.7.12 would loop forever on the first one */
    {"%D \xf5\n", "t.yaml:1:4: not UTF-8 text"},
    {"vips: []\n# caf\xc3\xa9 \xc0\xaf\n", "t.yaml:2:8: not UTF-8 text"},
    {"vips: [\x01]\n", "t.yaml:1:8: a control character"},
    {"vips:\n\t- a\n", "t.yaml:2:1: a tab (YAML indents with spaces; use spaces)"},
    {"'a''''''''b': 1\n", "t.yaml:1:3: four or more quotes (') in a row"},
    {"'x''''x''''x': 1\n", "t.yaml:1:3: four or more quotes (') in a row"},
    {"- 1\n", "t.yaml:1:1: configuration: expected a mapping (key: value lines)"},
    {"vip: []\n", "t.yaml:1:1: configuration: unknown key 'vip' (known: vips, health, metrics, "
		  "imbalance, apply, announce, siblings, "
		  "decap, dataplane)"},
    {"metrics: {}\n", "t.yaml:1:1: configuration: missing key 'vips' (use 'vips: []' for none; a "
		      "backend's file may hold 'decap:' alone)"},
    {"vips: 3\n", "t.yaml:1:7: vips: expected a list ('- ' items or [])"},
    {"x: &a 1\nvips: []\n", "t.yaml:1:1: configuration: unknown key 'x' (known: vips, health, "
			    "metrics, imbalance, apply, announce, siblings, "
			    "decap, dataplane)"},
    /* addresses */
    {"vips:\n  - address: 10.0.0.300\n    port: 80\n",
     "t.yaml:2:14: vip address '10.0.0.300': invalid IPv4 address"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends:\n      - address: foo\n",
     "t.yaml:5:18: backend address 'foo': invalid address"},
    {"vips:\n  - port: 80\n", "t.yaml:2:5: vip: missing key 'address'"},
    {"vips:\n  - address: 10.0.0.1\n", "t.yaml:2:5: vip: missing key 'port' (0 for every port)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 65536\n",
     "t.yaml:3:11: vip port: '65536' is not a number in 0..65535"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    protocol: sctp\n",
     "t.yaml:4:15: vip protocol: unknown protocol 'sctp' (tcp or udp)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    forward: nat\n",
     "t.yaml:4:14: vip forward: unknown mode 'nat' (ipip or l2)"},
    /* duplicates */
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n  - address: 10.0.0.1\n    port: 80\n",
     "t.yaml:4:14: duplicate VIP 10.0.0.1:80/tcp (first at line 2)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends:\n      - address: 10.1.0.1\n"
     "      - address: 10.1.0.1\n",
     "t.yaml:6:18: duplicate backend 10.1.0.1 of 10.0.0.1:80/tcp (first at line 5)"},
    /* weights, states, unknown keys */
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends:\n      - address: 10.1.0.1\n"
     "        weight: 70000\n",
     "t.yaml:6:17: backend weight: '70000' is not a number in 1..65535"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends:\n      - address: 10.1.0.1\n"
     "        weight: 0\n",
     "t.yaml:6:17: backend weight: '0' is not a number in 1..65535"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends:\n      - address: 10.1.0.1\n"
     "        state: sleeping\n",
     "t.yaml:6:16: backend state: unknown state 'sleeping' (up, down or drain)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends:\n      - address: 10.1.0.1\n"
     "        wieght: 2\n",
     "t.yaml:6:9: backend: unknown key 'wieght' (known: address, weight, state, health)"},
    /* table sizes */
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    table-size: 65536\n",
     "t.yaml:4:17: vip table-size: 65536 is not a prime number"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    table-size: 7\n",
     "t.yaml:4:17: vip table-size: 7 is out of range 251..4194301"},
    /* families */
    {"vips:\n  - address: fd00::1\n    port: 80\n    backends:\n      - address: 10.1.0.1\n",
     "t.yaml:5:18: backend 10.1.0.1 of [fd00::1]:80/tcp: an IPv6 VIP needs IPv6 backends (no "
     "IPv6-in-IPv4)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    forward: l2\n    backends:\n"
     "      - address: fd00::2\n",
     "t.yaml:6:18: backend fd00::2 of 10.0.0.1:80/tcp: l2 forwarding needs a backend of the "
     "VIP's address family"},
    /* health checks */
    {"health: {type: ping}\nvips: []\n",
     "t.yaml:1:16: health type: unknown type 'ping' (tcp, http or none)"},
    {"health: {type: tcp, interval: 1s, timeout: 2s}\nvips: []\n",
     "t.yaml:1:9: health: timeout 2000ms is longer than interval 1000ms"},
    {"health: {interval: soon}\nvips: []\n",
     "t.yaml:1:20: health interval: 'soon' is not a duration in 100ms..3600s (e.g. 500ms, 2s)"},
    {"health: {path: nope}\nvips: []\n",
     "t.yaml:1:16: health path: 'nope' must start with '/', be printable without spaces and "
     "shorter than 128"},
    {"health: {type: tcp}\nvips:\n  - address: 10.0.0.1\n    port: 0\n    backends:\n"
     "      - address: 10.1.0.1\n",
     "t.yaml:6:18: backend 10.1.0.1 of 10.0.0.1:0/tcp: the health check needs a port (the VIP "
     "has port 0)"},
    /* the rest */
    {"metrics: {listen: here}\nvips: []\n",
     "t.yaml:1:19: metrics listen 'here': missing :PORT (ADDR:PORT or [ADDR]:PORT)"},
    {"apply: {max-move: 2}\nvips: []\n",
     "t.yaml:1:19: apply max-move: '2' is not a number in 0..1 (or a percentage)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends: *x\n",
     "t.yaml:4:16: backends: aliases are not supported"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    echo: maybe\n",
     "t.yaml:4:11: vip echo: unknown echo 'maybe' (on or off)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    forward: l2\n    src: 10.9.9.9\n",
     "t.yaml:2:14: vip: src: l2 forwarding does not encapsulate, it has no outer source"},
    /* decap */
    {"decap: {}\n", "t.yaml:1:8: decap: missing key 'devices' (the devices tunnelled packets "
		    "arrive on)"},
    {"decap: {devices: [{mode: native}]}\n", "t.yaml:1:20: device: missing key 'device'"},
    {"decap: {devices: [{device: eth0}, {device: eth0}]}\n",
     "t.yaml:1:44: device eth0: listed twice (first at line 1)"},
    {"decap: {devices: [{device: a/b}]}\n",
     "t.yaml:1:28: device 'a/b': not a device name (1..15 characters, no '/', ':' or space)"},
    {"decap: {devices: [{device: abcdefghijklmnop}]}\n",
     "t.yaml:1:28: device 'abcdefghijklmnop': not a device name (1..15 characters, no '/', "
     "':' or space)"},
    {"decap: {devices: [{device: eth0, mode: skb}]}\n",
     "t.yaml:1:40: device mode: unknown mode 'skb' (native or generic)"},
    {"decap: {devices: eth0}\n", "t.yaml:1:18: devices: expected a list ('- ' items or [])"},
    /* addresses that can never be a VIP or a backend */
    {"vips:\n  - address: 224.0.0.1\n    port: 80\n",
     "t.yaml:2:14: vip address '224.0.0.1': a multicast address can never be a VIP"},
    {"vips:\n  - address: fe80::1\n    port: 80\n",
     "t.yaml:2:14: vip address 'fe80::1': a link-local address can never be a VIP"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends: [{address: 127.0.0.1}]\n",
     "t.yaml:4:26: backend address '127.0.0.1': a loopback address can never be a backend"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    backends: [{address: "
     "'::ffff:10.0.0.1'}]\n",
     "t.yaml:4:27: backend address '::ffff:10.0.0.1': an IPv4-mapped IPv6 address (give the "
     "IPv4 address) can never be a backend"},
    /* dataplane */
    {"dataplane: {devices: [{device: eth0}]}\n",
     "t.yaml:1:1: configuration: 'dataplane:' without 'vips:' (use 'vips: []' for none)"},
    {"dataplane: {conntrack-size: 1025}\nvips: []\n",
     "t.yaml:1:29: dataplane conntrack-size: 1025 is not a power of two"},
    {"dataplane: {conntrack-size: 512}\nvips: []\n",
     "t.yaml:1:29: dataplane conntrack-size: '512' is not a number in 1024..67108864"},
    {"dataplane: {udp-timeout: 0}\nvips: []\n",
     "t.yaml:1:26: dataplane udp-timeout: '0' is not a number in 1..120"},
    {"dataplane: {devices: [{device: eth0}, {device: eth0}]}\nvips: []\n",
     "t.yaml:1:48: device eth0: listed twice (first at line 1)"},
    {"dataplane: {device: eth0}\nvips: []\n",
     "t.yaml:1:13: dataplane: unknown key 'device' (known: devices, conntrack-size, "
     "udp-timeout)"},
    /* announce, siblings, min-up */
    {"announce: {table: 254}\nvips: []\n",
     "t.yaml:1:19: announce table: 254 is one of the kernel's own tables (253 default, 254 main, "
     "255 local)"},
    {"announce: {table: 0}\nvips: []\n",
     "t.yaml:1:19: announce table: '0' is not a number in 1..4294967295"},
    {"announce: {protocol: 2}\nvips: []\n",
     "t.yaml:1:22: announce protocol: '2' is not a number in 3..255"},
    {"announce: {drain: soon}\nvips: []\n",
     "t.yaml:1:19: announce drain: 'soon' is not a duration in 0ms..3600s (e.g. 500ms, 2s)"},
    {"announce: {min-up: -1}\nvips: []\n",
     "t.yaml:1:20: announce min-up: '-1' is not a number in 0..65535"},
    {"announce: {minup: 1}\nvips: []\n",
     "t.yaml:1:12: announce: unknown key 'minup' (known: table, protocol, min-up, drain)"},
    {"announce: [1]\nvips: []\n", "t.yaml:1:11: announce: expected a mapping (key: value lines)"},
    {"siblings: {interval: 1s}\nvips: []\n",
     "t.yaml:1:12: siblings: missing key 'peers' (the other LBs' http://ADDR:PORT/metrics)"},
    {"siblings: {peers: [https://10.0.0.2:9632/metrics]}\nvips: []\n",
     "t.yaml:1:20: siblings peer 'https://10.0.0.2:9632/metrics': not an http:// URL "
     "(http://ADDR:PORT/metrics)"},
    {"siblings: {peers: ['http://10.0.0.2:9632']}\nvips: []\n",
     "t.yaml:1:21: siblings peer 'http://10.0.0.2:9632': no path (http://ADDR:PORT/metrics)"},
    {"siblings: {peers: ['http://lb2:9632/metrics']}\nvips: []\n",
     "t.yaml:1:21: siblings peer 'http://lb2:9632/metrics': invalid address"},
    {"siblings: {peers: ['http://10.0.0.2/metrics']}\nvips: []\n",
     "t.yaml:1:21: siblings peer 'http://10.0.0.2/metrics': missing :PORT"},
    {"siblings: {peers: ['http://10.0.0.2:0/metrics']}\nvips: []\n",
     "t.yaml:1:21: siblings peer 'http://10.0.0.2:0/metrics': port 0"},
    {"siblings: {peers: ['http://10.0.0.2:9632/a b']}\nvips: []\n",
     "t.yaml:1:21: siblings peer 'http://10.0.0.2:9632/a b': the path holds a space or a "
     "character that is not printable ASCII"},
    {"siblings:\n  peers:\n    - http://10.0.0.2:9632/metrics\n"
     "    - http://10.0.0.2:9632/metrics\nvips: []\n",
     "t.yaml:4:7: siblings peer 'http://10.0.0.2:9632/metrics': listed twice (first at line 3)"},
    {"siblings: {peers: [], interval: 50ms}\nvips: []\n",
     "t.yaml:1:33: siblings interval: '50ms' is not a duration in 100ms..60s (e.g. 500ms, 2s)"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    min-up: 2\n    backends:\n"
     "      - address: 10.1.0.1\n",
     "t.yaml:4:13: vip 10.0.0.1:80/tcp: min-up 2 is more than its 1 backends: it would never be "
     "announced"},
    {"vips:\n  - address: 10.0.0.1\n    port: 80\n    min-up: many\n",
     "t.yaml:4:13: vip min-up: 'many' is not a number in 0..65535"},
};

static void test_bad(void **state)
{
	size_t i, failed = 0;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct ef_config_errors errs;
		struct ef_config cfg;
		int err = parse(bads[i].text, &cfg, &errs);

		if (err != -EINVAL || !errs.shown ||
		    strncmp(errs.line[0], bads[i].line, strlen(bads[i].line)) ||
		    (bads[i].line[strlen(bads[i].line) - 1] != ':' &&
		     strcmp(errs.line[0], bads[i].line))) {
			print_error("case %zu: got %d '%s'\n    want '%s'\n", i, err,
				    errs.shown ? errs.line[0] : "", bads[i].line);
			failed++;
		}
		assert_int_equal(cfg.conf.n_vips, 0);
		assert_null(cfg.conf.vips);
	}
	assert_int_equal(failed, 0);
}

/* announce, siblings and min-up: their values, the defaults, a VIP's own
 * min-up over announce.min-up. */
/* A backend's file: decap alone, no VIPs. */
static void test_decap_only(void **state)
{
	static const char *text = "decap:\n"
				  "  devices:\n"
				  "    - device: eth0\n"
				  "    - device: bond0.100\n"
				  "      mode: generic\n";
	struct ef_config_errors errs;
	struct ef_config cfg;

	(void)state;
	assert_int_equal(parse(text, &cfg, &errs), 0);
	assert_false(cfg.has_vips);
	assert_true(cfg.decap.on);
	assert_int_equal(cfg.decap.devices.n, 2);
	assert_string_equal(cfg.decap.devices.dev[0].name, "eth0");
	assert_int_equal(cfg.decap.devices.dev[0].mode, XDP_MODE_NATIVE);
	assert_string_equal(cfg.decap.devices.dev[1].name, "bond0.100");
	assert_int_equal(cfg.decap.devices.dev[1].mode, XDP_MODE_SKB);
	assert_int_equal(cfg.decap.devices.dev[1].pos.line, 4);
	ef_config_free(&cfg);
	/* a load balancer's file: no decap */
	assert_int_equal(parse("vips: []\n", &cfg, &errs), 0);
	assert_true(cfg.has_vips);
	assert_false(cfg.decap.on);
	assert_false(cfg.dataplane.on);
	ef_config_free(&cfg);
}

/* The LB's dataplane: its devices and load-time settings; 0 = keep. */
static void test_dataplane(void **state)
{
	static const char *text = "dataplane:\n"
				  "  devices: [{device: eth0}, {device: eth1, mode: generic}]\n"
				  "  conntrack-size: 1048576\n"
				  "vips: []\n";
	struct ef_config_errors errs;
	struct ef_config cfg;

	(void)state;
	assert_int_equal(parse(text, &cfg, &errs), 0);
	assert_true(cfg.dataplane.on);
	assert_int_equal(cfg.dataplane.devices.n, 2);
	assert_string_equal(cfg.dataplane.devices.dev[1].name, "eth1");
	assert_int_equal(cfg.dataplane.devices.dev[1].mode, XDP_MODE_SKB);
	assert_int_equal(cfg.dataplane.conntrack_size, 1048576);
	assert_int_equal(cfg.dataplane.udp_timeout_s, 0);
	ef_config_free(&cfg);
}

static void test_cluster_keys(void **state)
{
	static const char *text = "announce:\n"
				  "  table: 100\n"
				  "  protocol: 200\n"
				  "  min-up: 2\n"
				  "  drain: 3s\n"
				  "siblings:\n"
				  "  peers:\n"
				  "    - http://10.110.2.2:9632/metrics\n"
				  "    - 'http://[fd00:110:3::2]:9632/metrics'\n"
				  "  interval: 500ms\n"
				  "  grace: 4s\n"
				  "vips:\n"
				  "  - address: 10.0.0.1\n"
				  "    port: 80\n"
				  "    backends: [{address: 10.1.0.1}, {address: 10.1.0.2}]\n"
				  "  - address: 10.0.0.1\n"
				  "    port: 443\n"
				  "    min-up: 0\n";
	struct ef_config_errors errs;
	struct ef_config cfg;

	(void)state;
	assert_int_equal(parse(text, &cfg, &errs), 0);
	assert_true(cfg.announce.on);
	assert_int_equal(cfg.announce.table, 100);
	assert_int_equal(cfg.announce.protocol, 200);
	assert_int_equal(cfg.announce.min_up, 2);
	assert_int_equal(cfg.announce.drain_ms, 3000);
	assert_int_equal(cfg.siblings.n_peers, 2);
	assert_string_equal(cfg.siblings.peers[0], "http://10.110.2.2:9632/metrics");
	assert_string_equal(cfg.siblings.peers[1], "http://[fd00:110:3::2]:9632/metrics");
	assert_int_equal(cfg.siblings.interval_ms, 500);
	assert_int_equal(cfg.siblings.grace_ms, 4000);
	assert_int_equal(cfg.vx[0].min_up, 2); /* announce.min-up */
	assert_int_equal(cfg.vx[0].min_up_pos.line, 0);
	assert_int_equal(cfg.vx[1].min_up, 0); /* its own */
	assert_int_equal(cfg.vx[1].min_up_pos.line, 18);
	ef_config_free(&cfg);

	/* absent: nothing announced, no sibling; `announce:` alone: defaults */
	assert_int_equal(parse("vips: [{address: 10.0.0.1, port: 80}]\n", &cfg, &errs), 0);
	assert_false(cfg.announce.on);
	assert_int_equal(cfg.siblings.n_peers, 0);
	assert_int_equal(cfg.vx[0].min_up, EF_ANNOUNCE_MIN_UP_DEFAULT);
	ef_config_free(&cfg);
	assert_int_equal(parse("announce:\nsiblings: {peers: []}\nvips: []\n", &cfg, &errs), 0);
	assert_true(cfg.announce.on);
	assert_int_equal(cfg.announce.table, 239);
	assert_int_equal(cfg.announce.protocol, 239);
	assert_int_equal(cfg.announce.min_up, 1);
	assert_int_equal(cfg.announce.drain_ms, EF_ANNOUNCE_DRAIN_DEFAULT);
	assert_int_equal(cfg.siblings.interval_ms, EF_SIBLINGS_INTERVAL_DEFAULT);
	assert_int_equal(cfg.siblings.grace_ms, EF_SIBLINGS_GRACE_DEFAULT);
	ef_config_free(&cfg);
}

/* Every error of a file is reported, one line each. */
static void test_several(void **state)
{
	static const char *text = "vips:\n"
				  "  - address: 10.0.0.1\n"
				  "    port: 80\n"
				  "    protocl: tcp\n"
				  "    backends:\n"
				  "      - address: 10.1.0.1\n"
				  "        weight: 0\n"
				  "      - address: 10.1.0.2\n"
				  "        state: upp\n";
	struct ef_config_errors errs;
	struct ef_config cfg;

	(void)state;
	assert_int_equal(parse(text, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 3);
	assert_string_equal(errs.line[0], "t.yaml:4:5: vip: unknown key 'protocl' (known: address, "
					  "port, protocol, forward, table-size, src, echo, health, "
					  "min-up, backends)");
	assert_string_equal(errs.line[1], "t.yaml:7:17: backend weight: '0' is not a number in "
					  "1..65535");
	assert_string_equal(errs.line[2],
			    "t.yaml:9:16: backend state: unknown state 'upp' (up, down or drain)");
}

/* ---- The plan ---- */

static struct ef_conf_backend be(__u32 last, __u16 w, __u8 st)
{
	struct ef_conf_backend b = {.family = EF_FAMILY_V4, .weight = w, .admin = st, .state = st};

	b.addr.a32[0] = htonl(0x0a010000 | last);
	return b;
}

static void one_vip(struct ef_conf *c, struct ef_conf_vip *v, struct ef_conf_backend *b, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->key.family = EF_FAMILY_V4;
	v->key.addr.a32[0] = htonl(0x0a00000a);
	v->key.port = htons(80);
	v->key.proto = IPPROTO_TCP;
	v->backends = b;
	v->n_backends = n;
	c->vips = v;
	c->n_vips = 1;
}

static void test_plan_seed(void **state)
{
	struct ef_conf_backend ob[3] = {be(1, 1, EF_BE_UP), be(2, 1, EF_BE_UP), be(3, 1, EF_BE_UP)};
	struct ef_conf_backend nb[3] = {be(1, 1, EF_BE_UP), be(2, 1, EF_BE_UP),
					be(3, 20, EF_BE_UP)};
	struct ef_conf old = {}, new = {};
	struct ef_conf_vip ov, nv;
	struct ef_plan p;

	(void)state;
	one_vip(&old, &ov, ob, 3);
	one_vip(&new, &nv, nb, 3);
	assert_int_equal(ef_plan_build(&old, &new, &p), 0);
	assert_int_equal(p.n_vips, 1);
	assert_int_equal(p.vips[0].change, EF_PLAN_CHANGED);
	assert_int_equal(p.vips[0].size_after, 65537);
	assert_true(p.vips[0].bes[2].share_before > 0.33 && p.vips[0].bes[2].share_before < 0.34);
	assert_true(p.vips[0].bes[2].share_after > 0.90 && p.vips[0].bes[2].share_after < 0.92);
	/* 20/22 of the slots go to .3: about 2/3 * ... of the others' slots move */
	assert_true(p.vips[0].moved > 0.5 && p.vips[0].moved < 0.7);
	assert_int_equal(p.n_warnings, 0); /* judging is core/safety.c's */
	ef_plan_free(&p);
	/* the same configuration again: nothing to do */
	assert_int_equal(ef_plan_build(&new, &new, &p), 0);
	assert_int_equal(p.n_vips, 0);
	assert_int_equal(p.n_same, 1);
	ef_plan_free(&p);
}

static void test_plan_moves(void **state)
{
	struct ef_conf_backend ob[4] = {be(1, 1, EF_BE_UP), be(2, 1, EF_BE_UP), be(3, 1, EF_BE_UP),
					be(4, 1, EF_BE_UP)};
	struct ef_conf_backend nb[4] = {be(1, 1, EF_BE_UP), be(2, 1, EF_BE_UP), be(3, 1, EF_BE_UP),
					be(4, 1, EF_BE_DOWN)};
	struct ef_conf old = {}, new = {}, empty = {};
	struct ef_conf_vip ov, nv;
	struct ef_plan p;

	(void)state;
	one_vip(&old, &ov, ob, 4);
	one_vip(&new, &nv, nb, 4);
	/* one of four down: its quarter moves, about nothing else */
	assert_int_equal(ef_plan_build(&old, &new, &p), 0);
	assert_true(p.vips[0].moved > 0.24 && p.vips[0].moved < 0.30);
	assert_false(p.vips[0].moved_sampled);
	assert_int_equal(p.vips[0].bes[3].change, EF_PLAN_CHANGED);
	assert_true(p.vips[0].bes[3].share_after == 0.0);
	ef_plan_free(&p);
	/* all down: no backend up */
	nb[0].state = nb[1].state = nb[2].state = EF_BE_DOWN;
	assert_int_equal(ef_plan_build(&old, &new, &p), 0);
	assert_int_equal(p.vips[0].up_after, 0);
	ef_plan_free(&p);
	/* a VIP removed, then added */
	assert_int_equal(ef_plan_build(&old, &empty, &p), 0);
	assert_int_equal(p.vips[0].change, EF_PLAN_REMOVED);
	ef_plan_free(&p);
	assert_int_equal(ef_plan_build(&empty, &old, &p), 0);
	assert_int_equal(p.vips[0].change, EF_PLAN_ADDED);
	assert_true(p.vips[0].bes[0].share_after > 0.24 && p.vips[0].bes[0].share_after < 0.26);
	ef_plan_free(&p);
	/* a new table size: compared by sampling */
	nv.vip.table_size = 251;
	nb[0].state = nb[1].state = nb[2].state = nb[3].state = EF_BE_UP;
	assert_int_equal(ef_plan_build(&old, &new, &p), 0);
	assert_true(p.vips[0].moved_sampled);
	assert_true(p.vips[0].moved > 0.5);
	ef_plan_free(&p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),	 cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_bad),		 cmocka_unit_test(test_several),
	    cmocka_unit_test(test_cluster_keys), cmocka_unit_test(test_plan_seed),
	    cmocka_unit_test(test_plan_moves),	 cmocka_unit_test(test_decap_only),
	    cmocka_unit_test(test_dataplane),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
