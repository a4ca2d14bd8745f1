// ns3_shim.cc — libns3-c: ns-3's Simulator behind the C interface of
// ns3_shim.h. See that header for the contract.
//
// ns-3 (3.37, src/core/model/simulator.h) has no public "how many events
// are pending" or "when is the next one", and Simulator::Cancel leaves the
// event in the queue (the clock still advances to it when it is popped).
// So tracked events are indexed here by (time, id) and cancelled with
// Simulator::Remove, which takes them out of the scheduler.
#include "sim/engine/ns3/ns3_shim.h"

#include <ns3/core-module.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <unordered_map>
#include <utility>

namespace
{

struct Tracked
{
    ns3_shim* shim;
    uint64_t id;
    int64_t at;
    ns3_shim_fn fn;
    void* arg;
    ns3::EventId ev;
};

} // namespace

struct ns3_shim
{
    std::set<std::pair<int64_t, uint64_t>> order; // pending tracked events
    std::unordered_map<uint64_t, Tracked*> by_id;
    uint64_t next_id = 1;
    bool stepping = false; // stop after the next tracked event
    bool stopped = false;  // the user called ns3_shim_stop during this run
    int64_t* clock = nullptr;
    uint64_t* executed = nullptr;       // ns3_shim_mirror_count
    const uint64_t* pause_at = nullptr;
};

namespace
{

// The Simulator singleton admits one session at a time.
ns3_shim* g_active = nullptr;

struct SchedulerName
{
    const char* name;
    const char* type_id;
};
const SchedulerName kSchedulers[] = {
    {"map", "ns3::MapScheduler"},
    {"calendar", "ns3::CalendarScheduler"},
    {"heap", "ns3::HeapScheduler"},
    {"priority-queue", "ns3::PriorityQueueScheduler"},
    {"list", "ns3::ListScheduler"},
};

void
SyncClock(ns3_shim* s)
{
    if (s->clock)
    {
        *s->clock = ns3::Simulator::Now().GetTimeStep();
    }
}

void
Forget(ns3_shim* s, Tracked* t)
{
    s->order.erase({t->at, t->id});
    s->by_id.erase(t->id);
    delete t;
}

void
FireTracked(Tracked* t)
{
    ns3_shim* s = t->shim;
    ns3_shim_fn fn = t->fn;
    void* arg = t->arg;
    Forget(s, t);
    SyncClock(s);
    if (s->executed)
    {
        ++*s->executed;
    }
    fn(arg);
    if (s->stepping)
    {
        ns3::Simulator::Stop();
    }
    if (s->executed && *s->executed == *s->pause_at)
    {
        // as ns3_shim_stop: run_until returns after this event
        s->stopped = true;
        ns3::Simulator::Stop();
    }
}

void
FireRaw(ns3_shim_fn fn, void* arg)
{
    fn(arg);
}

void
UntilReached()
{
    ns3::Simulator::Stop();
}

} // namespace

extern "C"
{
    const char* const ns3_shim_schedulers[] = {"map", "calendar", "heap", "priority-queue", "list", nullptr};

    ns3_shim* ns3_shim_create(const char* scheduler)
    {
        const SchedulerName* found = nullptr;
        for (const SchedulerName& n : kSchedulers)
        {
            if (scheduler && std::strcmp(n.name, scheduler) == 0)
            {
                found = &n;
            }
        }
        if (!found)
        {
            std::fprintf(stderr, "ns3 shim: unknown scheduler '%s'\n", scheduler ? scheduler : "(null)");
            return nullptr;
        }
        if (g_active)
        {
            std::fprintf(stderr,
                         "ns3 shim: ns-3's Simulator is a process-wide singleton; "
                         "destroy the existing ns3 session first\n");
            return nullptr;
        }
        ns3::ObjectFactory factory;
        factory.SetTypeId(found->type_id);
        ns3::Simulator::SetScheduler(factory);
        g_active = new ns3_shim;
        return g_active;
    }

    void ns3_shim_destroy(ns3_shim* s)
    {
        if (!s)
        {
            return;
        }
        for (auto& kv : s->by_id)
        {
            delete kv.second;
        }
        delete s;
        // Frees every event still queued (their Tracked records are gone
        // already; the events only hold pointers to them).
        ns3::Simulator::Destroy();
        g_active = nullptr;
    }

    int64_t ns3_shim_now(const ns3_shim*)
    {
        return ns3::Simulator::Now().GetTimeStep();
    }

    void ns3_shim_mirror_clock(ns3_shim* s, int64_t* clock)
    {
        s->clock = clock;
        SyncClock(s);
    }

    void ns3_shim_mirror_count(ns3_shim* s, uint64_t* executed, const uint64_t* pause_at)
    {
        s->executed = executed;
        s->pause_at = pause_at;
    }

    uint64_t ns3_shim_schedule(ns3_shim* s, int64_t at, ns3_shim_fn fn, void* arg)
    {
        int64_t now = ns3::Simulator::Now().GetTimeStep();
        if (at < now)
        {
            at = now;
        }
        Tracked* t = new Tracked{s, s->next_id++, at, fn, arg, ns3::EventId()};
        t->ev = ns3::Simulator::Schedule(ns3::NanoSeconds(at - now), &FireTracked, t);
        s->order.insert({t->at, t->id});
        s->by_id.emplace(t->id, t);
        return t->id;
    }

    bool ns3_shim_cancel(ns3_shim* s, uint64_t id)
    {
        auto it = s->by_id.find(id);
        if (it == s->by_id.end())
        {
            return false;
        }
        Tracked* t = it->second;
        ns3::Simulator::Remove(t->ev);
        Forget(s, t);
        return true;
    }

    void ns3_shim_schedule_raw_in(ns3_shim*, int64_t delay, ns3_shim_fn fn, void* arg)
    {
        ns3::Simulator::Schedule(ns3::NanoSeconds(delay), &FireRaw, fn, arg);
    }

    void ns3_shim_run_until(ns3_shim* s, int64_t until)
    {
        s->stopped = false;
        int64_t now = ns3::Simulator::Now().GetTimeStep();
        if (until < now)
        {
            return;
        }
        if (until == INT64_MAX)
        {
            ns3::Simulator::Run();
            SyncClock(s);
            return;
        }
        // Our own marker instead of Simulator::Stop(delay), whose event
        // cannot be removed when the user stops the run earlier.
        ns3::EventId marker = ns3::Simulator::Schedule(ns3::NanoSeconds(until - now), &UntilReached);
        ns3::Simulator::Run();
        if (!ns3::Simulator::IsExpired(marker))
        {
            ns3::Simulator::Remove(marker); // stopped before `until`
            SyncClock(s);
            return;
        }
        // Events scheduled at exactly `until` during the run sit behind
        // the marker in ns-3's queue; they are due too.
        while (!s->stopped && !s->order.empty() && s->order.begin()->first <= until)
        {
            ns3_shim_step(s);
        }
        SyncClock(s);
    }

    bool ns3_shim_step(ns3_shim* s)
    {
        if (s->order.empty())
        {
            return false;
        }
        s->stepping = true;
        ns3::Simulator::Run();
        s->stepping = false;
        SyncClock(s);
        return true;
    }

    void ns3_shim_stop(ns3_shim* s)
    {
        s->stopped = true;
        ns3::Simulator::Stop();
    }

    bool ns3_shim_is_finished(const ns3_shim*)
    {
        return ns3::Simulator::IsFinished();
    }

    size_t ns3_shim_pending(const ns3_shim* s)
    {
        return s->order.size();
    }

    int64_t ns3_shim_next_time(const ns3_shim* s)
    {
        return s->order.empty() ? INT64_MAX : s->order.begin()->first;
    }
}
