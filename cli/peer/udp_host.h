/*
 * udp_host.h — the real-network side of `wgsim peer`: the two UDP sockets
 * (IPv4, IPv6) on the listen port with packet info, the clocks, the OS
 * random source, and the local-address and route oracle that the `linux`
 * sourcing strategy of wgnode asks for. Everything here may touch the
 * operating system; wgnode itself never does.
 */
#ifndef WGSIM_CLI_PEER_UDP_HOST_H
#define WGSIM_CLI_PEER_UDP_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wgnode/wgnode.h"

/* Largest UDP payload; bigger datagrams cannot exist. */
#define UDP_HOST_MAX_DATAGRAM 65535

typedef struct udp_host {
    int fd4, fd6; /* -1 when that family is not available on this host */
    uint16_t port;
    wg_platform platform; /* decides how failed sends with a source are reported */
    int last_errno;       /* errno of the last failed send, 0 after a success */
} udp_host;

/* Binds both sockets to the wildcard address on `port` (0: the OS picks
 * one, the same for both families). IPv6 missing on the host is not an
 * error; no usable socket at all is. */
bool udp_host_open(udp_host *h, uint16_t port, wg_platform platform, char *err, size_t errlen);
void udp_host_close(udp_host *h);

/* Reads one datagram from fd (non-blocking). Returns its length, or -1 when
 * nothing is pending. `local` is the datagram's destination address and the
 * index of the interface it arrived on. Oversized datagrams are discarded
 * (returns 0 with *truncated set); a socket error also returns 0. `local`
 * and `remote` are always written: zero when there is no datagram. */
ssize_t udp_host_recv(udp_host *h, int fd, uint8_t *buf, size_t cap, wg_source *local, wg_endpoint *remote,
                      bool *truncated);

/* Sends from the listen port. A source (src->addr.family != 0) and an
 * interface (src->ifindex != 0) are attached as IP_PKTINFO/IPV6_PKTINFO. */
wg_send_result udp_host_send(udp_host *h, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                             size_t len);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
int64_t udp_host_monotonic_ns(void);
int64_t udp_host_realtime_ns(void);

/* Is addr configured on an interface of this host (getifaddrs)? */
bool udp_host_addr_is_local(const wg_ip *addr);
/* The kernel's route to dst (optionally from src), as `ip route get`:
 * outgoing interface index and preferred source. False: no route. */
bool udp_host_route_lookup(const wg_ip *dst, const wg_ip *src_or_null, uint32_t *ifindex, wg_ip *chosen_src);

#endif
