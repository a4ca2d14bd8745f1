/*
 * fuzz_frame.c — libFuzzer target: the simulator's receive path for raw
 * Ethernet frames. One frame built from the input is sent onto a segment
 * shared by two CARP firewalls (one of them hosting a WireGuard device, with
 * NAT and a monitored gateway), so it is parsed by the L2 input, ARP, the
 * IPv4 stack (sim_ipv4_parse), the pf hooks, ICMP, UDP sockets, the CARP
 * advertisement handler, WireGuard (wg_device_receive) and the packet trace
 * (its frame parser and formatter). Only functions public in sim/sim.h.
 *
 * Input layout (docs/fuzzing.md):
 *   byte 0  bits 0-2 destination MAC: broadcast, fw1's wan, the CARP vMAC,
 *           the CARP multicast group, fw2's wan, or (5-7) the next 6 bytes
 *           bits 3-4 source MAC: the injecting host, fw2's wan (spoofed), the vMAC
 *           bit  5   fix the IPv4 header and UDP/ICMP checksums of the payload
 *   byte 1  ethertype: 0 IPv4, 1 ARP, 2 IPv6, else the next 2 bytes
 *   rest    the payload after the Ethernet header
 *
 * Checked besides ASan/UBSan: sim_ipv4_parse never describes bytes outside
 * the packet; every trace record formats; the simulation runs on for 4 s
 * after the frame (whatever it provoked: ARP, ICMP errors, CARP state
 * changes, WireGuard drops) and frees cleanly (LeakSanitizer).
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_TARGET "fuzz_frame"
#include "fuzz_check.h"

#define NEED(x)                                                                                               \
    do {                                                                                                      \
        if (!(x)) {                                                                                           \
            fprintf(stderr, "fuzz_frame: world setup failed: %s\n", #x);                                      \
            abort();                                                                                          \
        }                                                                                                     \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_seeds(const char *dir);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    NEED(wg_crypto_init() == 0);
    const char *dir = getenv("WGSIM_FUZZ_WRITE_SEEDS");
    if (dir && *dir) {
        write_seeds(dir);
        fprintf(stderr, "fuzz_frame: seeds written to %s\n", dir);
        exit(0);
    }
    return 0;
}

static wg_prefix pfx(const char *s)
{
    wg_prefix p;
    NEED(wg_prefix_parse(s, &p));
    return p;
}

static wg_ip ip(const char *s)
{
    wg_ip a;
    NEED(wg_ip_parse(s, &a));
    return a;
}

static void addr(sim_iface *ifp, const char *p)
{
    wg_prefix a = pfx(p);
    NEED(sim_iface_add_addr(ifp, &a, false, 0, 0) == SIM_OK);
}

static void default_route(sim_node *n, const char *via)
{
    sim_route r = {.origin = SIM_RT_STATIC};
    r.dst = pfx("0.0.0.0/0");
    r.gateway = ip(via);
    NEED(sim_route_add(n, &r) == SIM_OK);
}

typedef struct fz_world {
    sim_world *w;
    sim_iface *inj;          /* the injecting host's interface */
    sim_iface *fw1_wan, *fw2_wan;
    sim_fw *fw1, *fw2;
} fz_world;

static sim_fw *firewall(sim_world *w, sim_segment *lan, sim_segment *inside, const char *name, const char *wan_addr,
                        const char *lan_addr, uint8_t advskew, sim_iface **wan_out)
{
    sim_node *n = sim_node_new(w, name, SIM_NODE_FIREWALL, WG_PLATFORM_FREEBSD);
    NEED(n);
    sim_iface *wan = sim_iface_new(n, "wan", lan);
    sim_iface *in = sim_iface_new(n, "lan", inside);
    NEED(wan && in);
    addr(wan, wan_addr);
    addr(in, lan_addr);
    sim_fw *f = sim_fw_attach(n, NULL);
    NEED(f);
    sim_carp_vip v = {.ifname = "wan", .vhid = 1, .addr = pfx("192.0.2.50/24"), .advskew = advskew};
    NEED(sim_fw_add_carp_vip(f, &v) == SIM_OK);
    sim_fw_gateway g = {.name = "GW", .ifname = "wan", .addr = ip("192.0.2.254")};
    NEED(sim_fw_add_gateway(f, &g) == SIM_OK);
    wg_prefix def = pfx("0.0.0.0/0");
    NEED(sim_fw_route_via(f, &def, "GW") == SIM_OK);
    sim_fw_nat_rule nat = {.ifname = "wan", .src = {.kind = SIM_FW_PREFIX, .prefix = pfx("10.0.0.0/24")},
                           .to_interface = true};
    NEED(sim_fw_set_nat(f, &nat, 1) == SIM_OK);
    *wan_out = wan;
    return f;
}

static void world_build(fz_world *z)
{
    memset(z, 0, sizeof *z);
    z->w = sim_world_new(&(sim_world_config){.seed = 11});
    NEED(z->w);
    sim_segment *lan = sim_segment_new(z->w, "lan", &(sim_segment_config){.delay = 100 * SIM_US});
    sim_segment *inside = sim_segment_new(z->w, "inside", &(sim_segment_config){.delay = 100 * SIM_US});
    NEED(lan && inside);

    /* The injecting host also plays the gateway the firewalls monitor. */
    sim_node *host = sim_node_new(z->w, "inj", SIM_NODE_ROUTER, WG_PLATFORM_FREEBSD);
    NEED(host);
    z->inj = sim_iface_new(host, "eth0", lan);
    NEED(z->inj);
    addr(z->inj, "192.0.2.254/24");

    z->fw1 = firewall(z->w, lan, inside, "fw1", "192.0.2.1/24", "10.0.0.1/24", 0, &z->fw1_wan);
    z->fw2 = firewall(z->w, lan, inside, "fw2", "192.0.2.2/24", "10.0.0.3/24", 100, &z->fw2_wan);

    sim_node *in_host = sim_node_new(z->w, "h", SIM_NODE_HOST, WG_PLATFORM_LINUX);
    NEED(in_host);
    sim_iface *h_if = sim_iface_new(in_host, "eth0", inside);
    NEED(h_if);
    addr(h_if, "10.0.0.2/24");
    default_route(in_host, "10.0.0.1");

    /* WireGuard on fw1, its peer behind the injecting host. */
    wg_device_config dc = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
    memset(dc.private_key, 0x11, sizeof dc.private_key);
    wg_key_clamp(dc.private_key);
    wg_prefix tun = pfx("10.99.0.1/24");
    sim_wg *wg = sim_wg_new(sim_fw_node(z->fw1), "wg0", &dc, &tun);
    NEED(wg);
    wg_prefix allowed = pfx("10.99.0.2/32");
    wg_peer_config pc = {.has_endpoint = true, .allowed_ips = &allowed, .n_allowed_ips = 1};
    uint8_t peer_priv[WG_KEY_LEN];
    memset(peer_priv, 0x22, sizeof peer_priv);
    wg_key_clamp(peer_priv);
    wg_x25519_public(pc.public_key, peer_priv);
    NEED(wg_endpoint_parse("192.0.2.254:51820", &pc.endpoint));
    NEED(sim_wg_add_peer(wg, &pc, true) >= 0);

    sim_fw_start(z->fw1);
    sim_fw_start(z->fw2);
}

static void check_ipv4_parse(const uint8_t *pkt, size_t len)
{
    sim_ipv4_info info;
    if (!sim_ipv4_parse(pkt, len, &info))
        return;
    FZ_CHECK(info.hdr_len >= 20 && info.hdr_len <= info.total_len && info.total_len <= len,
             "header %u, total %u, buffer %zu", info.hdr_len, info.total_len, len);
    FZ_CHECK(info.payload >= pkt + info.hdr_len && info.payload + info.payload_len <= pkt + info.total_len,
             "payload outside the packet");
}

static void trace_listener(void *ctx, const sim_trace_rec *r)
{
    const sim_world *w = ctx;
    char buf[512];
    const char *s = sim_trace_format(w, r, buf, sizeof buf);
    FZ_CHECK(s && memchr(buf, '\0', sizeof buf), "trace record does not format");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t sel = data[0], et = data[1];
    size_t pos = 2;
    static const sim_mac bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    static const sim_mac vmac = {{0x00, 0x00, 0x5e, 0x00, 0x01, 0x01}};
    static const sim_mac carp_mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x12}};

    fz_world z;
    world_build(&z);
    sim_trace_set_listener(z.w, trace_listener, z.w);
    sim_world_run_until(z.w, 4 * SIM_S); /* CARP settles: fw1 MASTER */

    sim_mac dst, src;
    switch (sel & 7) {
    case 0: dst = bcast; break;
    case 1: dst = sim_iface_mac(z.fw1_wan); break;
    case 2: dst = vmac; break;
    case 3: dst = carp_mcast; break;
    case 4: dst = sim_iface_mac(z.fw2_wan); break;
    default:
        memset(&dst, 0, sizeof dst);
        for (int i = 0; i < 6 && pos < size; i++)
            dst.b[i] = data[pos++];
        break;
    }
    switch ((sel >> 3) & 3) {
    case 1: src = sim_iface_mac(z.fw2_wan); break;
    case 2: src = vmac; break;
    default: src = sim_iface_mac(z.inj); break;
    }
    uint16_t ethertype;
    switch (et) {
    case 0: ethertype = 0x0800; break;
    case 1: ethertype = 0x0806; break;
    case 2: ethertype = 0x86dd; break;
    default:
        ethertype = 0;
        if (pos < size)
            ethertype = (uint16_t)(data[pos++] << 8);
        if (pos < size)
            ethertype |= data[pos++];
        break;
    }
    size_t len = size - pos;
    uint8_t *payload = malloc(len ? len : 1);
    NEED(payload);
    if (len)
        memcpy(payload, data + pos, len);
    if ((sel & 0x20) && ethertype == 0x0800)
        sim_ipv4_fix_checksums(payload, len);
    if (ethertype == 0x0800)
        check_ipv4_parse(payload, len);

    (void)sim_iface_send_frame(z.inj, &dst, &src, ethertype, payload, len);
    free(payload);
    sim_world_run_until(z.w, 8 * SIM_S);

    sim_world_free(z.w);
    return 0;
}

/* ---- seed generation: WGSIM_FUZZ_WRITE_SEEDS=DIR ----
 * Real frames from the same world: ARP, gratuitous ARP, CARP adverts (with
 * their HMAC), gateway probes, NATed pings, fw1's WireGuard initiations
 * towards the injecting host; each written as "literal destination MAC and
 * ethertype" input (selector 5, ethertype byte 3). One seed per distinct
 * (ethertype, IP protocol, first payload bytes) kind. */
static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void write_seeds(const char *dir)
{
    fz_world z;
    world_build(&z);
    sim_capture *cap = sim_capture_segment(sim_world_segment(z.w, "lan"));
    NEED(cap);
    sim_node *h = sim_world_node(z.w, "h");
    sim_ping_config pc = {.dst = ip("10.99.0.2"), .start = SIM_S, .interval = SIM_S, .count = 3};
    NEED(sim_ping_start(h, &pc));
    pc.dst = ip("192.0.2.254");
    NEED(sim_ping_start(h, &pc));
    pc.dst = ip("192.0.2.50");
    NEED(sim_ping_start(sim_world_node(z.w, "inj"), &pc));
    sim_world_run_until(z.w, 6 * SIM_S);

    size_t len = 0;
    const uint8_t *p = sim_capture_data(cap, &len);
    NEED(p && len >= 24);
    size_t off = 24, n = 0;
    char kinds[64][8];
    size_t nkinds = 0;
    while (off + 16 <= len && n < 40) {
        uint32_t incl = rd32le(p + off + 8);
        off += 16;
        if (incl > len - off)
            break;
        const uint8_t *f = p + off;
        off += incl;
        if (incl < 14)
            continue;
        /* kind: ethertype, IP protocol, first 2 L4 bytes (ports / ICMP type) */
        char k[8] = {(char)f[12], (char)f[13], 0, 0, 0, 0, 0, 0};
        if (incl >= 14 + 24 && f[12] == 0x08 && f[13] == 0x00) {
            size_t hl = (size_t)(f[14] & 0xf) * 4;
            k[2] = (char)f[14 + 9];
            uint8_t proto = f[14 + 9];
            if (proto == 17 && 14 + hl + 9 <= incl) {
                k[3] = (char)f[14 + hl + 2]; /* destination port */
                k[4] = (char)f[14 + hl + 3];
                k[5] = (char)f[14 + hl + 8]; /* WireGuard message type */
            } else if (14 + hl + 1 <= incl) {
                k[3] = (char)f[14 + hl]; /* ICMP type, CARP version/type */
            }
        } else if (incl >= 14 + 8 && f[12] == 0x08 && f[13] == 0x06) {
            k[2] = (char)f[14 + 7]; /* ARP op */
        }
        bool seen = false;
        for (size_t i = 0; i < nkinds; i++)
            seen |= !memcmp(kinds[i], k, sizeof k);
        if (seen || nkinds == 64)
            continue;
        memcpy(kinds[nkinds++], k, sizeof k);

        char path[4096];
        snprintf(path, sizeof path, "%s/frame-%02zu", dir, n++);
        FILE *o = fopen(path, "wb");
        uint8_t hdr[2] = {5, 3};
        /* destination MAC, ethertype, payload: the frame minus its source MAC */
        if (!o || fwrite(hdr, 1, 2, o) != 2 || fwrite(f, 1, 6, o) != 6 || fwrite(f + 12, 1, incl - 12, o) != incl - 12 ||
            fclose(o) != 0) {
            perror(path);
            exit(1);
        }
    }
    NEED(n >= 4);
    sim_world_free(z.w);
}
