/*
 * topology.c: the machine's shape (include/tk/topology.h), from hwloc once loaded,
 * from sysfs before that or in a build without hwloc.  Rule: the two views answer the
 * same questions with the same meaning, so callers never ask which one they got.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk/config.h"
#include "tk/sysinfo.h"
#include "tk/topology.h"

#if TK_HAVE_HWLOC
#include <hwloc.h>
#ifndef TK_HWLOC_VERSION
#define TK_HWLOC_VERSION "(version unknown)"
#endif
static hwloc_topology_t topo;
static int loaded;
#endif

#define TCPUS 4096

/* ---- sysfs --------------------------------------------------------------------- */

static int read_int(const char *path, int *v)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fscanf(f, "%d", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int sys_core_of(int cpu)
{
	static int cache[TCPUS];
	static unsigned char known[TCPUS];
	if (cpu < 0 || cpu >= TCPUS)
		return cpu;
	if (known[cpu])
		return cache[cpu];
	int core = -1, pkg = 0;
	char path[128];
	snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/core_id", cpu);
	if (read_int(path, &core) != 0)
		core = -1;
	snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id",
	         cpu);
	if (read_int(path, &pkg) != 0 || pkg < 0)
		pkg = 0;
	cache[cpu] = core < 0 ? 100000 + cpu : pkg * 4096 + core;
	known[cpu] = 1;
	return cache[cpu];
}

/* the cpuN/nodeK link in sysfs names CPU's node */
static int sys_numa_of(int cpu)
{
	char path[64];
	snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d", cpu);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int node = -1;
	for (struct dirent *e; node < 0 && (e = readdir(d));)
		if (strncmp(e->d_name, "node", 4) == 0 && e->d_name[4] >= '0' && e->d_name[4] <= '9')
			node = atoi(e->d_name + 4);
	closedir(d);
	return node;
}

static int sys_count(char what)
{
	int n = 0, cores[TCPUS], nc = 0, pk[64], np = 0;
	int online = tk_sys_cores_online();
	switch (what) {
	case 't':
		return online;
	case 'n': {
		DIR *d = opendir("/sys/devices/system/node");
		if (!d)
			return 0;
		for (struct dirent *e; (e = readdir(d));)
			n += strncmp(e->d_name, "node", 4) == 0 && e->d_name[4] >= '0' &&
			     e->d_name[4] <= '9';
		closedir(d);
		return n;
	}
	case 'c':
		for (int c = 0; c < online && c < TCPUS; c++) {
			int k = sys_core_of(c), seen = 0;
			for (int i = 0; i < nc; i++)
				seen |= cores[i] == k;
			if (!seen)
				cores[nc++] = k;
		}
		return nc;
	case 'p':
		for (int c = 0; c < online && c < TCPUS; c++) {
			char path[128];
			int p = 0, seen = 0;
			snprintf(path, sizeof path,
			         "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", c);
			if (read_int(path, &p) != 0)
				return 0;
			for (int i = 0; i < np; i++)
				seen |= pk[i] == p;
			if (!seen && np < 64)
				pk[np++] = p;
		}
		return np;
	}
	return 0;
}

/* cpu0's cache of LEVEL (data or unified): size, and how many CPUs share it */
static uint64_t sys_cache(int level, int *shared_by)
{
	uint64_t size = tk_sys_cache(level);
	*shared_by = 0;
	for (int idx = 0; size && idx < 8; idx++) {
		char path[128], list[256];
		int lv = 0;
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
		if (read_int(path, &lv) != 0)
			break;
		if (lv != level)
			continue;
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
		FILE *f = fopen(path, "r");
		if (!f || !fgets(list, sizeof list, f) || strncmp(list, "Instruction", 11) == 0) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof path,
		         "/sys/devices/system/cpu/cpu0/cache/index%d/shared_cpu_list", idx);
		if (!(f = fopen(path, "r")))
			break;
		if (fgets(list, sizeof list, f)) {
			/* "0-3,8-11": count the CPUs in the ranges */
			int n = 0;
			for (char *s = list; *s && *s != '\n';) {
				int a, b, used;
				if (sscanf(s, "%d%n", &a, &used) != 1)
					break;
				s += used;
				b = a;
				if (*s == '-' && sscanf(s + 1, "%d%n", &b, &used) == 1)
					s += 1 + used;
				n += b - a + 1;
				if (*s == ',')
					s++;
			}
			*shared_by = n;
		}
		fclose(f);
		break;
	}
	return size;
}

/* ---- hwloc --------------------------------------------------------------------- */

int tk_topo_load(void)
{
#if TK_HAVE_HWLOC
	if (loaded)
		return loaded > 0;
	loaded = -1;
	if (hwloc_topology_init(&topo) != 0)
		return 0;
	hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
	if (hwloc_topology_load(topo) != 0) {
		hwloc_topology_destroy(topo);
		return 0;
	}
	loaded = 1;
	return 1;
#else
	return 0;
#endif
}

const char *tk_topo_source(void)
{
#if TK_HAVE_HWLOC
	if (loaded > 0)
		return "hwloc " TK_HWLOC_VERSION;
#endif
	return "sysfs";
}

#if TK_HAVE_HWLOC
static hwloc_obj_t pu_of(int cpu)
{
	return loaded > 0 && cpu >= 0 ? hwloc_get_pu_obj_by_os_index(topo, (unsigned)cpu) : NULL;
}
#endif

int tk_topo_core_of(int cpu)
{
#if TK_HAVE_HWLOC
	hwloc_obj_t pu = pu_of(cpu);
	if (pu) {
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
		return core ? (int)core->logical_index : 100000 + cpu;
	}
#endif
	return sys_core_of(cpu);
}

int tk_topo_numa_of(int cpu)
{
#if TK_HAVE_HWLOC
	hwloc_obj_t pu = pu_of(cpu);
	if (pu) {
		/* NUMA nodes hang off the memory side of an ancestor: the first ancestor with
		 * memory children holds this PU's local node */
		for (hwloc_obj_t a = pu->parent; a; a = a->parent)
			if (a->memory_arity > 0) {
				hwloc_obj_t m = a->memory_first_child;
				while (m && m->type != HWLOC_OBJ_NUMANODE)
					m = m->memory_first_child;
				return m ? (int)m->os_index : -1;
			}
		return -1;
	}
#endif
	return cpu < 0 ? -1 : sys_numa_of(cpu);
}

int tk_topo_count(char what)
{
#if TK_HAVE_HWLOC
	if (loaded > 0) {
		hwloc_obj_type_t t = what == 'p'   ? HWLOC_OBJ_PACKAGE
		                     : what == 'c' ? HWLOC_OBJ_CORE
		                     : what == 't' ? HWLOC_OBJ_PU
		                                   : HWLOC_OBJ_NUMANODE;
		int n = hwloc_get_nbobjs_by_type(topo, t);
		return n > 0 ? n : 0;
	}
#endif
	return sys_count(what);
}

uint64_t tk_topo_cache(int level, int *shared_by)
{
	int dummy;
	if (!shared_by)
		shared_by = &dummy;
#if TK_HAVE_HWLOC
	if (loaded > 0 && level >= 1 && level <= 3) {
		hwloc_obj_type_t t = level == 1 ? HWLOC_OBJ_L1CACHE
		                     : level == 2 ? HWLOC_OBJ_L2CACHE
		                                  : HWLOC_OBJ_L3CACHE;
		hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, 0);
		hwloc_obj_t c = pu ? hwloc_get_ancestor_obj_by_type(topo, t, pu) : NULL;
		if (c && c->attr) {
			*shared_by = hwloc_bitmap_weight(c->cpuset);
			return c->attr->cache.size;
		}
		*shared_by = 0;
		return 0;
	}
#endif
	return sys_cache(level, shared_by);
}
