/*
 * gateway.h — internal interface of the multi-WAN model (sim/pfsense/gateway.c):
 * a dpinger-like gateway monitor, gateway status, gateway groups with tiers
 * and the choice of the default gateway.
 *
 * The model sends nothing itself: the firewall node gives it a callback
 * that sends one ICMP echo request per probe through the simulated network
 * and feeds back the replies (gw_probe_reply). Timers run on sim_engine.
 *
 * Sources: ha-model.md §3 (GW = pfSense gwlb.inc, DP = dpinger NOTES.md,
 * D:routing/gateway-settings); docs/models.md "Gateways".
 */
#ifndef SIM_GATEWAY_H
#define SIM_GATEWAY_H

#include "sim/sim.h"

typedef enum gw_status { GW_ONLINE = 0, GW_DELAY, GW_LOSS, GW_DOWN } gw_status;
const char *gw_status_name(gw_status s);
bool gw_status_parse(const char *s, gw_status *out);

typedef struct gw_monitor_options {
    sim_time probe_interval; /* 500 ms */
    sim_time loss_interval;  /* 2000 ms: a probe unanswered this long is lost */
    sim_time time_period;    /* 60000 ms: the averaging window */
    sim_time alert_interval; /* 1000 ms: how often the status is evaluated */
    sim_time latency_low, latency_high; /* 200 / 500 ms */
    double loss_low, loss_high;         /* 10 / 20 % */
} gw_monitor_options;
void gw_monitor_options_default(gw_monitor_options *o);

enum { GW_SLOT_EMPTY = 0, GW_SLOT_SENT, GW_SLOT_RECEIVED };
typedef struct gw_slot {
    uint8_t status;
    uint16_t seq;
    sim_time sent, latency;
} gw_slot;

typedef struct gateway gateway;
typedef struct gw_set gw_set;

struct gateway {
    gw_set *set;
    char name[32];
    char ifname[16];
    uint32_t addr;         /* the gateway, host order */
    uint32_t monitor;      /* probe target (defaults to addr) */
    bool monitor_disabled; /* pfSense "disable gateway monitoring": always online */
    gw_monitor_options opt;
    gw_slot *slots;
    size_t nslots, next;
    uint16_t seq;
    gw_status status;
    double loss;           /* last evaluated loss, percent */
    sim_time latency;      /* last evaluated average latency */
    sim_event_id probe_ev, alert_ev;
    uint64_t probes_sent, replies;
};

typedef enum gw_trigger { GW_TRIGGER_DOWN = 0, GW_TRIGGER_LOSS, GW_TRIGGER_LATENCY, GW_TRIGGER_LOSS_OR_LATENCY } gw_trigger;

typedef struct gw_member {
    gateway *gw;
    int tier; /* 1..5, lower preferred */
} gw_member;

typedef struct gw_group {
    char name[32];
    gw_member *m;
    size_t n;
    gw_trigger trigger; /* default: member down */
} gw_group;

typedef struct gw_ops {
    void *ctx;
    /* Send one echo request to g->monitor with this sequence number. */
    void (*send_probe)(void *ctx, gateway *g, uint16_t seq);
    /* The evaluated status changed (pfSense rc.gateway_alarm). */
    void (*status_changed)(void *ctx, gateway *g, gw_status from, gw_status to);
} gw_ops;

struct gw_set {
    sim_engine *eng;
    gw_ops ops;
    gateway **g;
    size_t n, cap;
    gw_group *groups;
    size_t ngroups, gcap;
};

void gw_set_init(gw_set *s, sim_engine *eng, const gw_ops *ops);
void gw_set_free(gw_set *s);
/* NULL on a duplicate name or out of memory. opt NULL = defaults. */
gateway *gw_add(gw_set *s, const char *name, const char *ifname, uint32_t addr, uint32_t monitor,
                const gw_monitor_options *opt);
gateway *gw_find(const gw_set *s, const char *name);
gw_group *gw_group_add(gw_set *s, const char *name, gw_trigger trigger);
bool gw_group_add_member(gw_group *g, gateway *gw, int tier);
gw_group *gw_group_find(const gw_set *s, const char *name);

/* Starts / stops probing (dpinger start on boot; stop on power-off). */
void gw_start(gateway *g);
void gw_stop(gateway *g);
void gw_start_all(gw_set *s);
void gw_stop_all(gw_set *s);
/* An echo reply for seq arrived now. */
void gw_probe_reply(gateway *g, uint16_t seq);
/* Recomputes loss/latency over the window and the status now (also run
 * every alert interval). */
gw_status gw_evaluate(gateway *g);

/* Is the member usable under the group's trigger? */
bool gw_member_usable(const gw_group *grp, const gateway *g);
/* pfSense fixup_default_gateway for a failover group: the best (lowest)
 * tier with a usable member (no usable member at all: every member counts,
 * get_gwgroup_members_inner's "Plan B"); the current gateway is kept when
 * it is a member of that tier, else the tier's first member. NULL only
 * for a group without members. */
gateway *gw_group_pick(const gw_group *grp, const gateway *current);
/* pfSense return_gateway_groups_array: the usable members of the best
 * tier (Plan B as above), in configuration order (what a filter rule naming the group
 * route-to's round-robin). Returns how many were written (<= max). */
size_t gw_group_best_tier(const gw_group *grp, gateway **out, size_t max);

#endif /* SIM_GATEWAY_H */
