/*
 * capture.c — capture points writing pcap (link type 1 = Ethernet,
 * nanosecond timestamps: magic 0xa1b23c4d, libpcap's "nanosecond pcap")
 * and the WireGuard key log (Wireshark wg.keylog_file format, see
 * ../shared/reference/wg-conformance.md).
 *
 * Files are written little-endian whatever the host, and timestamps are the
 * world's wall clock (epoch + sim time), so equal runs give equal bytes.
 * A capture is kept in memory until it is opened on a file
 * (sim_capture_open): from then on its frames are written as they happen
 * and nothing is kept, so a long run's pcap costs disk, not memory.
 */
#include "sim/net/net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_SNAPLEN 262144u
#define LINKTYPE_ETHERNET 1u

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Room for need bytes in a growing byte buffer (a pcap image, the key
 * log): the capacity doubles, from 4096, until need fits. */
static void *reserve(void *buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return buf;
    size_t nc = *cap ? *cap : 4096;
    while (nc < need)
        nc *= 2;
    void *nb = realloc(buf, nc);
    if (!nb)
        sim_oom("a capture");
    *cap = nc;
    return nb;
}

/* A streamed sink writes through stdio (buffered); after the first failed
 * write it writes nothing more and keeps the errno for its close. */
static void sink_append(sim_sink *k, const void *data, size_t len)
{
    if (k->off)
        return;
    if (k->streamed) {
        if (k->out && !k->error) {
            errno = 0;
            if (fwrite(data, 1, len, k->out) != len)
                k->error = errno ? errno : EIO;
        }
        return;
    }
    /* one byte more, kept 0: the key log is read as a C string */
    k->buf = reserve(k->buf, &k->cap, k->len + len + 1);
    memcpy(k->buf + k->len, data, len);
    k->len += len;
    k->buf[k->len] = 0;
}

/* Once per sink: what was kept goes first into the file, then every later
 * append as it comes; nothing is kept from here on, even after an error. */
static bool sink_open(sim_sink *k, const char *path)
{
    if (k->streamed || k->off) {
        errno = EINVAL;
        return false;
    }
    k->streamed = true;
    errno = 0;
    k->out = fopen(path, "wb");
    /* an empty buffer has no data pointer: fwrite must not see NULL */
    bool ok = k->out && (k->len == 0 || fwrite(k->buf, 1, k->len, k->out) == k->len);
    if (!ok)
        k->error = errno ? errno : EIO;
    free(k->buf);
    k->buf = NULL;
    k->len = k->cap = 0;
    if (!ok)
        errno = k->error;
    return ok;
}

static bool sink_close(sim_sink *k)
{
    if (k->out && fclose(k->out) != 0 && !k->error)
        k->error = errno ? errno : EIO;
    k->out = NULL;
    if (k->error)
        errno = k->error;
    return !k->error;
}

void sim_sink_free(sim_sink *k)
{
    if (k->out)
        fclose(k->out);
    free(k->buf);
    memset(k, 0, sizeof *k);
}

static sim_capture *capture_new(sim_world *w, const char *name)
{
    sim_capture *c = calloc(1, sizeof *c);
    if (!c)
        sim_oom("a capture");
    c->w = w;
    c->name = strdup(name);
    if (!c->name)
        sim_oom("a capture name");
    uint8_t h[24];
    put32(h, PCAP_MAGIC_NS);
    put16(h + 4, 2);
    put16(h + 6, 4);
    put32(h + 8, 0);  /* thiszone */
    put32(h + 12, 0); /* sigfigs */
    put32(h + 16, PCAP_SNAPLEN);
    put32(h + 20, LINKTYPE_ETHERNET);
    sink_append(&c->sink, h, sizeof h);
    VEC_GROW(w->caps, w->n_caps, w->cap_caps);
    w->caps[w->n_caps++] = c;
    return c;
}

sim_capture *sim_capture_segment(sim_segment *s)
{
    char name[300];
    snprintf(name, sizeof name, "seg:%s", s->name);
    sim_capture *c = capture_new(s->w, name);
    VEC_GROW(s->caps, s->n_caps, s->cap_caps);
    s->caps[s->n_caps++] = c;
    return c;
}

sim_capture *sim_capture_iface(sim_iface *ifp)
{
    char name[300];
    snprintf(name, sizeof name, "%s/%s", ifp->node->name, ifp->name);
    sim_capture *c = capture_new(ifp->node->w, name);
    VEC_GROW(ifp->caps, ifp->n_caps, ifp->cap_caps);
    ifp->caps[ifp->n_caps++] = c;
    return c;
}

void sim_capture_frame(sim_capture *c, sim_time t, const uint8_t *data, size_t len)
{
    int64_t wall = sim_world_wall_ns(c->w, t);
    uint8_t h[16];
    put32(h, (uint32_t)(wall / SIM_S));
    put32(h + 4, (uint32_t)(wall % SIM_S));
    size_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
    put32(h + 8, (uint32_t)incl);
    put32(h + 12, (uint32_t)len);
    sink_append(&c->sink, h, sizeof h);
    sink_append(&c->sink, data, incl);
    c->frames++;
}

bool sim_capture_open(sim_capture *c, const char *path) { return sink_open(&c->sink, path); }

bool sim_capture_close(sim_capture *c) { return sink_close(&c->sink); }

void sim_capture_free(sim_capture *c)
{
    sim_sink_free(&c->sink);
    free(c->name);
    free(c);
}

const char *sim_capture_name(const sim_capture *c) { return c->name; }
uint64_t sim_capture_frames(const sim_capture *c) { return c->frames; }

const uint8_t *sim_capture_data(const sim_capture *c, size_t *len)
{
    if (len)
        *len = c->sink.len;
    return c->sink.buf;
}

static bool write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    int saved = errno;
    if (fclose(f) != 0)
        ok = false;
    else if (!ok)
        errno = saved;
    return ok;
}

bool sim_capture_save(const sim_capture *c, const char *path)
{
    if (c->sink.streamed) {
        errno = EINVAL;
        return false;
    }
    return write_file(path, c->sink.buf, c->sink.len);
}

void sim_keylog_append(sim_world *w, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN])
{
    if (w->keylog.off)
        return;
    char b64[WG_KEY_B64_LEN];
    wg_key_to_base64(b64, key);
    char line[128];
    int k = snprintf(line, sizeof line, "%s = %s\n", wg_keylog_kind_name(kind), b64);
    if (k > 0 && (size_t)k < sizeof line)
        sink_append(&w->keylog, line, (size_t)k);
}

void sim_keylog_enable(sim_world *w, bool on)
{
    if (on || w->keylog.streamed)
        return;
    sim_sink_free(&w->keylog);
    w->keylog.off = true;
}

bool sim_keylog_open(sim_world *w, const char *path) { return sink_open(&w->keylog, path); }

bool sim_keylog_close(sim_world *w) { return sink_close(&w->keylog); }

const char *sim_world_keylog(const sim_world *w, size_t *len)
{
    if (len)
        *len = w->keylog.len;
    return w->keylog.len ? (const char *)w->keylog.buf : "";
}

bool sim_world_save_keylog(const sim_world *w, const char *path)
{
    if (w->keylog.streamed || w->keylog.off) {
        errno = EINVAL;
        return false;
    }
    return write_file(path, w->keylog.buf, w->keylog.len);
}
