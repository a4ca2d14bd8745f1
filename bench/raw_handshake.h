/*
 * raw_handshake.h — the crypto a WireGuard handshake message costs, made
 * with raw libsodium and libb2 calls: the lower bound the hub and scale
 * benchmarks compare wgnode against (internal to bench/).
 */
#ifndef BENCH_RAW_HANDSHAKE_H
#define BENCH_RAW_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>

/* The operands of the raw calls (their values do not matter, only that
 * decryption of the sealed messages succeeds). */
typedef struct bench_raw_hs {
    uint8_t priv[32], pub[32], out[32], key[32], ad[32];
    uint8_t buf[256], ct[256];
    uint8_t sealed_hs[3][64]; /* 32, 12 and 0 bytes sealed with AD: what an initiation / response carries */
} bench_raw_hs;

void bench_raw_hs_init(bench_raw_hs *r);
/* One initiation or response, made or consumed. calls (may be NULL) gets the
 * primitive calls added: [0] X25519 DH, [1] X25519 base, [2] AEAD, [3] BLAKE2s.
 * false if a decryption failed (the loop would not be doing the work). */
bool bench_raw_hs_message(bench_raw_hs *r, bool response, bool made, uint64_t calls[4]);

#endif /* BENCH_RAW_HANDSHAKE_H */
