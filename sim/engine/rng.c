/*
 * rng.c — one deterministic random stream per node.
 *
 * The key is BLAKE2s-256(seed as 8 little-endian bytes || node name), so
 * every node of a scenario draws from its own stream and adding a node does
 * not shift the draws of the others. The stream is the ChaCha20-IETF
 * keystream under the nonce "LibsodiumDRG": the bytes libsodium's
 * randombytes_buf_deterministic() returns for that key, continued block by
 * block so one seed yields an unbounded stream instead of one buffer.
 */
#include "sim/sim.h"

#include <sodium.h>
#include <string.h>

static const uint8_t drg_nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = "LibsodiumDRG";

void sim_rng_init(sim_rng *r, uint64_t seed, const char *name)
{
    uint8_t in[8 + 256];
    size_t n = strlen(name);
    if (n > 256)
        n = 256;
    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)(seed >> (8 * i));
    memcpy(in + 8, name, n);
    wg_blake2s(r->key, sizeof r->key, in, 8 + n, NULL, 0);
    r->block = 0;
    r->pos = sizeof r->buf;
}

static void refill(sim_rng *r)
{
    memset(r->buf, 0, sizeof r->buf);
    /* The IETF variant has a 32-bit block counter: 256 GiB per stream,
     * far beyond any scenario; wrapping would only repeat draws. */
    crypto_stream_chacha20_ietf_xor_ic(r->buf, r->buf, sizeof r->buf, drg_nonce, (uint32_t)r->block, r->key);
    r->block += sizeof r->buf / 64;
    r->pos = 0;
}

void sim_rng_bytes(sim_rng *r, void *out, size_t len)
{
    uint8_t *o = out;
    while (len) {
        if (r->pos == sizeof r->buf)
            refill(r);
        size_t take = sizeof r->buf - r->pos;
        if (take > len)
            take = len;
        memcpy(o, r->buf + r->pos, take);
        r->pos += take;
        o += take;
        len -= take;
    }
}

uint64_t sim_rng_u64(sim_rng *r)
{
    uint8_t b[8];
    sim_rng_bytes(r, b, sizeof b);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

uint64_t sim_rng_below(sim_rng *r, uint64_t bound)
{
    if (bound == 0)
        return 0;
    /* Rejection sampling: draws below `limit` map evenly onto [0, bound). */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    uint64_t v;
    do {
        v = sim_rng_u64(r);
    } while (v >= limit);
    return v % bound;
}

double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}
