/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * evenflow.h: the one header shared by the BPF programs and user space.
 *
 * Every map key and value, every enum and every limit is declared here once.
 * Only fixed-width types, explicit padding, no pointers: the layout is the
 * same for the BPF target and for x86_64/arm64 user space.
 */
#ifndef EVENFLOW_H
#define EVENFLOW_H

#include <linux/types.h>

/* ---- Limits (each can be overridden with -D at build time) ---- */

/* VIPs one instance holds; also the size of every per-VIP map. */
#ifndef EF_MAX_VIPS
#define EF_MAX_VIPS 1024
#endif

/* Backends over all VIPs; a backend id indexes evenflow_backends. A
 * connection entry holds the id in 14 bits, so at most 16384. */
#ifndef EF_MAX_BACKENDS
#define EF_MAX_BACKENDS 16384
#endif

/* Default connection-table slots (attach --conntrack-size overrides); a
 * power of two, EF_CT_WAYS slots per bucket. 2^22 slots of 8 bytes: 32 MiB,
 * for 1M flows at the recommended quarter fill (README, "Connection table"). */
#ifndef EF_CONNTRACK_DEFAULT
#define EF_CONNTRACK_DEFAULT 4194304
#endif

/* Seconds a TCP entry lives after its last packet once a FIN or RST was
 * seen, or while the flow has shown one packet only (lib/ct_entry.h). */
#ifndef EF_CT_GRACE_S
#define EF_CT_GRACE_S 10
#endif

/* Slots per connection-table bucket: one 64-byte cache line. */
#define EF_CT_WAYS 8

/* Buckets of the VIP index (a power of two) and VIP ids per bucket. */
#define EF_VIP_INDEX_BUCKETS 1024
#define EF_VIP_INDEX_WAYS    4

/* Devices the LB can redirect to (evenflow_tx_ports). */
#ifndef EF_MAX_TX_PORTS
#define EF_MAX_TX_PORTS 256
#endif

/* Words of the VIP address pre-filter bitmap (64 bits each; 2^18 bits). */
#define EF_VIP_FILTER_WORDS 4096

/* IPv6 extension headers skipped before giving up (counted as malformed). */
#ifndef EF_MAX_IPV6_EXT
#define EF_MAX_IPV6_EXT 4
#endif

/* Largest Maglev table a VIP may have (slots). */
#define EF_MAX_TABLE_SIZE 4194301
/* Smallest Maglev table a VIP may have (slots). */
#define EF_MIN_TABLE_SIZE 251

/* A Maglev slot or connection entry that points at no backend. */
#define EF_NO_BACKEND 0xffffffffU

/* Outer TTL / hop limit of encapsulated packets. */
#define EF_ENCAP_TTL 64

/* ---- Addresses and VIPs ---- */

/* Address families as stored in maps (not AF_*: one byte, same everywhere). */
enum ef_family {
	EF_FAMILY_NONE = 0,
	EF_FAMILY_V4 = 4,
	EF_FAMILY_V6 = 6,
};

/* An IPv4 or IPv6 address in network byte order; IPv4 is in a32[0], rest zero. */
struct ef_addr {
	union {
		__u8 a8[16];
		__u32 a32[4];
	};
};

/* Key of evenflow_vips: a VIP is (address, port, protocol). Port 0 = every port. */
struct ef_vip_key {
	struct ef_addr addr;
	__be16 port; /* network byte order; 0 matches every port */
	__u8 proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family; /* enum ef_family */
};

/* How packets of a VIP reach the chosen backend. */
enum ef_forward {
	EF_FWD_IPIP = 0, /* IPIP/IP6IP6/IPv4-in-IPv6 toward the backend */
	EF_FWD_L2 = 1,	 /* destination MAC rewritten, packet otherwise untouched */
};

/* VIP flags. */
#define EF_VIP_F_SRC4 (1U << 0) /* src4 overrides the outer IPv4 source */
#define EF_VIP_F_SRC6 (1U << 1) /* src6 overrides the outer IPv6 source */
/* Every admin-up backend fails its checks, or none is known good: the
 * control plane kept them in the table (README, "Health checks fail open").
 * Informational: the data plane does not read it. */
#define EF_VIP_F_FAIL_OPEN (1U << 2)
/* ICMP echo to the VIP's address is not answered for this VIP (the address
 * answers while one of its VIPs does; lib/echo.h). */
#define EF_VIP_F_NO_ECHO (1U << 3)
/* The flags that set an outer source. */
#define EF_VIP_F_SRC (EF_VIP_F_SRC4 | EF_VIP_F_SRC6)

/* Value of evenflow_vips. */
struct ef_vip {
	__u32 id;     /* index into evenflow_maglev and evenflow_vip_stats */
	__u8 forward; /* enum ef_forward */
	__u8 flags;   /* EF_VIP_F_* */
	__u16 pad;
	__u32 table_size;    /* requested table size, 0 = default for its backends */
	__u32 table_slots;   /* slots of its table in this generation, 0 = no table */
	__u32 src4;	     /* outer IPv4 source if EF_VIP_F_SRC4 */
	struct ef_addr src6; /* outer IPv6 source if EF_VIP_F_SRC6 */
};

/* Value of evenflow_vip_addrs: the VIPs on the address (low 16 bits), and
 * whether the address answers ICMP echo (one of them does). */
#define EF_ADDR_VIPS_MASK 0xffffU
#define EF_ADDR_F_ECHO	  (1U << 16)

/* ---- Backends ---- */

/* Backend states. FREE marks an unused slot of evenflow_backends (a deleted
 * backend's slot too: its flows are hashed again, as for DOWN). The same
 * names serve the operator's state of a backend (admin: UP, DRAIN, DOWN)
 * and the effective state the data plane reads (state). */
enum ef_backend_state {
	EF_BE_FREE = 0,
	EF_BE_UP = 1,	 /* in the table */
	EF_BE_DRAIN = 2, /* out of the table; existing flows stay */
	EF_BE_DOWN = 3,	 /* out of the table; existing flows are hashed again */
};

/* The health checker's verdict on a backend (the control plane's record;
 * the data plane reads only the effective state). */
enum ef_backend_health {
	EF_HEALTH_UNCHECKED = 0, /* no health check */
	EF_HEALTH_HEALTHY = 1,
	EF_HEALTH_UNHEALTHY = 2,
};

/* Value of evenflow_backends, indexed by backend id. */
struct ef_backend {
	struct ef_addr addr; /* the backend's address */
	struct ef_addr src;  /* outer source toward it, chosen by the kernel's routing */
	__u32 vip_id;	     /* owning VIP */
	__u32 gen;	     /* bumped each time the id is given out: stale flows miss */
	__u16 weight;	     /* 1..65535 */
	__u8 family;	     /* enum ef_family */
	/* effective state, what the data plane acts on: the operator's
	 * drain or down wins; else down when unhealthy, unless its VIP fails
	 * open (README, "States"); enum ef_backend_state */
	__u8 state;
	__u8 admin;  /* the operator's state: EF_BE_UP, EF_BE_DRAIN or EF_BE_DOWN */
	__u8 health; /* enum ef_backend_health */
	__u16 pad;
};

/* ---- Configuration generations ----
 *
 * evenflow_vip_info, evenflow_vip_index, evenflow_backends and
 * evenflow_maglev hold two generations of the configuration, one after the
 * other (entry gen * N + i); evenflow_gen names the one the data plane reads.
 * The control plane writes the other one whole, then flips evenflow_gen with
 * one write: a packet sees one configuration, old or new, never a mix.
 */
#define EF_GENS 2

/* ---- VIP index ---- */

/* Value of evenflow_vip_info, indexed by VIP id: what the data plane reads. */
struct ef_vip_info {
	struct ef_vip_key key;
	struct ef_vip vip;
};

/* Value of evenflow_vip_index: up to EF_VIP_INDEX_WAYS VIPs whose key hashes
 * to this bucket (each VIP is in one of its two buckets). A way holds
 * (tag << 16) | (VIP id + 1), 0 when empty; see lib/vip_index.h. */
struct ef_vip_bucket {
	__u32 way[EF_VIP_INDEX_WAYS];
};

/* ---- Connection table ---- */

/* One flow as the connection table and `evenflow lookup` see it: the
 * 5-tuple as the client sent it. */
struct ef_flow_key {
	struct ef_addr src;
	struct ef_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/* Value of evenflow_conntrack: a bucket of EF_CT_WAYS flows. Each way is one
 * 64-bit word, written atomically, so no reader sees half an entry; the bit
 * layout is in lib/ct_entry.h. */
struct ef_ct_bucket {
	__u64 way[EF_CT_WAYS];
};

/* ---- Fragments ---- */

/* Datagrams whose first fragment's backend is remembered (evenflow_frags,
 * least recently used forgotten first). */
#ifndef EF_FRAGS_MAX
#define EF_FRAGS_MAX 16384
#endif

/* Key of evenflow_frags: one datagram, as every fragment of it names it. */
struct ef_frag_key {
	struct ef_addr src;
	struct ef_addr dst;
	__u32 id;    /* IP identification (IPv4: 16 bits, network order) */
	__u8 proto;  /* the protocol it carries */
	__u8 family; /* enum ef_family */
	__u16 pad;
};

/* Value of evenflow_frags: where the datagram's first fragment went. */
struct ef_frag {
	__u32 backend_id;
	__u32 backend_gen; /* the backend's gen then: a later fragment never goes to
			    * another backend that took its id */
	__u32 hash;	   /* the flow's hash (an IPv6 outer flow label) */
	__u32 pad;
};

/* ---- Devices ---- */

/* Slots of the device table (a power of two): a device's is its ifindex
 * modulo this. */
#define EF_DEV_SLOTS 256

/* A device of the LB's namespace as the data plane checks a frame against
 * it: the frame must be sent to its MAC and, if tagged, carry a VLAN id
 * configured on it (a VLAN sub-interface exists). */
struct ef_device {
	__u32 ifindex; /* 0: an empty slot */
	__u8 mac[6];
	__u16 pad;
	__u64 vlans[4096 / 64]; /* bit v: VLAN id v is configured */
};

/* ---- Next-hop cache ---- */

/* Bytes of the cached frame head: Ethernet and an outer IPv6 header. */
#define EF_HEAD_MAX 56

/* Value of evenflow_nexthop (per CPU, indexed by backend id): the FIB's
 * answer for the backend, reused until `expires` (jiffies) for packets that
 * arrive on the same device (the FIB checks the ingress device too), and
 * the head of the frames toward it, built from that answer. */
struct ef_nexthop {
	/* Ethernet (next hop's MAC, egress MAC, EtherType), then for ipip the
	 * outer IPv4/IPv6 header with every field that is the same for each
	 * packet (per-packet fields zero) */
	__u8 head[EF_HEAD_MAX];
	__u32 head_csum; /* IPv4: one's-complement sum of the outer header as built */
	__u8 outer_len;	 /* 0 (l2), 20 (IPv4 outer) or 40 (IPv6 outer) */
	__u8 pad[3];
	__u32 ifindex;	   /* egress device */
	__u32 mtu;	   /* route MTU toward the backend */
	__u32 backend_gen; /* the backend this answer is for */
	__u32 rx_ifindex;  /* the ingress device it was asked for */
	__u64 expires;	   /* bpf_jiffies64() after which to ask the FIB again */
};

/* ---- Generated replies ---- */

/* Value of evenflow_reply_budget (per CPU): a token bucket for the replies
 * the data plane sends itself (ICMP echo replies and "too big"). */
struct ef_reply_budget {
	__u64 at;     /* jiffies of the last refill */
	__u64 tokens; /* replies this CPU may still send */
};

/* ---- Counters ---- */

/* Per-VIP and per-backend traffic (per-CPU; user space sums the CPUs). */
struct ef_traffic {
	__u64 packets;	 /* packets forwarded */
	__u64 bytes;	 /* bytes forwarded, as received (before encapsulation) */
	__u64 new_flows; /* flows that took a fresh table choice */
};

/*
 * Verdict reasons of the LB program: one global per-CPU counter each.
 * X(enum suffix, name, description); the name is what `evenflow stats` prints.
 */
#define EF_VERDICT_LIST(X)                                                                         \
	X(PASS_NOT_OURS, "pass_not_ours",                                                          \
	  "not sent to the device's MAC (broadcast, multicast, another host's) or tagged "         \
	  "with a VLAN not configured on it, passed untouched")                                    \
	X(PASS_NOT_IP, "pass_not_ip", "not IPv4/IPv6 (ARP, LLDP, ...), passed to the kernel")      \
	X(PASS_NOT_VIP, "pass_not_vip", "IP but not for a VIP, passed to the kernel")              \
	X(DROP_MALFORMED, "drop_malformed", "truncated frame or invalid header, dropped")          \
	X(DROP_FRAGMENT, "drop_fragment",                                                          \
	  "IP fragment to a VIP address of another protocol than TCP or UDP, dropped")             \
	X(DROP_FRAG_NO_FIRST, "drop_frag_no_first",                                                \
	  "later IP fragment to a VIP address whose first fragment was not seen here (or its "     \
	  "backend is gone), dropped")                                                             \
	X(DROP_NO_BACKEND, "drop_no_backend", "VIP has no backend up, dropped")                    \
	X(DROP_FIB_MISS, "drop_fib_miss", "no route to the backend, dropped")                      \
	X(DROP_FWD_DISABLED, "drop_fwd_disabled", "forwarding disabled on the ingress device")     \
	X(DROP_NO_NEIGH, "drop_no_neigh", "next hop's neighbour entry unresolved, dropped")        \
	X(DROP_NOT_ONLINK, "drop_not_onlink", "l2 backend not on a directly connected network")    \
	X(DROP_TOO_BIG, "drop_too_big", "forwarded packet exceeds the egress MTU, dropped")        \
	X(ICMP_TOO_BIG, "icmp_too_big",                                                            \
	  "too big for the tunnel: ICMP 'too big' sent to the client")                             \
	X(ICMP_ECHO_REPLY, "icmp_echo_reply", "ICMP echo to a VIP address, answered")              \
	X(DROP_REPLY_LIMIT, "drop_reply_limit",                                                    \
	  "a reply (echo, too big) over this CPU's budget (--reply-rate): not sent, dropped")      \
	X(DROP_BAD_BACKEND, "drop_bad_backend",                                                    \
	  "backend entry unusable (family mismatch), dropped")                                     \
	X(DROP_ENCAP_FAIL, "drop_encap_fail", "could not grow the frame for encapsulation")        \
	X(FWD_ICMP_ERROR, "fwd_icmp_error",                                                        \
	  "ICMP error about a reply from a VIP, forwarded to the backend of its flow")             \
	X(FWD_TX, "fwd_tx", "forwarded out of the ingress device (XDP_TX)")                        \
	X(FWD_REDIRECT, "fwd_redirect", "forwarded to another device (devmap redirect)")

#define EF_VERDICT_ENUM(name, str, desc) EF_V_##name,
enum ef_verdict { EF_VERDICT_LIST(EF_VERDICT_ENUM) EF_V_MAX };
#undef EF_VERDICT_ENUM

/*
 * Connection-table events (one global per-CPU counter each, not one per
 * packet): X(enum suffix, name, description), as for the verdicts.
 */
#define EF_CT_STAT_LIST(X)                                                                         \
	X(INSERT, "ct_inserts", "flows given an entry (new, or their old entry stale)")            \
	X(EVICT_LIVE, "ct_evictions_live",                                                         \
	  "live entries of one-packet flows replaced by a new flow's")                             \
	X(NO_ENTRY, "ct_no_entry",                                                                 \
	  "new flows forwarded by the table's choice without an entry (bucket full of "            \
	  "established flows)")

#define EF_CT_STAT_ENUM(name, str, desc) EF_CTS_##name,
enum ef_ct_stat { EF_CT_STAT_LIST(EF_CT_STAT_ENUM) EF_CTS_MAX };
#undef EF_CT_STAT_ENUM

/* Verdict reasons of the backend-side decap program. */
#define EF_DECAP_VERDICT_LIST(X)                                                                   \
	X(PASS_NOT_IP, "pass_not_ip", "not IPv4/IPv6, passed")                                     \
	X(PASS_NOT_TUNNEL, "pass_not_tunnel", "not IPIP/IP6IP6/IPv4-in-IPv6, passed")              \
	X(PASS_NOT_LOCAL_VIP, "pass_not_local_vip", "inner destination not held here, passed")     \
	X(PASS_MALFORMED, "pass_malformed",                                                        \
	  "truncated or invalid tunnel packet, passed untouched")                                  \
	X(DECAP, "decap", "outer header stripped, inner packet passed to the kernel")

#define EF_DECAP_VERDICT_ENUM(name, str, desc) EF_DV_##name,
enum ef_decap_verdict { EF_DECAP_VERDICT_LIST(EF_DECAP_VERDICT_ENUM) EF_DV_MAX };
#undef EF_DECAP_VERDICT_ENUM

/* ---- Pinned object names (files under the pin dir) ---- */

#define EF_PIN_LB_PROG	  "evenflow_lb_prog"
#define EF_PIN_DECAP_PROG "evenflow_decap_prog"

#endif /* EVENFLOW_H */
