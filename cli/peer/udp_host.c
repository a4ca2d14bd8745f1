/*
 * udp_host.c — real UDP sockets, clocks and routing answers for the wgnode
 * device run by `wgsim peer`.
 *
 * Sourcing on Linux works the way wireguard-go's conn/bind_std.go +
 * conn/sticky_linux.go do it (../shared/reference/wg-sourcing.md,
 * "wireguard-go on Linux"): IP_PKTINFO / IPV6_RECVPKTINFO tell which local
 * address and interface a datagram arrived on, and the same ancillary data on
 * sendmsg() forces the source address (ipi_spec_dst / ipi6_addr) and the
 * outgoing interface (ipi_ifindex / ipi6_ifindex).
 */
#include "cli/peer/udp_host.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void to_sockaddr(const wg_endpoint *ep, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (ep->ip.family == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(ep->port);
        memcpy(&sin->sin_addr, ep->ip.b, 4);
        *len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(ep->port);
        memcpy(&sin6->sin6_addr, ep->ip.b, 16);
        *len = sizeof *sin6;
    }
}

static bool from_sockaddr(const struct sockaddr_storage *ss, wg_endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        ep->ip.family = 4;
        memcpy(ep->ip.b, &sin->sin_addr, 4);
        ep->port = ntohs(sin->sin_port);
        return true;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        ep->ip.family = 6;
        memcpy(ep->ip.b, &sin6->sin6_addr, 16);
        ep->port = ntohs(sin6->sin6_port);
        return true;
    }
    return false;
}

static int open_socket(int family, uint16_t port, int *err_out)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err_out = errno;
        return -1;
    }
    int one = 1;
    int rc;
    if (family == AF_INET) {
        rc = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    } else {
        /* A separate IPv4 socket exists: no v4-mapped addresses here. */
        rc = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (rc == 0)
            rc = setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
    /* A receive buffer of 7 MiB, as wireguard-go asks for (conn,
     * socketBufferSize; SO_RCVBUFFORCE when allowed, else SO_RCVBUF, which
     * the kernel caps at net.core.rmem_max): a burst of datagrams waits
     * there instead of being dropped while a handshake is computed. Not
     * getting it is not an error. */
    int rcvbuf = 7 << 20;
    if (rc == 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_storage ss;
    socklen_t sl;
    wg_endpoint any = {.ip = {.family = family == AF_INET ? 4 : 6}, .port = port};
    to_sockaddr(&any, &ss, &sl);
    if (rc == 0)
        rc = bind(fd, (struct sockaddr *)&ss, sl);
    if (rc != 0) {
        *err_out = errno;
        close(fd);
        return -1;
    }
    return fd;
}

static uint16_t bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    wg_endpoint ep;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 || !from_sockaddr(&ss, &ep))
        return 0;
    return ep.port;
}

bool udp_host_open(udp_host *h, uint16_t port, wg_platform platform, char *err, size_t errlen)
{
    memset(h, 0, sizeof *h);
    h->fd4 = h->fd6 = -1;
    h->platform = platform;
    int e4 = 0, e6 = 0;
    /* With port 0 the IPv4 socket picks the port and IPv6 must get the same
     * one; if that port happens to be taken for IPv6, try a fresh pair. */
    for (int attempt = 0; attempt < (port ? 1 : 8); attempt++) {
        h->fd4 = open_socket(AF_INET, port, &e4);
        uint16_t p = h->fd4 >= 0 ? bound_port(h->fd4) : port;
        h->fd6 = open_socket(AF_INET6, p, &e6);
        if (h->fd6 < 0 && e6 == EADDRINUSE && port == 0 && h->fd4 >= 0 && attempt + 1 < 8) {
            close(h->fd4);
            h->fd4 = -1;
            continue;
        }
        h->port = h->fd4 >= 0 ? p : (h->fd6 >= 0 ? bound_port(h->fd6) : 0);
        break;
    }
    if (h->fd4 < 0 && h->fd6 < 0) {
        snprintf(err, errlen, "cannot bind UDP port %u: IPv4: %s; IPv6: %s", port, strerror(e4), strerror(e6));
        return false;
    }
    if (h->fd4 < 0 && e4 == EADDRINUSE) {
        snprintf(err, errlen, "cannot bind UDP port %u on IPv4: %s", h->port, strerror(e4));
        udp_host_close(h);
        return false;
    }
    /* IPv6 disabled or absent (EAFNOSUPPORT, EADDRNOTAVAIL) is fine; the
     * port being taken is not. */
    if (h->fd6 < 0 && e6 == EADDRINUSE) {
        snprintf(err, errlen, "cannot bind UDP port %u on IPv6: %s", h->port, strerror(e6));
        udp_host_close(h);
        return false;
    }
    return true;
}

void udp_host_close(udp_host *h)
{
    if (h->fd4 >= 0)
        close(h->fd4);
    if (h->fd6 >= 0)
        close(h->fd6);
    h->fd4 = h->fd6 = -1;
}

ssize_t udp_host_recv(udp_host *h, int fd, uint8_t *buf, size_t cap, wg_source *local, wg_endpoint *remote,
                      bool *truncated)
{
    (void)h;
    struct sockaddr_storage from;
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
    } control;
    struct msghdr msg = {
        .msg_name = &from,
        .msg_namelen = sizeof from,
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.b,
        .msg_controllen = sizeof control.b,
    };
    *truncated = false;
    /* Set on every return: the caller traces the sender of an unusable
     * datagram, and after a socket error there is none. */
    memset(local, 0, sizeof *local);
    memset(remote, 0, sizeof *remote);
    for (;;) {
        ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* EAGAIN: drained. Anything else (an ICMP error reported on the
             * socket) carries no datagram either. */
            return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : 0;
        }
        if (!from_sockaddr(&from, remote))
            return 0;
        if (msg.msg_flags & MSG_TRUNC) {
            *truncated = true;
            return 0;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                struct in_pktinfo pi;
                memcpy(&pi, CMSG_DATA(c), sizeof pi);
                /* ipi_addr is the header's destination: the address the
                 * peer contacted, which is what WireGuard learns. */
                local->addr.family = 4;
                memcpy(local->addr.b, &pi.ipi_addr, 4);
                local->ifindex = (uint32_t)pi.ipi_ifindex;
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                struct in6_pktinfo pi;
                memcpy(&pi, CMSG_DATA(c), sizeof pi);
                local->addr.family = 6;
                memcpy(local->addr.b, &pi.ipi6_addr, 16);
                local->ifindex = pi.ipi6_ifindex;
            }
        }
        return n;
    }
}

static wg_send_result map_errno(udp_host *h, int e, const wg_source *src)
{
    switch (e) {
    case EADDRNOTAVAIL:
        return WG_SEND_EADDRNOTAVAIL;
    case EINVAL:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case ENODEV:
        /* Linux refuses a source that is not configured here with
         * ENETUNREACH (IPv4) or EINVAL (IPv6) where a BSD stack says
         * EADDRNOTAVAIL (FreeBSD in_pcbladdr). For the BSD strategies
         * report what their kernel would; for wireguard-go and linux pass
         * Linux's own answer, which is what those implementations see. */
        if ((h->platform == WG_PLATFORM_FREEBSD || h->platform == WG_PLATFORM_OPENBSD) && src->addr.family != 0 &&
            !udp_host_addr_is_local(&src->addr))
            return WG_SEND_EADDRNOTAVAIL;
        return e == EINVAL ? WG_SEND_EINVAL : WG_SEND_UNREACHABLE;
    default:
        return WG_SEND_UNREACHABLE;
    }
}

wg_send_result udp_host_send(udp_host *h, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                             size_t len)
{
    int fd = dst->ip.family == 4 ? h->fd4 : dst->ip.family == 6 ? h->fd6 : -1;
    if (fd < 0) {
        h->last_errno = EAFNOSUPPORT;
        return WG_SEND_UNREACHABLE;
    }
    struct sockaddr_storage to;
    socklen_t tolen;
    to_sockaddr(dst, &to, &tolen);
    struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {.msg_name = &to, .msg_namelen = tolen, .msg_iov = &iov, .msg_iovlen = 1};
    /* A source of the other family than the destination cannot be used;
     * the stack chooses then, as it would for no source. */
    bool with_src = src && src->addr.family == dst->ip.family;
    bool with_if = src && src->ifindex != 0;
    if (with_src || with_if) {
        struct cmsghdr *c = (struct cmsghdr *)control.b;
        if (dst->ip.family == 4) {
            struct in_pktinfo pi = {0};
            pi.ipi_ifindex = with_if ? (int)src->ifindex : 0;
            if (with_src)
                memcpy(&pi.ipi_spec_dst, src->addr.b, 4);
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(c), &pi, sizeof pi);
            msg.msg_controllen = CMSG_SPACE(sizeof pi);
        } else {
            struct in6_pktinfo pi = {0};
            pi.ipi6_ifindex = with_if ? src->ifindex : 0;
            if (with_src)
                memcpy(&pi.ipi6_addr, src->addr.b, 16);
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(c), &pi, sizeof pi);
            msg.msg_controllen = CMSG_SPACE(sizeof pi);
        }
        msg.msg_control = control.b;
    }
    for (;;) {
        ssize_t n = sendmsg(fd, &msg, 0);
        if (n >= 0) {
            h->last_errno = 0;
            return WG_SEND_OK;
        }
        if (errno == EINTR)
            continue;
        h->last_errno = errno;
        /* A full socket buffer loses the datagram like a congested link
         * would; it is not a routing answer the device should act on. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            return WG_SEND_OK;
        return map_errno(h, errno, src);
    }
}

int64_t udp_host_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * WG_NS_PER_SEC + ts.tv_nsec;
}

int64_t udp_host_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * WG_NS_PER_SEC + ts.tv_nsec;
}

bool udp_host_addr_is_local(const wg_ip *addr)
{
    struct ifaddrs *list;
    if (addr->family == 0 || getifaddrs(&list) != 0)
        return false;
    bool found = false;
    for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        if (addr->family == 4 && i->ifa_addr->sa_family == AF_INET)
            found = !memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr->b, 4);
        else if (addr->family == 6 && i->ifa_addr->sa_family == AF_INET6)
            found = !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, addr->b, 16);
    }
    freeifaddrs(list);
    return found;
}

/* rtnetlink RTM_GETROUTE, the request `ip route get DST [from SRC]` makes. */
bool udp_host_route_lookup(const wg_ip *dst, const wg_ip *src_or_null, uint32_t *ifindex, wg_ip *chosen_src)
{
    if (dst->family != 4 && dst->family != 6)
        return false;
    size_t alen = dst->family == 4 ? 4 : 16;
    bool with_src = src_or_null && src_or_null->family == dst->family;
    struct {
        struct nlmsghdr nh;
        struct rtmsg rt;
        uint8_t attrs[2 * RTA_SPACE(16)];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_type = RTM_GETROUTE;
    req.nh.nlmsg_flags = NLM_F_REQUEST;
    req.nh.nlmsg_seq = 1;
    req.rt.rtm_family = dst->family == 4 ? AF_INET : AF_INET6;
    req.rt.rtm_dst_len = (unsigned char)(alen * 8);
    size_t off = 0;
    struct rtattr *a = (struct rtattr *)req.attrs;
    a->rta_type = RTA_DST;
    a->rta_len = (unsigned short)RTA_LENGTH(alen);
    memcpy(RTA_DATA(a), dst->b, alen);
    off += RTA_SPACE(alen);
    if (with_src) {
        req.rt.rtm_src_len = (unsigned char)(alen * 8);
        a = (struct rtattr *)(req.attrs + off);
        a->rta_type = RTA_SRC;
        a->rta_len = (unsigned short)RTA_LENGTH(alen);
        memcpy(RTA_DATA(a), src_or_null->b, alen);
        off += RTA_SPACE(alen);
    }
    req.nh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof req.rt) + off);

    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return false;
    /* The kernel answers at once; the timeout only guards against a
     * broken netlink socket hanging the event loop. */
    struct timeval tv = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    bool ok = false;
    if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        close(fd);
        return false;
    }
    union {
        struct nlmsghdr align;
        uint8_t b[8192];
    } resp;
    ssize_t n;
    do {
        n = recv(fd, resp.b, sizeof resp.b, 0);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0)
        return false;
    size_t left = (size_t)n;
    for (struct nlmsghdr *nh = &resp.align; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
        if (nh->nlmsg_type == NLMSG_ERROR || nh->nlmsg_type == NLMSG_DONE)
            break;
        if (nh->nlmsg_type != RTM_NEWROUTE)
            continue;
        struct rtmsg *rt = NLMSG_DATA(nh);
        if (rt->rtm_type != RTN_UNICAST && rt->rtm_type != RTN_LOCAL)
            break; /* unreachable, prohibit, blackhole */
        size_t rlen = RTM_PAYLOAD(nh);
        uint32_t oif = 0;
        wg_ip pref = {0};
        for (struct rtattr *ra = RTM_RTA(rt); RTA_OK(ra, rlen); ra = RTA_NEXT(ra, rlen)) {
            if (ra->rta_type == RTA_OIF && RTA_PAYLOAD(ra) >= 4) {
                memcpy(&oif, RTA_DATA(ra), 4);
            } else if (ra->rta_type == RTA_PREFSRC && RTA_PAYLOAD(ra) >= alen) {
                pref.family = dst->family;
                memcpy(pref.b, RTA_DATA(ra), alen);
            }
        }
        if (pref.family == 0 && with_src)
            pref = *src_or_null;
        *ifindex = oif;
        *chosen_src = pref;
        ok = oif != 0;
        break;
    }
    return ok;
}
