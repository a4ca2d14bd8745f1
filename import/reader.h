/*
 * reader.h — pieces the pfSense and the OPNsense readers share (internal to
 * import/): OPNsense's legacy sections keep pfSense's shape, so an
 * interface's address, a virtual IP, a gateway's monitor thresholds, a
 * group trigger and a rule's protocol read the same in both.
 */
#ifndef WGSIM_IMPORT_READER_H
#define WGSIM_IMPORT_READER_H

#include <libxml/tree.h>

#include "import/import.h"

/* <ipaddr>/<subnet> (an address, a dynamic kind, nothing) of interface
 * element x into i, with the IPv6 and MAC settings of x listed as
 * unmodelled. xp is x's XPath. */
void imp_read_ifaddr(imp_fw *fw, const xmlNode *x, imp_iface *i, const char *xp);

/* A VIP's <interface>: "_vipID" names another VIP (pfSense by <uniqid>,
 * older OPNsense by uuid), whose interface it lives on; *parent_vhid is
 * that VIP's vhid when it is a CARP VIP. False: no such VIP. */
bool imp_vip_iface(const xmlNode *vips, const char *ifname, bool by_uuid, char *out, size_t cap, int *parent_vhid);

/* A <vip> of mode carp or ipalias on interface iface (already resolved);
 * other modes, out-of-range values and an IP alias stacked on CARP vhid
 * parent_vhid (non-zero) are listed as unmodelled. */
void imp_read_vip(imp_fw *fw, const xmlNode *v, const char *xp, const char *iface, int parent_vhid);

/* A gateway's <monitor>, its monitor_off (set by the caller) and <weight>
 * listed when not modelled, and its thresholds. */
void imp_read_monitor(imp_fw *fw, const xmlNode *g, const char *xp, const char *name, imp_gateway *p);

/* A static route (<network>, <gateway> naming a gateway or group already
 * read); a disabled one is listed as such. */
void imp_read_route(imp_fw *fw, const xmlNode *r, const char *xp, bool disabled);

/* A <gateway_item>'s dpinger thresholds (0 = the default). */
void imp_read_thresholds(const xmlNode *g, imp_gateway *p);

/* A group <trigger> in the scenario's spelling ("down" when unknown). */
const char *imp_trigger(const char *cfg);

/* False, with the gateway listed at xp, when its name reads as an IPv4
 * address: neither GUI accepts one, and a route's or rule's via would
 * take it for the address. */
bool imp_gateway_name_ok(imp_fw *fw, const xmlNode *g, const char *xp, const char *name);

/* A filter rule's <gateway> (policy routing) into out (cap IMP_NAME):
 * kept on a pass rule naming a gateway or group of fw; on another rule
 * type listed as ignored (both products add route-to to pass rules only),
 * naming nothing known listed as dropped. xp is the rule's XPath. */
void imp_rule_gateway(imp_fw *fw, int line, const char *xp, const char *type, const char *gw, char *out);

/* Port forwards: every <nat><rule> (forward.c). */
void imp_read_forwards(xmlNode *root, imp_fw *fw);

/* A new gateway group from <gateway_group> g: name, trigger, line. */
imp_group *imp_read_group(imp_fw *fw, const xmlNode *g);
/* Adds member gw (a gateway of fw, else listed at it/xp) at tier 1-5. */
bool imp_add_member(imp_fw *fw, imp_group *p, const char *gw, int tier, const xmlNode *it, const char *xp);
/* Drops a group that got no member. */
void imp_group_done(imp_fw *fw);

/* <nat><outbound><mode>: automatic (also absent), hybrid, advanced, disabled. */
imp_nat_mode imp_read_nat_mode(xmlNode *root);

/* A rule's <protocol>: "tcp/udp" is two scenario rules; 0 = not modelled. */
int imp_protocols(const char *p, const char *out[2]);

/* A key's 16-byte BLAKE2b (keys are only compared, never kept). */
bool imp_key_hash(const xmlNode *n, const char *name, uint8_t out[16]);

/* A reader's aliases: the type and the entries (separated by white space,
 * commas or newlines) of the alias named name; false when there is none. */
typedef bool (*imp_alias_fn)(xmlNode *root, const char *name, char *type, size_t tc, char *content, size_t cc);

/* One rule side's addresses and ports, aliases expanded (rule_side.c). */
typedef struct imp_side {
    imp_prefix addr[IMP_MATCH_MAX];
    size_t naddr;
    int port[IMP_MATCH_MAX];
    size_t nport;
} imp_side;
/* Adds the entries of items (addresses, networks, aliases); false with why. */
bool imp_side_addrs(xmlNode *root, imp_alias_fn alias, const char *items, imp_side *s, char *why, size_t whycap);
/* Adds a port, a one-port range or a port alias (NULL or "": any). */
bool imp_side_ports(xmlNode *root, imp_alias_fn alias, const char *item, imp_side *s, char *why, size_t whycap);
/* base x addresses x ports into out; 0 with why when more than cap. */
size_t imp_side_matches(imp_match base, const imp_side *s, imp_match *out, size_t cap, char *why, size_t whycap);

/* Configured features the simulator has no model of: every item of
 * path/item (path may have several levels) is listed by XPath - as
 * disabled (info) when the product's own test says so: pfSense's
 * <disabled/> or <disable/> present, OPNsense's disabled/disable set or
 * enabled "0". */
typedef struct imp_feature {
    const char *path; /* below the root */
    const char *item; /* the repeated element */
    const char *why;
} imp_feature;
void imp_list_features(xmlNode *root, imp_fw *fw, const imp_feature *list, size_t n);

#endif
