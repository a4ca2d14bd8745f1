/*
 * engine.c — choosing an engine backend by name (`--engine native|ns3`).
 */
#include "sim/sim.h"

#include <string.h>

sim_engine *sim_engine_new_by_name(const char *name)
{
    if (!name || !strcmp(name, "native"))
        return sim_engine_native_new();
    if (!strcmp(name, "ns3"))
        return sim_engine_ns3_new();
    return NULL;
}
