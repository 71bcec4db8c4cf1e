/*
 * world.h: the world a run actually got, as opposed to the one it asked for: how many
 * tasks the launcher says it started, how many ranks MPI joined, and where every rank
 * and thread ran (host, the CPUs each rank may use, the CPU each thread was seen on).
 *
 * Rule: a run never claims a world it did not get.  When the environment says a
 * launcher started N > 1 tasks but the world has another size (a launcher without the
 * MPI wiring, an MPI flavour other than the build's, a build without MPI), every copy
 * says so on stderr, and `--mode mpi|hybrid` is an error.  The placement is gathered
 * once per run (collective) and goes into the JSON report; `--placement` prints it as a
 * map with warnings (threads sharing a core, a host with more threads than cores).
 */
#ifndef TK_WORLD_H
#define TK_WORLD_H

#include <stdio.h>

/* The number of tasks the environment says a launcher started (SLURM_STEP_NUM_TASKS,
 * SLURM_NTASKS, PMI_SIZE, OMPI_COMM_WORLD_SIZE, MPI_LOCALNRANKS, or a rank variable
 * such as PMIX_RANK above 0), 0 when no launcher variable is set.  `var` receives the
 * variable that said it ("SLURM_NTASKS=2").  Not collective. */
int tk_world_launcher_tasks(char *var, size_t n);

/* Compare the launcher's claim with the world (tk_comm_size) and, unless quiet, say so
 * on stderr when they differ or when a build without MPI runs under a launcher.
 * Returns 1 when the world is not what the launcher claims, else 0.  Not collective:
 * every process checks its own environment. */
int tk_world_check(const char *cmd, int quiet);

/* Record the CPU the calling thread runs on (sched_getcpu); thread-safe, cheap enough
 * for a kernel's inner blocks.  tk_world_sample_all does it on every thread of a
 * parallel region of the current thread count. */
void tk_world_sample(void);
void tk_world_sample_all(void);

/* Collective: gather every rank's placement to rank 0 (threads = threads per rank). */
void tk_world_collect(int threads);
/* Rank 0, after collect: 1 when there is something to print. */
int tk_world_collected(void);
/* The "world" JSON object: ranks, threads, hosts, launcher claim, placement per rank,
 * warnings. */
void tk_world_json(FILE *out);
/* The readable map, rank -> host -> cores -> threads, then the warnings. */
void tk_world_map(FILE *out);

#endif
