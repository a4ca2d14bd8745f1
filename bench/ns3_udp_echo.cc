/*
 * ns3_udp_echo.cc — the ns-3 side of `wgsim bench scale-udp`
 * (bench/bench_scale.c): a hub node and N client nodes, each client on its
 * own point-to-point link to the hub (1 ms, 100 Mbit/s, a /30 of
 * 10.0.0.0/8 per link), a UdpEchoServer on the hub (port 9) and on each
 * client a UdpEchoClient sending one 64-byte packet a second to the hub's
 * address on its link, the first at i/N s, for the simulated seconds
 * given; the same flows wgsim runs. Only connected routes are needed, so
 * no global routing is computed.
 *
 *   ns3_udp_echo N SECONDS
 *
 * Prints one line, "sent S received R" (echo requests the clients sent,
 * echo replies they received, from the applications' trace sources), and
 * exits 0. wgsim times it and reads its peak RSS from wait4.
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

namespace {

uint64_t g_sent, g_received; // this program's counters (one simulation per process)

void OnTx(Ptr<const Packet>) { g_sent++; }
void OnRx(Ptr<const Packet>) { g_received++; }

bool ParseCount(const char *s, uint64_t &out)
{
    char *end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (!s[0] || *end || v == 0)
        return false;
    out = v;
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    uint64_t n = 0, seconds = 0;
    if (argc != 3 || !ParseCount(argv[1], n) || !ParseCount(argv[2], seconds) || n > 4000000) {
        std::fprintf(stderr, "usage: ns3_udp_echo N SECONDS\n");
        return 2;
    }
    const uint16_t port = 9;
    const uint32_t packetSize = 64;

    NodeContainer hub;
    hub.Create(1);
    NodeContainer clients;
    clients.Create(n);
    InternetStackHelper stack;
    stack.Install(hub);
    stack.Install(clients);

    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("1ms"));

    UdpEchoServerHelper server(port);
    ApplicationContainer serverApp = server.Install(hub.Get(0));
    serverApp.Start(Seconds(0));
    serverApp.Stop(Seconds(seconds));

    Ipv4AddressHelper addr;
    for (uint64_t i = 0; i < n; i++) {
        NetDeviceContainer link = p2p.Install(hub.Get(0), clients.Get(i));
        uint32_t base = 0x0a000000u + 4u * static_cast<uint32_t>(i); // 10.0.0.0 + 4i, hub .1, client .2
        addr.SetBase(Ipv4Address(base), Ipv4Mask("255.255.255.252"));
        Ipv4InterfaceContainer ifs = addr.Assign(link);

        UdpEchoClientHelper client(ifs.GetAddress(0), port);
        client.SetAttribute("MaxPackets", UintegerValue(static_cast<uint32_t>(seconds)));
        client.SetAttribute("Interval", TimeValue(Seconds(1)));
        client.SetAttribute("PacketSize", UintegerValue(packetSize));
        ApplicationContainer app = client.Install(clients.Get(i));
        app.Start(NanoSeconds(static_cast<int64_t>(i * 1000000000ull / n)));
        app.Stop(Seconds(seconds));
        Ptr<UdpEchoClient> c = DynamicCast<UdpEchoClient>(app.Get(0));
        c->TraceConnectWithoutContext("Tx", MakeCallback(&OnTx));
        c->TraceConnectWithoutContext("Rx", MakeCallback(&OnRx));
    }

    Simulator::Stop(Seconds(seconds));
    Simulator::Run();
    Simulator::Destroy();
    std::printf("sent %llu received %llu\n", static_cast<unsigned long long>(g_sent),
                static_cast<unsigned long long>(g_received));
    return 0;
}
