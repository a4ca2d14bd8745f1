/*
 * engine_ns3.c — the `ns3` backend of the engine interface.
 */
#include "sim/sim.h"

#include <stdio.h>

sim_engine *sim_engine_ns3_new(void)
{
    fprintf(stderr, "sim: the ns3 engine is not built into this wgsim\n");
    return NULL;
}
