/*
 * topology.h: the machine's shape (packages, cores, hardware threads, NUMA nodes,
 * caches) for `toolkit info` and the `--placement` map.  From hwloc (the topology
 * library Open MPI itself uses) when the build has it (HWLOC=auto|0|1), else from
 * Linux's sysfs.  hwloc's discovery costs a few milliseconds, so it happens only when
 * asked (tk_topo_load), never on an ordinary run: until then every answer is sysfs's.
 * Not thread-safe before tk_topo_load has returned; read-only afterwards.
 */
#ifndef TK_TOPOLOGY_H
#define TK_TOPOLOGY_H

#include <stdint.h>

/* Discover the topology with hwloc (no-op without it, or when already loaded).
 * Returns 1 when hwloc's view is in use, 0 when sysfs's is. */
int tk_topo_load(void);
/* "hwloc 2.9.0" or "sysfs": where the answers below come from. */
const char *tk_topo_source(void);
/* An identity for the core that CPU (an OS CPU number) belongs to: equal for the
 * hardware threads of one core, different between cores; the CPU number itself when
 * nothing is known. */
int tk_topo_core_of(int cpu);
/* The NUMA node of CPU (its OS index), -1 when unknown. */
int tk_topo_numa_of(int cpu);
/* Counts on the whole machine: packages, cores, hardware threads (PUs), NUMA nodes;
 * 0 when unknown. */
int tk_topo_count(char what);
/* Level 1..3 data/unified cache: size in bytes and the number of hardware threads
 * sharing one such cache (0 when unknown). */
uint64_t tk_topo_cache(int level, int *shared_by);

#endif
