/*
 * pfsense.h — the pfSense reader's parts (internal to import/): each reads
 * one area of a <pfsense> document into the model.
 */
#ifndef WGSIM_IMPORT_PFSENSE_H
#define WGSIM_IMPORT_PFSENSE_H

#include <libxml/tree.h>

#include "import/import.h"

bool imp_pfsense_read_net(xmlNode *root, imp_fw *fw);   /* pfsense_net.c */
void imp_pfsense_read_rules(xmlNode *root, imp_fw *fw); /* pfsense_rules.c */
void imp_pfsense_read_wg(xmlNode *root, imp_fw *fw);    /* pfsense_wg.c */
void imp_pfsense_read_other(xmlNode *root, imp_fw *fw); /* pfsense_other.c */

/* pfsense_match.c: a rule's <source>/<destination> and its ports, aliases
 * expanded. Returns the number of matches written to out (each side one
 * address x one port), 0 with why set when it cannot be expressed. */
size_t imp_pfsense_match(xmlNode *root, const xmlNode *side, imp_match *out, size_t cap, char *why, size_t whycap);

#endif
