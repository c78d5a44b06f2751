/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * metrics.h: the Prometheus text exposition (format 0.0.4) of a snapshot,
 * shared by `evenflow metrics` and the daemon. No I/O but the FILE given.
 *
 * Families (labels vip="10.0.0.10:80/tcp", backend="10.200.1.2"):
 *   evenflow_build_info{version,flow_hash_version} gauge  1
 *   evenflow_dataplane_loaded                      gauge   1, or 0 (nothing else then)
 *   evenflow_dataplane_devices                     gauge   devices it runs on
 *   evenflow_verdicts_total{verdict}               counter packets by verdict reason
 *   evenflow_vip_{packets,bytes,new_flows}_total{vip}
 *   evenflow_backend_{packets,bytes,new_flows}_total{vip,backend}
 *   evenflow_backend_weight{vip,backend}           gauge
 *   evenflow_backend_state{vip,backend,state}      gauge   1 for the effective state
 *                                                          (up, drain, down), else 0
 *   evenflow_backend_admin_state{vip,backend,state} gauge  1 for the operator's state
 *   evenflow_backend_health{vip,backend,health}    gauge   1 for the checker's verdict
 *                                                          (unchecked, healthy, unhealthy)
 *   evenflow_vip_fail_open{vip}                    gauge   1 when the VIP fails open
 *   evenflow_fingerprint_info{fingerprint}         gauge   1; the whole configuration's
 *   evenflow_vip_fingerprint_info{vip,fingerprint} gauge   1; each VIP's (fingerprint.h),
 *                                                          16 hex digits
 *   evenflow_backend_expected_share{vip,backend}   gauge   0..1, from weights and states
 *   evenflow_backend_actual_share{vip,backend}     gauge   0..1, new flows in the window
 *   evenflow_backend_imbalanced{vip,backend}       gauge   1 when flagged (imbalance.h)
 *   evenflow_vip_imbalanced{vip}                   gauge   1 when a backend is flagged
 *   evenflow_vip_window_new_flows{vip}             gauge   new flows in the window
 *   evenflow_imbalance_window_seconds              gauge   the window's length
 */
#ifndef EF_METRICS_H
#define EF_METRICS_H

#include <stdio.h>

#include "core/imbalance.h"
#include "core/snapshot.h"

#define EF_METRICS_LISTEN_DEFAULT "127.0.0.1:9632"

/* Writes the exposition of s (NULL: the data plane is not loaded) with the
 * verdicts of imb (NULL: no share or imbalance gauges); window_s is the
 * detector's window. Returns 0 or -EIO. */
int ef_metrics_write(FILE *f, const struct ef_snap *s, const struct ef_imb *imb, double window_s);

/* A family's # HELP and # TYPE lines. */
void ef_metrics_family(FILE *f, const char *name, const char *type, const char *help);

/* Writes val as a label value: backslash, double quote and newline escaped. */
void ef_metrics_label(FILE *f, const char *val);

#endif /* EF_METRICS_H */
