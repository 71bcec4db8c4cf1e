/*
 * sysinfo.c: machine and build facts (cores from the affinity mask, caches from sysfs),
 * each read once, and the memory available now (read at each call: it changes).
 * Nothing here is on a hot path.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk/config.h"
#include "tk/omp.h"
#include "tk/sysinfo.h"

int tk_sys_cores(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0) {
		int n = CPU_COUNT(&set);
		if (n > 0)
			return n;
	}
	return tk_sys_cores_online();
}

int tk_sys_cores_online(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

const char *tk_sys_host(void)
{
	static char host[256];
	if (!host[0] && gethostname(host, sizeof host - 1) != 0)
		strcpy(host, "unknown");
	return host;
}

const char *tk_sys_cpu_model(void)
{
	static char model[256];
	if (model[0])
		return model;
	strcpy(model, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return model;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon += 1 + strspn(colon + 1, " \t");
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(model, sizeof model, "%s", colon);
			break;
		}
	}
	fclose(f);
	return model;
}

uint64_t tk_sys_cache(int level)
{
	for (int idx = 0; idx < 8; idx++) {
		char path[128], buf[64];
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level",
		         idx);
		FILE *f = fopen(path, "r");
		if (!f)
			break;
		int lv = 0;
		if (fscanf(f, "%d", &lv) != 1)
			lv = 0;
		fclose(f);
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
		f = fopen(path, "r");
		if (!f || !fgets(buf, sizeof buf, f))
			buf[0] = '\0';
		if (f)
			fclose(f);
		if (lv != level || strncmp(buf, "Instruction", 11) == 0)
			continue;
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
		f = fopen(path, "r");
		if (!f)
			continue;
		unsigned long long v = 0;
		char unit = 'K';
		int got = fscanf(f, "%llu%c", &v, &unit);
		fclose(f);
		if (got < 1)
			continue;
		return v * (unit == 'M' ? 1024ull * 1024 : unit == 'G' ? 1ull << 30 : 1024ull);
	}
	return 0;
}

uint64_t tk_sys_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

const char *tk_build_compiler(void) { return TK_BUILD_CC; }
const char *tk_build_flags(void) { return TK_BUILD_CFLAGS; }
const char *tk_build_mpi(void) { return TK_BUILD_MPI; }
const char *tk_build_mpirun(void) { return TK_BUILD_MPIRUN[0] ? TK_BUILD_MPIRUN : "mpirun"; }

const char *tk_omp_version(void)
{
#if TK_HAVE_OPENMP
	static char v[32];
	const char *name = "";
	switch (_OPENMP) {
	case 201107: name = "3.1"; break;
	case 201307: name = "4.0"; break;
	case 201511: name = "4.5"; break;
	case 201811: name = "5.0"; break;
	case 202011: name = "5.1"; break;
	case 202111: name = "5.2"; break;
	default: name = "?"; break;
	}
	snprintf(v, sizeof v, "%s (%d)", name, _OPENMP);
	return v;
#else
	return "none";
#endif
}

static uint64_t read_u64_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char buf[64] = "";
	uint64_t v = 0;
	if (fgets(buf, sizeof buf, f) && strncmp(buf, "max", 3) != 0)
		v = strtoull(buf, NULL, 10);
	fclose(f);
	return v;
}

uint64_t tk_mem_available(void)
{
	uint64_t avail = 0;
	FILE *f = fopen("/proc/meminfo", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f)) {
			unsigned long long kb;
			if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
				avail = (uint64_t)kb * 1024;
				break;
			}
		}
		fclose(f);
	}
	uint64_t lim = read_u64_file("/sys/fs/cgroup/memory.max");
	if (lim) {
		uint64_t cur = read_u64_file("/sys/fs/cgroup/memory.current");
		uint64_t room = lim > cur ? lim - cur : 0;
		if (avail == 0 || room < avail)
			avail = room;
	}
	return avail;
}
