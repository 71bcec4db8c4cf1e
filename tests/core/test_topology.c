/*
 * test_topology.c: the machine's shape from sysfs and from hwloc (include/tk/topology.h).
 * The two are independent readings of one machine, so each checks the other: the same
 * counts, the same grouping of CPUs into cores, the same NUMA node per CPU, the same
 * caches.  Both are also checked against sysconf's count of online CPUs.
 */
#include <string.h>
#include <unistd.h>

#include "tk/config.h"
#include "tk/topology.h"
#include "tk_test.h"

#define MAXC 256

static void views_agree(void)
{
	/* before tk_topo_load every answer is sysfs's */
	CU_ASSERT_STRING_EQUAL(tk_topo_source(), "sysfs");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int n = online > MAXC ? MAXC : (int)online;
	int p = tk_topo_count('p'), c = tk_topo_count('c'), t = tk_topo_count('t');
	int nn = tk_topo_count('n');
	CU_ASSERT_EQUAL(t, online);
	CU_ASSERT(c >= 1 && c <= t);
	CU_ASSERT(p >= 1 && p <= c);
	CU_ASSERT(nn >= 0 && nn <= t);
	int core[MAXC], numa[MAXC], sh[4];
	uint64_t size[4];
	for (int i = 0; i < n; i++) {
		core[i] = tk_topo_core_of(i);
		numa[i] = tk_topo_numa_of(i);
	}
	for (int l = 1; l <= 3; l++)
		size[l] = tk_topo_cache(l, &sh[l]);
	CU_ASSERT(size[1] > 0 && sh[1] >= 1);
	/* an unknown CPU is its own core */
	CU_ASSERT_EQUAL(tk_topo_core_of(-1), -1);
	CU_ASSERT_EQUAL(tk_topo_numa_of(-1), -1);

	int with = tk_topo_load();
	CU_ASSERT_EQUAL(with, TK_HAVE_HWLOC);
	if (!with) {
		CU_ASSERT_STRING_EQUAL(tk_topo_source(), "sysfs");
		return;
	}
	CU_ASSERT_EQUAL(strncmp(tk_topo_source(), "hwloc ", 6), 0);
	CU_ASSERT_EQUAL(tk_topo_count('p'), p);
	CU_ASSERT_EQUAL(tk_topo_count('c'), c);
	CU_ASSERT_EQUAL(tk_topo_count('t'), t);
	/* sysfs lists no node folder on kernels without NUMA; hwloc then shows one node */
	CU_ASSERT_EQUAL(tk_topo_count('n'), nn ? nn : 1);
	for (int i = 0; i < n; i++) {
		if (numa[i] >= 0)
			CU_ASSERT_EQUAL(tk_topo_numa_of(i), numa[i]);
		for (int j = 0; j < n; j++)
			CU_ASSERT_EQUAL(tk_topo_core_of(i) == tk_topo_core_of(j), core[i] == core[j]);
	}
	for (int l = 1; l <= 3; l++) {
		int s2 = 0;
		CU_ASSERT_EQUAL(tk_topo_cache(l, &s2), size[l]);
		if (size[l])
			CU_ASSERT_EQUAL(s2, sh[l]);
	}
}

static const tk_test tests[] = {
	{"sysfs and hwloc agree", views_agree},
	{NULL, NULL},
};
const tk_suite tk_suite_topology = {"topology", tests};
