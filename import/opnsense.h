/*
 * opnsense.h — the OPNsense reader's parts (internal to import/): each reads
 * one area of an <opnsense> document into the model. OPNsense tests its
 * flags with PHP empty(), so "0" is off (ix_set), unlike pfSense's isset().
 */
#ifndef WGSIM_IMPORT_OPNSENSE_H
#define WGSIM_IMPORT_OPNSENSE_H

#include <libxml/tree.h>

#include "import/import.h"

void imp_opnsense_read_net(xmlNode *root, imp_fw *fw);   /* opnsense_net.c */
void imp_opnsense_read_rules(xmlNode *root, imp_fw *fw); /* opnsense_rules.c */
void imp_opnsense_read_wg(xmlNode *root, imp_fw *fw);    /* opnsense_wg.c */

/* opnsense_match.c: one side of a rule given as OPNsense's rule code sees
 * it (net: "any", an address, a CIDR, a comma list, an interface name "lan",
 * "lanip", "(self)" or an alias; negated; port: a port, a range or a port
 * alias). Returns the matches written to out, 0 with why set when the
 * scenario cannot express it. */
size_t imp_opnsense_match(xmlNode *root, const char *net, bool negated, const char *port, imp_match *out, size_t cap,
                          char *why, size_t whycap);

#endif
