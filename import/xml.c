/*
 * xml.c — loading a configuration backup with libxml2 and the element
 * helpers of xml.h. A backup can come from anywhere, so the parser never
 * touches the network (XML_PARSE_NONET), never substitutes entities, and a
 * document with a DOCTYPE is refused outright (config.xml has none; that is
 * where entity tricks live). Parse errors come through the structured
 * error handler as FILE:LINE: message.
 */
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/import.h"
#include "import/xml.h"

xmlNode *ix_next(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->next : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

xmlNode *ix_child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

xmlNode *ix_path(const xmlNode *n, const char *path)
{
    char buf[256];
    imp_copy(buf, sizeof buf, path);
    xmlNode *cur = (xmlNode *)n;
    char *save = NULL;
    for (char *p = strtok_r(buf, "/", &save); p && cur; p = strtok_r(NULL, "/", &save))
        cur = ix_child(cur, p);
    return cur;
}

const char *ix_own_text(const xmlNode *n, char *buf, size_t cap)
{
    buf[0] = 0;
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    const char *s = t ? (const char *)t : "";
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    imp_copy(buf, cap, s);
    size_t l = strlen(buf);
    while (l && (buf[l - 1] == ' ' || buf[l - 1] == '\t' || buf[l - 1] == '\n' || buf[l - 1] == '\r'))
        buf[--l] = 0;
    xmlFree(t);
    return buf;
}

const char *ix_text(const xmlNode *n, const char *name, char *buf, size_t cap)
{
    xmlNode *c = ix_child(n, name);
    if (!c) {
        buf[0] = 0;
        return NULL;
    }
    return ix_own_text(c, buf, cap);
}

bool ix_has(const xmlNode *n, const char *name)
{
    return ix_child(n, name) != NULL;
}

long ix_int(const xmlNode *n, const char *name, long dflt)
{
    char buf[32];
    if (!ix_text(n, name, buf, sizeof buf) || !buf[0])
        return dflt;
    char *end;
    long v = strtol(buf, &end, 10);
    return *end || v < 0 ? -1 : v;
}

int ix_line(const xmlNode *n)
{
    return n ? (int)xmlGetLineNo(n) : 0;
}

bool ix_flag(const xmlNode *n, const char *name)
{
    return ix_has(n, name);
}

bool ix_yes(const xmlNode *n, const char *name)
{
    char buf[16];
    if (!ix_text(n, name, buf, sizeof buf))
        return false;
    return !strcasecmp(buf, "yes") || !strcasecmp(buf, "on") || !strcmp(buf, "1") || !strcasecmp(buf, "true") ||
           !strcasecmp(buf, "enabled");
}

bool ix_set(const xmlNode *n, const char *name)
{
    char buf[8];
    return ix_text(n, name, buf, sizeof buf) && buf[0] && strcmp(buf, "0");
}

typedef struct parse_ctx {
    imp_errors *err;
    const char *path;
    int reported;
} parse_ctx;

/* libxml2's structured errors: the first few, each as FILE:LINE: message. */
static void on_error(void *user, xmlErrorPtr e)
{
    parse_ctx *pc = user;
    if (!e || e->level < XML_ERR_ERROR || pc->reported >= 5)
        return;
    char msg[256];
    imp_copy(msg, sizeof msg, e->message ? e->message : "XML error");
    size_t l = strlen(msg);
    while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
        msg[--l] = 0;
    imp_error(pc->err, pc->path, e->line > 0 ? e->line : 1, "XML: %s", msg);
    pc->reported++;
}

/* libxml2 keeps no line for a DTD node: find "<!DOCTYPE" in the bytes,
 * or in the file when there are none. */
static int doctype_line(const char *path, const char *bytes, size_t len)
{
    FILE *f = bytes ? NULL : fopen(path, "rb");
    if (!bytes && !f)
        return 1;
    int line = 1, c, matched = 0;
    static const char pat[] = "<!DOCTYPE";
    for (size_t i = 0; matched < 9; i++) {
        c = bytes ? (i < len ? (unsigned char)bytes[i] : EOF) : fgetc(f);
        if (c == EOF)
            break;
        if (c == '\n')
            line++;
        matched = c == pat[matched] ? matched + 1 : (c == '<' ? 1 : 0);
    }
    if (f)
        fclose(f);
    return line;
}

/* Parses a backup from a file (bytes == NULL) or from memory. */
static imp_fw *read_backup(const char *path, const char *bytes, size_t len, imp_errors *err)
{
    parse_ctx pc = {.err = err, .path = path};
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        imp_error(err, path, 0, "cannot create an XML parser");
        return NULL;
    }
    xmlSetStructuredErrorFunc(&pc, on_error);
    /* NONET: no network; no NOENT: entities are not substituted; no DTD loading. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOBLANKS;
    xmlDocPtr doc = bytes ? xmlCtxtReadMemory(ctxt, bytes, len > INT32_MAX ? INT32_MAX : (int)len, path, NULL, opts)
                          : xmlCtxtReadFile(ctxt, path, NULL, opts);
    xmlSetStructuredErrorFunc(NULL, NULL);
    /* an undefined namespace prefix is an error libxml2 reports on a
     * document it still calls well-formed (nsWellFormed): backups use no
     * namespaces, so it is refused like any other XML error */
    bool wellformed = ctxt->wellFormed && ctxt->nsWellFormed;
    xmlFreeParserCtxt(ctxt);
    if (!doc || !wellformed) {
        if (!pc.reported)
            imp_error(err, path, 0, "cannot read the file as XML (missing, unreadable or empty)");
        if (doc)
            xmlFreeDoc(doc);
        return NULL;
    }
    if (doc->intSubset || doc->extSubset) {
        imp_error(err, path, doctype_line(path, bytes, len),
                  "a DOCTYPE declaration: configuration backups have none, and its entities are not expanded; "
                  "refused");
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    imp_fw *fw = imp_xcalloc(1, sizeof *fw, "firewall model");
    imp_copy(fw->file, sizeof fw->file, path);
    imp_clean_text(fw->file); /* written in comments and messages */
    fw->resolve_interval = -1;
    fw->aliases_resolve_interval = -1;
    bool ok = false;
    if (root && !strcmp((const char *)root->name, "pfsense")) {
        fw->product = IMP_PFSENSE;
        ok = imp_pfsense_read(doc, fw, err);
    } else if (root && !strcmp((const char *)root->name, "opnsense")) {
        fw->product = IMP_OPNSENSE;
        ok = imp_opnsense_read(doc, fw, err);
    } else {
        imp_error(err, path, root ? ix_line(root) : 1,
                  "root element <%s>: not a firewall configuration backup (expected <pfsense> or <opnsense>)",
                  root ? (const char *)root->name : "");
    }
    xmlFreeDoc(doc);
    if (!ok) {
        imp_fw_free(fw);
        return NULL;
    }
    return fw;
}

imp_fw *imp_read_file(const char *path, imp_errors *err)
{
    return read_backup(path, NULL, 0, err);
}

imp_fw *imp_read_bytes(const char *name, const char *bytes, size_t len, imp_errors *err)
{
    return read_backup(name, bytes ? bytes : "", len, err);
}
