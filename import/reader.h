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

/* A <vip> of mode carp or ipalias on interface iface (already resolved);
 * other modes and out-of-range values are listed as unmodelled. */
void imp_read_vip(imp_fw *fw, const xmlNode *v, const char *xp, const char *iface);

/* A <gateway_item>'s dpinger thresholds (0 = the default). */
void imp_read_thresholds(const xmlNode *g, imp_gateway *p);

/* A group <trigger> in the scenario's spelling ("down" when unknown). */
const char *imp_trigger(const char *cfg);

/* A rule's <protocol>: "tcp/udp" is two scenario rules; 0 = not modelled. */
int imp_protocols(const char *p, const char *out[2]);

/* A key's 16-byte BLAKE2b (keys are only compared, never kept). */
bool imp_key_hash(const xmlNode *n, const char *name, uint8_t out[16]);

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
