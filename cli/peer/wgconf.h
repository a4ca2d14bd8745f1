/*
 * wgconf.h — the wg-quick configuration file of `wgsim peer`.
 *
 * The syntax is wg(8)'s (wireguard-tools src/config.c): sections
 * [Interface] and [Peer], `Key = Value` lines, keys and section names
 * case-insensitive, `#` starts a comment. The keys are the subset that a
 * TUN-less tunnel endpoint can honour; anything else is an error that names
 * FILE:LINE, never silently ignored.
 */
#ifndef WGSIM_CLI_PEER_WGCONF_H
#define WGSIM_CLI_PEER_WGCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wgnode/wgnode.h"

typedef struct wgconf_peer {
    int line; /* line of its [Peer] header */
    uint8_t public_key[WG_KEY_LEN];
    bool has_psk;
    uint8_t psk[WG_KEY_LEN];
    bool has_endpoint;
    wg_endpoint endpoint;
    uint16_t persistent_keepalive; /* seconds, 0 = off */
    wg_prefix *allowed_ips;
    size_t n_allowed_ips;
} wgconf_peer;

typedef struct wgconf {
    uint8_t private_key[WG_KEY_LEN];
    bool has_listen_port;
    uint16_t listen_port; /* 0 (or absent) = the OS picks one */
    wg_prefix *addresses;
    size_t n_addresses;
    wgconf_peer *peers;
    size_t n_peers;
} wgconf;

/* Parses `len` bytes of text; `name` is the file name used in messages.
 * Returns true on success. On failure *out is left empty and err holds
 * "NAME:LINE: message". Free a successful result with wgconf_free. */
bool wgconf_parse(const char *name, const char *text, size_t len, wgconf *out, char *err, size_t errlen);
/* Reads and parses a file (same contract; unreadable file -> "PATH: reason"). */
bool wgconf_load(const char *path, wgconf *out, char *err, size_t errlen);
/* Zeroes the keys and frees the lists. */
void wgconf_free(wgconf *c);

#endif
