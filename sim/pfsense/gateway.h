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

/* What the model shows: pfSense's dpinger status with its substatus
 * folded in (gwlb.inc get_dpinger_status). GW_DELAY and GW_LOSS are
 * pfSense's status "online" with substatus "delay" / "loss" (a warning
 * above the low threshold); GW_DOWN is status "down", above a high
 * threshold, with the reason in gateway.reason. */
typedef enum gw_status { GW_ONLINE = 0, GW_DELAY, GW_LOSS, GW_DOWN } gw_status;
const char *gw_status_name(gw_status s);
bool gw_status_parse(const char *s, gw_status *out);
/* Why a gateway is down: get_dpinger_status's substatus "highdelay"
 * (average latency > latency_high, checked first) or "highloss" (loss >
 * loss_high). GW_REASON_NONE while not down. */
typedef enum gw_reason { GW_REASON_NONE = 0, GW_REASON_HIGHDELAY, GW_REASON_HIGHLOSS } gw_reason;
const char *gw_reason_name(gw_reason r);

/* Which pfSense code decides group membership (docs/models.md "Gateway
 * groups and triggers"). Both read the same statuses; they differ only in
 * which members of a group whose members are all down (Plan B) a rule's
 * route-to keeps, by the group's trigger. */
typedef enum gw_semantics {
    GW_SEM_PFSENSE_2_7 = 0, /* 2.7.2 ec956d3 (same code at the 2.8 branch point): filter.inc filter_generate_gateways */
    GW_SEM_PFSENSE_2_9_DEV, /* master 9363ac5 (2.9.0-DEVELOPMENT): gwlb.inc is_online_gateway_status */
    GW_SEM_OPNSENSE,        /* OPNsense core f95e815: Routing/GatewayGroups.php getActiveGroups, gatewayIsUp */
} gw_semantics;

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
    gw_reason reason;      /* why it is down (GW_DOWN only) */
    bool delay_loss;       /* OPNsense's "delay+loss": GW_DELAY with loss above loss_low too */
    bool was_delay_loss;   /* delay_loss before the evaluation that called status_changed */
    double loss;           /* last evaluated loss, percent */
    sim_time latency;      /* last evaluated average latency */
    sim_event_id probe_ev, alert_ev;
    uint64_t probes_sent, replies;
};

/* pfSense's group triggers (system_gateway_groups_edit.php: "down",
 * "downloss", "downlatency", "downlosslatency"). */
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
    /* The evaluated status changed (pfSense rc.gateway_alarm); under
     * GW_SEM_OPNSENSE also when only delay_loss changed (from == to). */
    void (*status_changed)(void *ctx, gateway *g, gw_status from, gw_status to);
} gw_ops;

struct gw_set {
    sim_engine *eng;
    gw_ops ops;
    gateway **g;
    size_t n, cap;
    gw_group *groups;
    size_t ngroups, gcap;
    gw_semantics semantics; /* default GW_SEM_PFSENSE_2_7 */
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
 * every alert interval); *reason (may be NULL) gets why it is down. */
gw_status gw_evaluate(gateway *g, gw_reason *reason);

/* Does get_gwgroup_members_inner put the gateway in its tier? Only a
 * gateway that is down leaves, whatever the group's trigger, in both
 * versions (2.7.2: stristr(status, "down"); master:
 * is_online_gateway_status(status) without the trigger). */
bool gw_member_up(const gateway *g);
/* Does filter_generate_gateways keep this member of get_gwgroup_members_inner's
 * result in a rule's route-to, under the trigger and the version? Every
 * member that is up is kept; the trigger decides only for members that
 * are down, which reach it only through Plan B. */
bool gw_route_to_keeps(gw_semantics sem, gw_trigger trigger, const gateway *g);
/* pfSense fixup_default_gateway for a failover group: the best (lowest)
 * tier with a member that is up (none up at all: every member counts,
 * get_gwgroup_members_inner's "Plan B", so the lowest tier); the current
 * gateway is kept when it is a member of that tier, else the tier's first
 * member. The trigger plays no part. NULL only for a group without
 * members. */
gateway *gw_group_pick(const gw_group *grp, const gateway *current);
/* pfSense get_gwgroup_members_inner (via return_gateway_groups_array):
 * the members of the best tier (Plan B as above), in configuration order.
 * *plan_b (may be NULL) tells whether no member was up. Returns how many
 * were written (<= max). */
size_t gw_group_best_tier(const gw_group *grp, gateway **out, size_t max, bool *plan_b);
/* What a filter rule naming the group route-to's (round-robin when more
 * than one): the best tier's members that gw_route_to_keeps. 0: the rule
 * has no route-to (filter_generate_gateways writes an empty GW macro).
 * GW_SEM_OPNSENSE: getActiveGroups instead - the lowest tier with a member
 * gw_opn_member_up, those members; none: every member of tier 1 (0 when
 * tier 1 has none: Plugin::setGatewayGroups maps no route-to). */
size_t gw_group_route_to(const gw_group *grp, gw_semantics sem, gateway **out, size_t max);
/* OPNsense GatewayGroups::gatewayIsUp: is a member in a group with this
 * trigger usable, given its status and whether it is "delay+loss"? "down"
 * never; "delay" unless the trigger has latency, "loss" unless it has
 * loss, "delay+loss" unless it has either; online always. */
bool gw_opn_member_up(gw_trigger trigger, gw_status st, bool delay_loss);
/* OPNsense's name of a status (dpinger.inc dpinger_status): "delay+loss"
 * when delay_loss, else gw_status_name. */
const char *gw_opn_status_name(gw_status st, bool delay_loss);

#endif /* SIM_GATEWAY_H */
