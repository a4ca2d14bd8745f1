/*
 * addresses.c — dynamic interfaces (DHCP, PPPoE, ...) get their address
 * from --address, because a backup holds none (pfSense
 * interfaces.inc interface_configure: ipaddr is the kind, the address is
 * leased at run time). A dynamic interface's gateway is learnt the same
 * way; the importer puts its ISP router at the first free host address of
 * the given network. pfSense names the gateway it creates for such an
 * interface DESCR_DHCP / DESCR_PPPOE (gwlb.inc return_gateways_array), and
 * so does the import when the backup has no gateway_item for it.
 */
#include <ctype.h>
#include <string.h>

#include "import/import.h"

static bool taken(imp_fw **fws, size_t n, uint32_t a)
{
    for (size_t f = 0; f < n; f++) {
        for (size_t i = 0; i < fws[f]->ifaces.n; i++)
            if (fws[f]->ifaces.v[i].kind == IMP_ADDR_STATIC && fws[f]->ifaces.v[i].addr.addr == a)
                return true;
        for (size_t i = 0; i < fws[f]->vips.n; i++)
            if (fws[f]->vips.v[i].addr.addr == a)
                return true;
    }
    return false;
}

static uint32_t free_host(imp_fw **fws, size_t n, imp_prefix p)
{
    uint32_t net = p.addr & imp_mask(p.len), size = p.len >= 31 ? 0 : (1u << (32 - p.len)) - 2;
    for (uint32_t h = 1; h <= size; h++)
        if (!taken(fws, n, net + h))
            return net + h;
    return 0;
}

static void dynamic_gateway(imp_fw *fw, imp_iface *f)
{
    bool has = false;
    for (size_t g = 0; g < fw->gateways.n; g++)
        if (!strcmp(fw->gateways.v[g].iface, f->name))
            has = true;
    if (has)
        return;
    imp_gateway *g = imp_push(&fw->gateways);
    char descr[IMP_NAME];
    imp_copy(descr, sizeof descr, f->descr[0] ? f->descr : f->name);
    for (char *c = descr; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    char kind[16];
    imp_copy(kind, sizeof kind, f->dynamic);
    for (char *c = kind; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    snprintf(g->name, sizeof g->name, "%.40s_%.15s", descr, kind);
    imp_copy(g->iface, sizeof g->iface, f->name);
    g->dynamic = true;
    g->line = f->line;
}

bool imp_apply_addresses(imp_fw **fws, size_t n, imp_options *o, imp_errors *err)
{
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        imp_fw *fw = fws[k];
        for (size_t i = 0; i < fw->ifaces.n; i++) {
            imp_iface *f = &fw->ifaces.v[i];
            if (f->kind != IMP_ADDR_DYNAMIC)
                continue;
            dynamic_gateway(fw, f);
            imp_given *g = NULL;
            for (size_t x = 0; x < o->given.n; x++)
                if (!strcmp(o->given.v[x].iface, f->name) &&
                    (!o->given.v[x].host[0] || !strcmp(o->given.v[x].host, fw->hostname)))
                    g = &o->given.v[x];
            if (!g) {
                char eg[32];
                imp_error(err, fw->file, f->line,
                          "interface %s (%s) is %s: the backup holds no address for it; give one with --address "
                          "%s%s%s=ADDR/LEN (e.g. --address %s%s%s=%s/24)",
                          f->name, f->driver, f->dynamic, n > 1 ? fw->hostname : "", n > 1 ? ":" : "", f->name,
                          n > 1 ? fw->hostname : "", n > 1 ? ":" : "", f->name,
                          imp_addr_str(0xc6336402u + (uint32_t)k, eg));
                ok = false;
                continue;
            }
            g->used = true;
            f->kind = IMP_ADDR_STATIC;
            f->addr = g->addr;
            f->given = true;
        }
    }
    for (size_t x = 0; x < o->given.n; x++)
        if (!o->given.v[x].used) {
            imp_error(err, "wgsim import", 0, "--address %s%s%s: no dynamic (DHCP/PPPoE) interface of that name%s",
                      o->given.v[x].host, o->given.v[x].host[0] ? ":" : "", o->given.v[x].iface,
                      " in the backup (static addresses are taken from the backup)");
            ok = false;
        }
    /* one node's interfaces on overlapping networks: the scenario cannot
     * say which one a neighbour is on (the loader refuses it) */
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < fws[k]->ifaces.n; i++)
            for (size_t j = 0; j < i; j++) {
                const imp_iface *a = &fws[k]->ifaces.v[j], *b = &fws[k]->ifaces.v[i];
                char x[16], y[16];
                if (a->kind != IMP_ADDR_STATIC || b->kind != IMP_ADDR_STATIC || !imp_prefix_overlap(a->addr, b->addr))
                    continue;
                imp_error(err, fws[k]->file, b->line, "interface %s (%s/%d) overlaps interface %s (%s/%d)%s%s", b->name,
                          imp_addr_str(b->addr.addr, x), b->addr.len, a->name, imp_addr_str(a->addr.addr, y),
                          a->addr.len, a->given || b->given ? "; the address of --address " : "",
                          b->given ? b->name : a->given ? a->name : "");
                ok = false;
            }
    if (!ok)
        return false;
    /* dynamic gateways: the ISP router's address in the given network */
    for (size_t k = 0; k < n; k++)
        for (size_t g = 0; g < fws[k]->gateways.n; g++) {
            imp_gateway *gw = &fws[k]->gateways.v[g];
            const imp_iface *f = imp_fw_iface(fws[k], gw->iface);
            if (!gw->dynamic || !f || f->kind != IMP_ADDR_STATIC)
                continue;
            gw->addr = free_host(fws, n, f->addr);
            if (!gw->addr) {
                imp_error(err, fws[k]->file, f->line, "--address for %s: the network has no free host address for "
                          "the ISP's gateway (use a shorter prefix)", f->name);
                ok = false;
            }
        }
    return ok;
}
