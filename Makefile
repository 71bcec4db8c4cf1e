# toolkit: the only build entry.
#   make              build ./toolkit (MPI auto-detected, OpenMP on)
#   make MPI=0        OpenMP only: no MPI header or library is touched
#   make MPI=1        require MPI (fails clearly when mpicc is missing)
#   make OPENMP=0     no OpenMP (threads = 1)
#   make test         install what is missing (scripts/deps.sh), run every test
#   make test-clang   the unit and cross-mode tests built with clang, digests as gcc's
#   make test-aarch64 the aarch64 build under qemu-user gives this machine's digests
#   make test-cluster every kernel across 4 hosts made of network namespaces (root)
#   make test-mpich   the MPI tests and cross-mode digests built with MPICH (mpicc.mpich)
#   make test-faults  killed ranks, signals, a full disk, read-only and shrinking files
#   make fuzz         libFuzzer on each input parser (FUZZ_SECONDS each); fuzz-replay
#   make tsan         ThreadSanitizer (clang, Archer): unit tests and every kernel
#   make test-stream-big  reduce streams a sparse 32 GiB file (larger than memory); minutes
#   MPICC=mpicc.mpich build with this MPI compiler wrapper (any flavour; MPIRUN= its launcher)
#   make demo         build and run the Monte Carlo comparison in omp and mpi modes
#   make bench        a scaling sweep with toolkit bench
#   make install PREFIX=/usr/local  (DESTDIR= for staging): toolkit, libtk.so/.a, headers,
#                     lib/pkgconfig/toolkit.pc (docs/architecture.md "libtk")
#   make lib          libtk.so (and libtk.a) in the build folder
#   make test-install install into a temporary DESTDIR, build examples/embed.c from it
#   CURL=0|1          without / with libcurl (filter --input LIST of URLs); auto by default
#   HWLOC=0|1         without / with hwloc (topology in info and --placement); auto by default
#   V=1               show full commands; SAN=1 AddressSanitizer + UBSan build
# Objects live per configuration (build/mpi1-omp1-png1/...), so switching never links
# stale objects.

MPI ?= auto
OPENMP ?= 1
PNG ?= auto
CURL ?= auto
HWLOC ?= auto
SAN ?= 0
PREFIX ?= /usr/local
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
# The default binary is portable: a baseline for the target, and the hot kernels in one
# variant per vector ISA chosen at run time (include/tk/simd.h).  ARCH=-march=native
# tunes the rest of the program for this machine (the kernels' variants stay as they are).
TARGET := $(shell $(CC) -dumpmachine 2>/dev/null)
ifneq ($(filter x86_64%,$(TARGET)),)
ARCH_DEFAULT := -march=x86-64-v2 -mtune=generic
SIMD_VARIANTS := scalar v128 avx2 avx512
else ifneq ($(filter aarch64%,$(TARGET)),)
ARCH_DEFAULT := -march=armv8-a
SIMD_VARIANTS := scalar v128
else
ARCH_DEFAULT :=
SIMD_VARIANTS := scalar v128
endif
# an ARCH other than the target's default gets its own build folder (CONFIG)
ARCH ?= $(ARCH_DEFAULT)

# Any MPI: the objects that include <mpi.h> are compiled, and the program linked, by
# the MPI compiler wrapper itself (MPICC: mpicc, mpicc.mpich, mpiicc, Cray's cc), with
# $(CC) underneath where the wrapper lets us choose (OMPI_CC, MPICH_CC, I_MPI_CC); its
# flavour comes from the macros its own mpi.h defines (scripts/mpi-wrapper.sh), never
# from one flavour's private flag queries.
MPICC ?= mpicc
ifeq ($(MPI),auto)
MPI := $(if $(shell command -v $(MPICC) 2>/dev/null),1,0)
endif
ifeq ($(MPI),1)
ifeq ($(shell command -v $(MPICC) 2>/dev/null),)
$(error MPI=1 but the MPI compiler wrapper '$(MPICC)' was not found: install an MPI (scripts/deps.sh mpi, or apt-get install openmpi-bin libopenmpi-dev), give MPICC=mpicc.mpich (or mpiicc, cc), or build with MPI=0)
endif
MPI_FLAVOUR := $(shell scripts/mpi-wrapper.sh flavour $(MPICC))
ifeq ($(MPI_FLAVOUR),)
$(error MPI=1 but '$(MPICC)' cannot compile a file that includes mpi.h: is it an MPI compiler wrapper whose development files are installed?)
endif
MPI_KIND := $(firstword $(MPI_FLAVOUR))
# the launcher that belongs to this wrapper (tests and bench use it): mpiexec.mpich
MPIRUN ?= $(or $(shell scripts/mpi-wrapper.sh launcher $(MPICC)),mpirun)
# the library's folders go into the binary (RUNPATH), so compute nodes without the
# build's environment find libmpi; LD_LIBRARY_PATH (a site's modules) still wins
MPI_RPATH := $(foreach d,$(shell scripts/mpi-wrapper.sh libdirs $(MPICC)),-Wl,-rpath,$(d))
MPI_ENV := OMPI_CC=$(CC) MPICH_CC=$(CC) I_MPI_CC=$(CC)
LINK := $(MPI_ENV) $(MPICC)
LDFLAGS_TK += $(MPI_RPATH)
else
LINK := $(CC)
endif
ifeq ($(PNG),auto)
PNG := $(if $(shell pkg-config --exists libpng 2>/dev/null && echo y),1,$(if $(wildcard /usr/include/png.h),1,0))
endif
ifeq ($(PNG),1)
PNG_CFLAGS := $(shell pkg-config --cflags libpng 2>/dev/null)
PNG_LIBS := $(or $(shell pkg-config --libs libpng 2>/dev/null),-lpng)
endif
ifeq ($(CURL),auto)
CURL := $(if $(shell pkg-config --exists libcurl 2>/dev/null && echo y),1,$(if $(wildcard /usr/include/curl/curl.h /usr/include/*/curl/curl.h),1,0))
endif
ifeq ($(CURL),1)
ifeq ($(shell pkg-config --exists libcurl 2>/dev/null && echo y)$(wildcard /usr/include/curl/curl.h /usr/include/*/curl/curl.h),)
$(error CURL=1 but libcurl's header was not found: install it (scripts/deps.sh curl, or apt-get install libcurl4-openssl-dev) or build with CURL=0)
endif
CURL_CFLAGS := $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS := $(or $(shell pkg-config --libs libcurl 2>/dev/null),-lcurl)
endif
ifeq ($(HWLOC),auto)
HWLOC := $(if $(shell pkg-config --exists hwloc 2>/dev/null && echo y),1,$(if $(wildcard /usr/include/hwloc.h),1,0))
endif
ifeq ($(HWLOC),1)
ifeq ($(shell pkg-config --exists hwloc 2>/dev/null && echo y)$(wildcard /usr/include/hwloc.h),)
$(error HWLOC=1 but hwloc.h was not found: install it (scripts/deps.sh hwloc, or apt-get install libhwloc-dev) or build with HWLOC=0)
endif
HWLOC_CFLAGS := $(shell pkg-config --cflags hwloc 2>/dev/null)
HWLOC_LIBS := $(or $(shell pkg-config --libs hwloc 2>/dev/null),-lhwloc)
endif
# the library's own version for `toolkit info` (hwloc's API number is not it)
HWLOC_VERSION := $(or $(shell pkg-config --modversion hwloc 2>/dev/null),unknown)

# a build without libcurl has its own folder (fetch.c differs); with it, the name is as before
CURL_SUFFIX := $(if $(filter 0,$(CURL)),-nocurl)
# and one without hwloc (topology.c differs)
HWLOC_SUFFIX := $(if $(filter 0,$(HWLOC)),-nohwloc)
space := $(subst ,, )
comma := ,
CONFIG := $(if $(filter x86_64%,$(TARGET)),,$(firstword $(subst -, ,$(TARGET)))-)mpi$(MPI)$(if $(filter-out openmpi,$(MPI_KIND)),-$(MPI_KIND))-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)$(if $(filter 1,$(SAN)),-san)$(if $(subst x$(strip $(ARCH_DEFAULT))x,,x$(strip $(ARCH))x),-$(subst =,,$(subst -,,$(subst $(space),,$(ARCH)))))$(if $(filter clang%,$(notdir $(CC))),-clang)
BUILD := build/$(CONFIG)

WARN := -Wall -Wextra -Werror -Wundef -Wstrict-prototypes -Wmissing-prototypes -Wshadow
OPT0 := -O3 -ffp-contract=off
ifeq ($(SAN),1)
OPT0 := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -ffp-contract=off
endif
OPT := $(OPT0) $(ARCH)
# CFLAGS_TK without the target: the kernel variants add their own (SIMD_FLAGS_*)
CFLAGS_NOARCH = -std=c11 $(OPT0) $(WARN) -g -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	-Iinclude -Isrc -DTK_HAVE_MPI=$(MPI) -DTK_HAVE_OPENMP=$(OPENMP) -DTK_HAVE_PNG=$(PNG) \
	-DTK_HAVE_CURL=$(CURL) -DTK_HAVE_HWLOC=$(HWLOC) $(PIC) $(PNG_CFLAGS) $(CURL_CFLAGS) $(HWLOC_CFLAGS) $(CFLAGS)
CFLAGS_TK = $(CFLAGS_NOARCH) $(ARCH)
# Every object is position-independent, so the one set of objects makes ./toolkit,
# libtk.a (which an embedder may link into a PIE or a shared object of its own) and
# libtk.so.  No interposition of the library's own functions is assumed (calls within
# a file stay direct and inlinable, as in the default PIE build), and the linker
# relaxes the GOT and PLT references of the executable to direct ones: ./toolkit runs
# at the speed of the PIE build (measured: docs/architecture.md "PIC and speed").
PIC := -fPIC -fno-semantic-interposition
ifeq ($(OPENMP),1)
CFLAGS_NOARCH += -fopenmp
LDFLAGS_TK += -fopenmp
else
CFLAGS_NOARCH += -Wno-unknown-pragmas
endif
ifeq ($(SAN),1)
LDFLAGS_TK += -fsanitize=address,undefined
endif
LIBS_TK := $(PNG_LIBS) $(CURL_LIBS) $(HWLOC_LIBS) -lm $(LDFLAGS) $(LIBS)
# provenance for `toolkit info`
CC_VERSION := $(shell $(CC) -dumpfullversion 2>/dev/null || $(CC) -dumpversion 2>/dev/null)
CFLAGS_NOARCH += -DTK_BUILD_CC='"$(CC) $(CC_VERSION)"' \
	-DTK_BUILD_CFLAGS='"$(strip $(OPT)) $(if $(filter 1,$(OPENMP)),-fopenmp)"' \
	-DTK_BUILD_MPI='"$(if $(filter 1,$(MPI)),$(MPICC) ($(MPI_FLAVOUR))$(if $(MPI_RPATH),$(comma) rpath $(subst $(space),:,$(strip $(shell scripts/mpi-wrapper.sh libdirs $(MPICC))))),none)"' \
	-DTK_BUILD_MPIRUN='"$(if $(filter 1,$(MPI)),$(MPIRUN))"'

ifeq ($(V),1)
Q :=
else
Q := @
endif

# libtk: every module but the command front end and the other comm backend
COMM_SRC := $(if $(filter 1,$(MPI)),src/comm/comm_mpi.c,src/comm/comm_serial.c)
# bench is front end as a whole (src/bench/*.c: its modules are not libtk)
CMD_SRC := src/core/main.c $(sort $(wildcard src/*/cmd_*.c) $(wildcard src/bench/*.c))
SIMD_SRC := $(wildcard src/*/*_simd.c)
LIB_SRC := $(filter-out $(CMD_SRC) $(SIMD_SRC) src/comm/comm_mpi.c src/comm/comm_serial.c,$(wildcard src/*/*.c)) $(COMM_SRC)
# each kernel variant source once per vector ISA (include/tk/simd.h, src/simd/vec.h)
SIMD_OBJ := $(foreach v,$(SIMD_VARIANTS),$(SIMD_SRC:src/%.c=$(BUILD)/variant/%.$(v).o))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o) $(SIMD_OBJ)
CMD_OBJ := $(CMD_SRC:src/%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/*/test_*.c) tests/runner.c
TEST_OBJ := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
MPITEST_SRC := tests/mpi_runner.c
MPITEST_OBJ := $(MPITEST_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: FORCE all toolkit test test-stream-big test-mpich test-cluster test-slurm test-clang clang-check test-aarch64 aarch64-check check unit mpitest modes demo bench clean install deps help lint san valgrind lib test-install fuzz fuzz-replay fuzz-bins test-faults tsan
all: toolkit

# ./toolkit is a copy of the current configuration's binary, refreshed when it differs
toolkit: $(BUILD)/toolkit
	$(Q)cmp -s $< $@ 2>/dev/null || { cp $< $@ && echo "  built ./toolkit ($(CONFIG))"; }

$(BUILD)/toolkit: $(CMD_OBJ) $(BUILD)/libtk.a
	@echo "  LD    $@"
	$(Q)$(LINK) $(LDFLAGS_TK) -o $@ $(CMD_OBJ) $(BUILD)/libtk.a $(LIBS_TK)

# The source revision for every JSON record: git describe when built from a git checkout,
# "unknown" otherwise.  The header is rewritten only when the revision changes, so only
# report.c is recompiled after a commit.
REVISION := $(or $(shell git describe --always --dirty --tags 2>/dev/null),unknown)
$(BUILD)/revision.h: FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '#define TK_BUILD_REVISION "%s"\n' '$(REVISION)' >$@.new; \
	cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@
$(BUILD)/core/report.o: $(BUILD)/revision.h
# The compile flags of this configuration, rewritten only when they change: every
# object depends on it, so a changed flag (say -fPIC, which libtk.so needs) rebuilds
# the objects instead of linking ones made without it.  (CFLAGS_NOARCH: report.o adds
# to CFLAGS_TK for itself, which must not reach this file.)
$(BUILD)/cflags: FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' '$(subst ','\'',$(CC) $(CFLAGS_NOARCH) $(ARCH) $(MPICC) $(foreach v,$(SIMD_VARIANTS),$(SIMD_FLAGS_$(v))))' >$@.new; \
	cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@
$(BUILD)/core/report.o: CFLAGS_TK += -I$(BUILD)
$(BUILD)/core/topology.o: CFLAGS_TK += -DTK_HWLOC_VERSION='"$(HWLOC_VERSION)"'
FORCE:

$(BUILD)/libtk.a: $(LIB_OBJ)
	@echo "  AR    $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- libtk for embedders: the shared library and its pkg-config file ------------------
# libtk.so.$(TK_VERSION) with the soname libtk.so.MAJOR, linked with everything it needs
# (libgomp, libpng, libcurl, the MPI library with its RUNPATH), so `-ltk` alone links it.
# It exports the names its public headers declare and nothing else (the version script
# is made from include/tk/*.h: the SIMD variants, tk_fn and other internals stay
# inside); calls inside the library bind to its own functions.  toolkit.pc, not tk.pc:
# Tcl/Tk installs tk.pc.
TK_VERSION := $(shell sed -n 's/^\#define TK_VERSION "\(.*\)"/\1/p' include/tk/tk.h)
TK_SOVERSION := $(firstword $(subst ., ,$(TK_VERSION)))
LIBTK_SO := libtk.so.$(TK_VERSION)
LIBTK_SONAME := libtk.so.$(TK_SOVERSION)
lib: $(BUILD)/$(LIBTK_SO) $(BUILD)/libtk.a

$(BUILD)/libtk.map: $(wildcard include/tk/*.h)
	@mkdir -p $(dir $@)
	$(Q){ echo 'TK_0 {'; echo '	global:'; grep -ho '\<tk_[a-z0-9_]*' $^ | sort -u | \
		sed 's/.*/		&;/'; echo '	local:'; echo '		*;'; echo '};'; } >$@
$(BUILD)/$(LIBTK_SO): $(LIB_OBJ) $(BUILD)/libtk.map
	@echo "  LD    $@"
	$(Q)$(LINK) -shared -Wl,-soname,$(LIBTK_SONAME) -Wl,--version-script,$(BUILD)/libtk.map \
		-Wl,-Bsymbolic-functions -Wl,-z,defs $(LDFLAGS_TK) -o $@ $(LIB_OBJ) $(LIBS_TK)

# The link flags a static embedder needs besides libtk.a: the libraries the build
# linked (libpng, libcurl, hwloc as resolved above, libm), OpenMP's flag, and the MPI link
# flags of the wrapper the build used (scripts/mpi-wrapper.sh libs) with the RUNPATH.
# The public headers call OpenMP inline (tk/omp.h), so -fopenmp is in Cflags and Libs.
MPI_LIBS := $(if $(filter 1,$(MPI)),$(shell scripts/mpi-wrapper.sh libs $(MPICC)) $(MPI_RPATH))
OMP_FLAG := $(if $(filter 1,$(OPENMP)),-fopenmp)
$(BUILD)/toolkit.pc: FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
		'includedir=$${prefix}/include' '' 'Name: toolkit' \
		'Description: libtk, the toolkit'"'"'s parallel kernels (Monte Carlo, reduce, filter, stencil)' \
		'Version: $(TK_VERSION)' \
		'Cflags: $(strip -I$${includedir} $(OMP_FLAG))' \
		'Libs: $(strip -L$${libdir} -ltk $(OMP_FLAG))' \
		'Libs.private: $(strip $(PNG_LIBS) $(CURL_LIBS) $(HWLOC_LIBS) -lm $(MPI_LIBS) $(OMP_FLAG))' >$@.new; \
	cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

# The installed tk/config.h says what this build has (TK_HAVE_OPENMP decides what
# tk/omp.h's inline helpers do), so an embedder needs no -D of its own.
$(BUILD)/include/tk/config.h: include/tk/config.h FORCE
	@mkdir -p $(dir $@)
	$(Q)sed -e 's/^\(#define TK_HAVE_MPI\) 0$$/\1 $(MPI)/' \
		-e 's/^\(#define TK_HAVE_OPENMP\) 0$$/\1 $(OPENMP)/' \
		-e 's/^\(#define TK_HAVE_PNG\) 0$$/\1 $(PNG)/' \
		-e 's/^\(#define TK_HAVE_CURL\) 0$$/\1 $(CURL)/' \
		-e 's/^\(#define TK_HAVE_HWLOC\) 0$$/\1 $(HWLOC)/' \
		-e 's/anything it does not pass is 0 here\./this installed copy holds its values./' \
		$< >$@.new; \
	cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

$(BUILD)/%.o: src/%.c $(BUILD)/cflags
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS_TK) -MMD -MP -c $< -o $@

# the one file that includes <mpi.h>: compiled by the wrapper, which knows where it is
$(BUILD)/comm/comm_mpi.o: src/comm/comm_mpi.c $(BUILD)/cflags
	@mkdir -p $(dir $@)
	@echo "  MPICC $< [$(MPICC): $(MPI_FLAVOUR)]"
	$(Q)$(MPI_ENV) $(MPICC) $(CFLAGS_TK) -MMD -MP -c $< -o $@

# scalar: one lane, the reference (and no auto-vectorising, so it is the scalar code)
SIMD_FLAGS_scalar = $(ARCH) -fno-tree-vectorize -fno-tree-slp-vectorize -DTK_VBYTES=8
SIMD_FLAGS_v128 = $(ARCH) -DTK_VBYTES=16
SIMD_FLAGS_avx2 = -march=x86-64-v3 -mtune=generic -DTK_VBYTES=32
SIMD_FLAGS_avx512 = -march=x86-64-v4 -mtune=generic -DTK_VBYTES=64
# A vector variant whose vector operations the compiler lowers to scalar code (wider
# than the target, or an operation the ISA lacks) is a build error, where the compiler
# can tell (gcc's -Wvector-operation-performance; clang has no such warning).  Not for
# scalar: its one-lane vectors are scalar code by design.
VEC_WARN := $(shell $(CC) -Werror -Wvector-operation-performance -E -x c /dev/null >/dev/null 2>&1 && echo -Wvector-operation-performance)
define SIMD_RULE
$$(BUILD)/variant/%.$(1).o: src/%.c $$(BUILD)/cflags
	@mkdir -p $$(dir $$@)
	@echo "  CC    $$< [$(1)]"
	$$(Q)$$(CC) $$(CFLAGS_NOARCH) $$(SIMD_FLAGS_$(1)) $(if $(filter-out scalar,$(1)),$$(VEC_WARN)) -DTK_SIMD_SUFFIX=$(1) -MMD -MP -c $$< -o $$@
endef
$(foreach v,$(SIMD_VARIANTS),$(eval $(call SIMD_RULE,$(v))))

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/cflags
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS_TK) -Isrc -Itests -MMD -MP -c $< -o $@

# the unit tests drive the command front ends too (dry runs: tests/core/test_registry.c)
CMD_TEST_OBJ := $(filter-out $(BUILD)/core/main.o,$(CMD_OBJ))
$(BUILD)/run_tests: $(TEST_OBJ) $(CMD_TEST_OBJ) $(BUILD)/libtk.a
	@echo "  LD    $@"
	$(Q)$(LINK) $(LDFLAGS_TK) -o $@ $(TEST_OBJ) $(CMD_TEST_OBJ) $(BUILD)/libtk.a $(LIBS_TK) -lcunit

$(BUILD)/mpi_tests: $(MPITEST_OBJ) $(BUILD)/libtk.a
	@echo "  LD    $@"
	$(Q)$(LINK) $(LDFLAGS_TK) -o $@ $(MPITEST_OBJ) $(BUILD)/libtk.a $(LIBS_TK)

deps:
	$(Q)scripts/deps.sh

# The whole suite: dependencies, shell lint, the MPI=0 build and its tests, the clang
# build's tests and the aarch64 build's digests (their own build folders), then the MPI
# build: unit tests, MPI tests at 1/2/4 ranks, cross-mode bitwise checks, bad-input
# checks, fault tests (so ./toolkit is the MPI build afterwards); last the fuzz corpus
# replay and the ThreadSanitizer runs (about 2 minutes with the build).  Each step is a fresh make so that
# MPI auto-detection sees what deps.sh installed.
test:
	$(Q)scripts/deps.sh cc mpi mpich cunit png curl hwloc gnuplot shellcheck numpy clang fuzz tsan aarch64
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(MAKE) --no-print-directory MPI=0 check
	$(Q)$(MAKE) --no-print-directory test-clang
	$(Q)$(MAKE) --no-print-directory test-aarch64
	$(Q)$(MAKE) --no-print-directory test-mpich
	$(Q)$(MAKE) --no-print-directory MPI=1 check
	$(Q)$(MAKE) --no-print-directory MPI=1 test-faults
	$(Q)$(MAKE) --no-print-directory fuzz-replay
	$(Q)$(MAKE) --no-print-directory tsan
	@echo "make test: all test steps passed"

# A second MPI: Debian's MPICH beside Open MPI, chosen by explicit paths (its wrapper
# mpicc.mpich and Hydra's mpiexec.mpich): the MPI tests, the cross-mode digests and
# bench's runs (tests/modes.d/zz-bench.sh) pass under it as under Open MPI.  Its own
# build folder (build/mpi1-mpich-...); ./toolkit is the Open MPI build again afterwards.
MPICH_CC := mpicc.mpich
test-mpich:
	$(Q)scripts/deps.sh mpich
	$(Q)$(MAKE) --no-print-directory MPI=1 MPICC=$(MPICH_CC) MPIRUN=mpiexec.mpich check

check: toolkit unit mpitest modes test-install

unit: $(BUILD)/run_tests toolkit
	@echo "== unit tests ($(CONFIG))"
	$(Q)TK_TEST_DATA=tests/data $(BUILD)/run_tests

mpitest: toolkit $(if $(filter 1,$(MPI)),$(BUILD)/mpi_tests)
ifeq ($(MPI),1)
	@echo "== MPI tests at 1, 2, 4 ranks ($(CONFIG))"
	$(Q)TK_MPIRUN=$(MPIRUN) tests/mpi.sh $(BUILD)/mpi_tests
else
	@echo "== MPI tests skipped: this build has no MPI"
endif

modes: toolkit
	@echo "== cross-mode and bad-input checks ($(CONFIG))"
	$(Q)$(if $(filter 1,$(MPI)),TK_MPIRUN=$(MPIRUN)) tests/modes.sh ./toolkit

# reduce of a sparse 32 GiB raw file (larger than memory) streamed, against its closed
# form (tests/modes.d/stream.sh with TK_STREAM_BIG=1; a few minutes, so not in check)
test-stream-big: toolkit
	$(Q)TK_STREAM_BIG=1 TK_MODES_ONLY=stream $(if $(filter 1,$(MPI)),TK_MPIRUN=$(MPIRUN)) tests/modes.sh ./toolkit

# A second compiler: clang's own MPI=0 build (build/...-clang/; ./toolkit is left alone)
# runs the unit tests and the cross-mode checks, must name itself in `info`, and must give
# the gcc build's digests for every kernel and every variant this CPU runs.
test-clang:
	$(Q)scripts/deps.sh cc clang cunit
	$(Q)$(MAKE) --no-print-directory MPI=0 CC=clang clang-check
clang-check: $(BUILD)/toolkit $(BUILD)/run_tests
	@echo "== unit tests ($(CONFIG))"
	$(Q)TK_TEST_DATA=tests/data $(BUILD)/run_tests
	$(Q)$(BUILD)/toolkit info | grep -q '^  compiler  *clang [0-9]' || \
		{ echo "FAIL: $(BUILD)/toolkit info does not show clang's version:"; $(BUILD)/toolkit info | grep compiler; exit 1; }
	@echo "== cross-mode and bad-input checks ($(CONFIG))"
	$(Q)tests/modes.sh $(BUILD)/toolkit
	$(Q)$(MAKE) --no-print-directory CC=gcc $(BUILD:-clang=)/toolkit
	$(Q)TK_CROSS_RUN=env tests/cross.sh $(BUILD:-clang=)/toolkit $(BUILD)/toolkit

# A second architecture: the MPI=0 PNG=0 build for aarch64 (gcc-aarch64-linux-gnu, its
# own build/aarch64-.../ folder) run under qemu-user must give this machine's digests
# for every kernel (tests/cross.sh).  A given ARCH applies to this machine's build only.
AARCH64_CC := aarch64-linux-gnu-gcc
AARCH64_BUILD := build/aarch64-mpi0-omp$(OPENMP)-png0-nocurl-nohwloc
test-aarch64:
	$(Q)scripts/deps.sh cc aarch64
	$(Q)$(MAKE) --no-print-directory MPI=0 aarch64-check
aarch64-check: $(BUILD)/toolkit
	$(Q)$(MAKE) --no-print-directory CC=$(AARCH64_CC) PNG=0 CURL=0 HWLOC=0 ARCH=-march=armv8-a $(AARCH64_BUILD)/toolkit
	$(Q)tests/cross.sh $(BUILD)/toolkit $(AARCH64_BUILD)/toolkit

san:
	$(Q)$(MAKE) --no-print-directory SAN=1 MPI=0 unit

# valgrind knows no AVX-512 and hides it from CPUID, so the default (portable) build runs
# its best variant under it: check the unit tests and a run of each kernel family
VG := valgrind -q --error-exitcode=9 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
valgrind:
	$(Q)$(MAKE) --no-print-directory MPI=0 build/mpi0-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)/run_tests build/mpi0-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)/toolkit
	$(Q)TK_TEST_DATA=tests/data $(VG) build/mpi0-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)/run_tests >/dev/null
	$(Q)$(VG) build/mpi0-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)/toolkit montecarlo --model ep --class S --quiet >/dev/null
	$(Q)$(VG) build/mpi0-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)/toolkit montecarlo --samples 1e6 --quiet >/dev/null
	$(Q)$(VG) build/mpi0-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)/toolkit reduce --generate 1e6 --ops all --quiet >/dev/null
	$(Q)$(VG) build/mpi0-omp$(OPENMP)-png$(PNG)$(CURL_SUFFIX)$(HWLOC_SUFFIX)/toolkit filter --filter gaussian,median --generate 301x97x3 --output /tmp/tk-vg-$$$$.png --quiet >/dev/null; rc=$$?; rm -f /tmp/tk-vg-$$$$.png; exit $$rc
	@echo "valgrind: clean"

demo: deps
	$(Q)$(MAKE) --no-print-directory toolkit
	$(Q)scripts/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory toolkit
	$(Q)./toolkit bench

SHELL_SCRIPTS := $(wildcard scripts/*.sh tests/*.sh tests/fuzz/*.sh tests/modes.d/*.sh jobs/*.sh) scripts/plot .ci/run

lint:
	@echo "== shell lint (bash -n, shellcheck)"
	$(Q)for f in $(SHELL_SCRIPTS); do bash -n $$f || exit 1; done
	$(Q)if command -v shellcheck >/dev/null; then shellcheck -S warning $(SHELL_SCRIPTS); \
	else echo "lint: shellcheck not installed (scripts/deps.sh shellcheck): bash -n only"; fi

# Fuzzing (tests/fuzz/, docs/fuzzing.md): a libFuzzer harness per input parser, built by
# clang with -fsanitize=fuzzer,address,undefined against a libtk of its own (MPI=0
# OPENMP=0, build/fuzz/).  `make fuzz FUZZ_SECONDS=N` fuzzes each for N seconds (new
# inputs in build/fuzz/corpus/, crashes in build/fuzz/crash/); `make fuzz-replay` (in
# make test) runs the committed corpus and every saved reproducer once, no fuzzing.
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BUILD := build/fuzz
FUZZ_SECONDS ?= 30
FUZZ_MAKE = $(MAKE) --no-print-directory CC=clang MPI=0 OPENMP=0 CURL=0 SAN=1 \
	BUILD=$(FUZZ_BUILD) CFLAGS=-fsanitize=fuzzer-no-link
fuzz-replay:
	$(Q)scripts/deps.sh cc clang fuzz png
	$(Q)$(FUZZ_MAKE) fuzz-bins
	@echo "== fuzz corpus replay (ASan + UBSan)"
	$(Q)tests/fuzz/run.sh replay $(FUZZ_BUILD) $(FUZZ_TARGETS)
fuzz:
	$(Q)scripts/deps.sh cc clang fuzz png
	$(Q)$(FUZZ_MAKE) fuzz-bins
	@echo "== fuzzing each parser for $(FUZZ_SECONDS) s"
	$(Q)tests/fuzz/run.sh fuzz $(FUZZ_BUILD) $(FUZZ_TARGETS) -- $(FUZZ_SECONDS)
fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libtk.a
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS_TK) -fsanitize=fuzzer,address,undefined -MMD -MP -o $@ $< \
		$(BUILD)/libtk.a $(LIBS_TK)
-include $(wildcard $(FUZZ_BUILD)/fuzz_*.d)

# Races (tests/tsan.sh): clang -fsanitize=thread with LLVM's libomp, OpenMP's
# synchronisation told to TSan by Archer; the unit tests and every kernel at 2 and 4
# threads, no report allowed (build/tsan/, MPI=0)
TSAN_BUILD := build/tsan
tsan:
	$(Q)scripts/deps.sh cc clang tsan cunit png
	$(Q)$(MAKE) --no-print-directory CC=clang MPI=0 OPENMP=1 CURL=0 BUILD=$(TSAN_BUILD) \
		CFLAGS=-fsanitize=thread LDFLAGS=-fsanitize=thread $(TSAN_BUILD)/toolkit $(TSAN_BUILD)/run_tests
	@echo "== ThreadSanitizer: unit tests and every kernel at 2 and 4 threads"
	$(Q)tests/tsan.sh $(TSAN_BUILD)/toolkit $(TSAN_BUILD)/run_tests

# Faults (tests/faults.sh): a rank killed, SIGTERM to mpirun and to bench, a full disk,
# an unwritable output folder, an input shrinking while read; every case bounded in
# time.  The MPI cases need this build's MPI, the tmpfs ones root (else skipped).
test-faults: toolkit
	@echo "== fault tests ($(CONFIG))"
	$(Q)$(if $(filter 1,$(MPI)),TK_MPIRUN=$(MPIRUN)) tests/faults.sh ./toolkit

# A throw-away cluster of 4 hosts (network namespaces on this machine, scripts/cluster.sh):
# every kernel across hosts gives the serial digest, a killed rank ends the job, a
# missing host fails fast (tests/cluster.sh; about a minute; needs root, else skipped)
test-cluster:
	$(Q)scripts/deps.sh cc mpi
	@echo "== the toolkit across a namespace cluster"
	$(Q)$(MAKE) --no-print-directory MPI=1 toolkit
	$(Q)tests/cluster.sh ./toolkit

# A throw-away Slurm of 2 nodes (namespace hosts of scripts/cluster.sh, one slurmd each)
# runs every jobs/ script, the multi-node ones across both (tests/slurm.sh; needs root)
test-slurm:
	$(Q)scripts/deps.sh cc mpi gnuplot
	@echo "== jobs/ on a local Slurm"
	$(Q)$(MAKE) --no-print-directory MPI=1 toolkit
	$(Q)tests/slurm.sh

LIBDIR_DEST := $(DESTDIR)$(PREFIX)/lib
install: toolkit lib $(BUILD)/toolkit.pc $(BUILD)/include/tk/config.h
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/tk $(LIBDIR_DEST)/pkgconfig
	install -m 755 toolkit $(DESTDIR)$(PREFIX)/bin/toolkit
	install -d $(DESTDIR)$(PREFIX)/share/toolkit
	install -m 755 scripts/plot $(DESTDIR)$(PREFIX)/share/toolkit/plot
	install -m 644 include/tk/*.h $(DESTDIR)$(PREFIX)/include/tk/
	install -m 644 $(BUILD)/include/tk/config.h $(DESTDIR)$(PREFIX)/include/tk/config.h
	install -m 644 $(BUILD)/libtk.a $(LIBDIR_DEST)/libtk.a
	install -m 755 $(BUILD)/$(LIBTK_SO) $(LIBDIR_DEST)/$(LIBTK_SO)
	ln -sf $(LIBTK_SO) $(LIBDIR_DEST)/$(LIBTK_SONAME)
	ln -sf $(LIBTK_SONAME) $(LIBDIR_DEST)/libtk.so
	install -m 644 $(BUILD)/toolkit.pc $(LIBDIR_DEST)/pkgconfig/toolkit.pc

# The installed tree as an embedder sees it (tests/install.sh): installed into a
# temporary DESTDIR, every header compiles alone, examples/embed.c builds with
# pkg-config against libtk.so and (--static) libtk.a, and both runs verify.
test-install: toolkit lib
	@echo "== libtk installed and embedded ($(CONFIG))"
	$(Q)d=$$(mktemp -d /tmp/tk-install.XXXXXX) && \
	$(MAKE) --no-print-directory -s install DESTDIR=$$d PREFIX=/opt/toolkit >/dev/null && \
	CC="$(CC)" TK_MPI=$(MPI) TK_OPENMP=$(OPENMP) $(if $(filter 1,$(MPI)),TK_MPIRUN=$(MPIRUN)) \
		tests/install.sh $$d /opt/toolkit; \
	rc=$$?; rm -rf "$$d"; exit $$rc

clean:
	rm -rf build toolkit

help:
	@sed -n '2,17p' Makefile | sed 's/^# \{0,1\}//'

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(MPITEST_OBJ:.o=.d)
