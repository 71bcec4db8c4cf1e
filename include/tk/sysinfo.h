/*
 * sysinfo.h: facts about this machine and this build, for `toolkit info` and for the
 * provenance block of every JSON report, and the memory a run may still take.
 */
#ifndef TK_SYSINFO_H
#define TK_SYSINFO_H

#include <stdint.h>

/* CPUs this process may run on (its affinity mask), at least 1. */
int tk_sys_cores(void);
/* CPUs online on the machine. */
int tk_sys_cores_online(void);
const char *tk_sys_host(void);
const char *tk_sys_cpu_model(void);
/* Cache size in bytes for level 1..3 (data/unified), 0 if unknown. */
uint64_t tk_sys_cache(int level);
uint64_t tk_sys_memory(void);
/* Bytes of memory available to this process now (MemAvailable, within the cgroup's
 * memory.max), 0 if unknown: what a size check before allocating compares with. */
uint64_t tk_mem_available(void);
const char *tk_build_compiler(void);
const char *tk_build_flags(void);
/* "mpicc.mpich (mpich 4.0.2)" (the wrapper and flavour the build used, and the RPATH it
 * gave the binary) or "none"; the launcher that belongs to that wrapper ("mpirun"
 * when unknown). */
const char *tk_build_mpi(void);
const char *tk_build_mpirun(void);

#endif
