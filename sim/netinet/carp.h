/*
 * carp.h — internal interface of the CARP model (sim/netinet/carp.c): the FreeBSD
 * CARPv2 state machine per vhid and the advertisement wire format.
 *
 * The model knows nothing about frames or nodes: the firewall node feeds it
 * received advertisements and interface/link changes and gives it callbacks
 * to send an advertisement, send a gratuitous ARP and report state changes.
 * Timers run on the sim_engine interface.
 *
 * Rules and numbers: ../shared/reference/ha-model.md §1 (tags C, CH, M4, IFS)
 * and FreeBSD sys/netinet/ip_carp.c; see docs/models.md, "CARP".
 */
#ifndef SIM_CARP_H
#define SIM_CARP_H

#include "sim/sim.h"

/* ip_carp.h: CARP_DFLTTL, CARP_VERSION, CARP_ADVERTISEMENT, CARP_KEY_LEN,
 * CARP_MAXSKEW; ha-model.md §1.1 and §1.3. */
#define CARP_PROTO 112          /* IPPROTO_CARP */
#define CARP_GROUP_V4 0xe0000012u /* 224.0.0.18, host order */
#define CARP_DFLTTL 255
#define CARP_VERSION 2
#define CARP_TYPE_ADVERTISEMENT 1
#define CARP_AUTHLEN 7          /* carp_authlen: the value carp_send_ad_locked always sends */
#define CARP_HDR_LEN 36
#define CARP_KEY_LEN 20
#define CARP_MAXSKEW 240
#define CARP_MAX_ADVSKEW 254    /* advskew >= 255 is EINVAL (carp_ioctl) */
#define CARP_IFDOWN_DEMOTION 240 /* net.inet.carp.ifdown_demotion_factor */
#define CARP_SENDERR_DEMOTION 240 /* net.inet.carp.senderr_demotion_factor */
#define CARP_SENDAD_MAX_ERRORS 3  /* ip_carp.c: errors that trigger the senderr demotion */
#define CARP_SENDAD_MIN_SUCCESS 3 /* ip_carp.c: good sends that reset the error count (and revert it) */
#define CARP_MAX_VIPS 16

/* A decoded advertisement header (host order). */
typedef struct carp_ad {
    uint8_t version, type, vhid, advskew, authlen, advbase;
    uint16_t cksum;
    uint64_t counter;
    uint8_t md[20];
} carp_ad;

/* Why an advertisement was dropped on input (carpstats counters). */
typedef enum carp_input_result {
    CARP_IN_OK = 0,
    CARP_IN_BAD_TTL,     /* carps_badttl */
    CARP_IN_BAD_LEN,     /* carps_badlen */
    CARP_IN_BAD_CKSUM,   /* carps_badsum */
    CARP_IN_BAD_VERSION, /* carps_badver */
    CARP_IN_BAD_VHID,    /* carps_badvhid: no address with this vhid on the interface */
    CARP_IN_BAD_AUTH,    /* carps_badauth: HMAC mismatch */
    CARP_IN_IGNORED,     /* valid, but the vhid is in INIT */
    CARP_IN__COUNT
} carp_input_result;
const char *carp_input_result_name(carp_input_result r);

/* Wire format (ip_carp.h struct carp_header, ip_carp.c carp_prepare_ad /
 * carp_hmac_prepare / carp_hmac_generate). vips are IPv4 addresses in host
 * order, any order (the HMAC sorts them ascending). */
void carp_key_from_pass(uint8_t key[CARP_KEY_LEN], const char *pass);
void carp_hmac(uint8_t md[20], const uint8_t key[CARP_KEY_LEN], uint8_t vhid, const uint32_t *vips,
               size_t n_vips, uint64_t counter);
void carp_ad_encode(uint8_t out[CARP_HDR_LEN], uint8_t vhid, uint8_t advbase, uint8_t advskew,
                    uint64_t counter, const uint8_t key[CARP_KEY_LEN], const uint32_t *vips, size_t n_vips);
/* Parses and checks length, Internet checksum, version and type. */
carp_input_result carp_ad_decode(const uint8_t *b, size_t len, carp_ad *out);
/* 16-bit one's complement Internet checksum (RFC 1071) of len bytes. */
uint16_t carp_inet_cksum(const uint8_t *b, size_t len);

typedef enum carp_state { CARP_INIT = 0, CARP_BACKUP, CARP_MASTER } carp_state;
const char *carp_state_name(carp_state s);

typedef struct carp carp;
typedef struct carp_vhid carp_vhid;

typedef struct carp_host_ops {
    void *ctx;
    /* Send a 36-byte advertisement for v on its interface (IP proto 112 to
     * 224.0.0.18, TTL 255, Ethernet source = vMAC). Returns 0, or non-zero
     * when the stack refused it (ip_output's error): counted for the
     * senderr demotion (carp_send_ad_error). */
    int (*send_ad)(void *ctx, carp_vhid *v, const uint8_t ad[CARP_HDR_LEN]);
    /* One gratuitous ARP request for an IPv4 VIP (carp_send_arp). */
    void (*send_garp)(void *ctx, carp_vhid *v, uint32_t vip);
    /* State change, with the reason FreeBSD logs. Optional. */
    void (*state_changed)(void *ctx, carp_vhid *v, carp_state from, carp_state to, const char *why);
    /* The demotion or a vhid's advskew changed (for the host's change
     * log). Optional. */
    void (*changed)(void *ctx);
} carp_host_ops;

struct carp_vhid {
    carp *c;
    uint32_t ifindex; /* parent interface (host-defined) */
    uint8_t vhid;
    uint8_t advbase;  /* seconds, 1..255 */
    uint8_t advskew;  /* configured, 0..254 */
    uint8_t key[CARP_KEY_LEN];
    uint32_t vips[CARP_MAX_VIPS]; /* host order */
    size_t n_vips;
    carp_state state;
    bool if_up;       /* parent IFF_UP and link up */
    bool suppress;    /* sc_suppress: ifdown demotion applied */
    bool init_counter; /* sc_init_counter: draw a random counter before the next ad */
    uint64_t counter;
    int sendad_errors, sendad_success; /* sc_sendad_errors / sc_sendad_success */
    sim_event_id ad_tmo, md_tmo;
    uint64_t ads_sent, ads_received;
    uint64_t in_drops[CARP_IN__COUNT];
    void *user;       /* for the host */
};

struct carp {
    sim_engine *eng;
    sim_rng *rng;
    carp_host_ops ops;
    bool preempt;     /* net.inet.carp.preempt; pfSense forces 1 */
    bool allow;       /* net.inet.carp.allow */
    int demotion;     /* net.inet.carp.demotion (global, signed) */
    int ifdown_factor;
    int senderr_factor; /* net.inet.carp.senderr_demotion_factor */
    carp_vhid **v;
    size_t n, cap;
};

/* preempt defaults to true (pfSense), allow to true, demotion 0. */
void carp_init(carp *c, sim_engine *eng, sim_rng *rng, const carp_host_ops *ops);
/* Stops every timer and frees the vhids (power-off: nothing is sent). */
void carp_destroy(carp *c);

/* Adds a vhid in INIT; it moves to BACKUP at once when its interface is up
 * (carp_set_if) and allow is on. Returns NULL on bad arguments (vhid 0,
 * advbase 0, advskew > 254, duplicate vhid on the interface, too many VIPs). */
carp_vhid *carp_add_vhid(carp *c, uint32_t ifindex, uint8_t vhid, uint8_t advbase, uint8_t advskew,
                         const uint8_t key[CARP_KEY_LEN], const uint32_t *vips, size_t n_vips);
carp_vhid *carp_find(const carp *c, uint32_t ifindex, uint8_t vhid);
carp_vhid *carp_find_vip(const carp *c, uint32_t vip);

/* Interface up + link up changed (carp_linkstate / carp_ifdown -> carp_sc_state). */
void carp_set_if(carp *c, uint32_t ifindex, bool up);
/* net.inet.carp.allow (pfSense "Temporarily Disable CARP" writes 0). */
void carp_set_allow(carp *c, bool allow);
/* The vhid's last address was removed (carp_detach -> carp_destroy): timers
 * stop, state INIT, an ifdown demotion it applied is taken back; the vhid
 * comes back as a fresh softc (new random counter, no send errors) when
 * its addresses are configured again. */
void carp_vhid_addrs_removed(carp_vhid *v);
/* `ifconfig IF vhid N advskew S` (SIOCSVH): changes the value only; the
 * running timers keep their current expiry. false for S > 254. */
bool carp_set_advskew(carp_vhid *v, unsigned advskew);
/* net.inet.carp.demotion: a write of adj ADDS adj (carp_demote_adj); every
 * MASTER sends an advertisement at once (carp_send_ad_all). */
void carp_demote(carp *c, int adj);
/* The skew a vhid advertises: min(max(advskew + demotion, 0), 240). */
unsigned carp_demoted_skew(const carp_vhid *v);

/* A received advertisement on ifindex with its IP TTL. */
carp_input_result carp_input(carp *c, uint32_t ifindex, uint8_t ttl, const uint8_t *payload, size_t len);

/* vMAC 00:00:5e:00:01:VHID (ip_carp.c carp_set_state / carp_forus). */
void carp_vmac(uint8_t vhid, uint8_t mac[6]);

#endif /* SIM_CARP_H */
