/*
 * xml.h — the import library's view of a parsed config.xml (libxml2), for
 * the readers: element lookup by name and path, trimmed text, line numbers.
 * Internal to import/.
 */
#ifndef WGSIM_IMPORT_XML_H
#define WGSIM_IMPORT_XML_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

/* First element child named name (NULL: none). */
xmlNode *ix_child(const xmlNode *n, const char *name);
/* The element at a '/'-separated path below n. */
xmlNode *ix_path(const xmlNode *n, const char *path);
/* Next element sibling named name, after n. */
xmlNode *ix_next(const xmlNode *n, const char *name);
/* Trimmed text of the child named name into buf; NULL when the child is
 * absent (an empty element gives ""). */
const char *ix_text(const xmlNode *n, const char *name, char *buf, size_t cap);
/* Trimmed text of n itself. */
const char *ix_own_text(const xmlNode *n, char *buf, size_t cap);
bool ix_has(const xmlNode *n, const char *name);
/* A child's value as an integer; dflt when absent or empty, -1 when not a number. */
long ix_int(const xmlNode *n, const char *name, long dflt);
int ix_line(const xmlNode *n);
/* True for PHP-style "set" values: present and not "no"/"off"/"0"/""?
 * pfSense tests many flags with isset(): present at all is set. */
bool ix_flag(const xmlNode *n, const char *name);
bool ix_yes(const xmlNode *n, const char *name); /* "yes", "on", "1", "true", "enabled" */
/* PHP !empty(): present with text other than "" and "0". OPNsense tests its
 * flags so (MVC BooleanField "0"/"1"; legacy code uses empty()). */
bool ix_set(const xmlNode *n, const char *name);

#define IX_FOR(c, parent, name) for (xmlNode *c = ix_child((parent), (name)); c; c = ix_next(c, (name)))

#endif
