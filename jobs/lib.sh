# jobs/lib.sh: shared by the batch scripts in jobs/ (sourced, not run).
#
# The batch scripts find the toolkit through TK_HOME (the repository root, or any folder
# with a built ./toolkit and scripts/plot); by default the folder the job was submitted
# from ($SLURM_SUBMIT_DIR, $PBS_O_WORKDIR), or its parent when that is jobs/ itself.
#
# Environment every job reads (all optional):
#   TK_KERNELS   kernels to bench, e.g. "montecarlo.pi montecarlo.ep" (default per job)
#   TK_SIZE      problem size (--size); for weak scaling the size of one worker
#   TK_WORKERS   worker counts, e.g. 1,2,4,8 (default: powers of 2 up to the allocation)
#   TK_MODES     modes to compare (default per job)
#   TK_REPEAT    runs per configuration (default 5), TK_WARMUP (default 1)
#   TK_TIMEOUT   seconds before one run is killed (default 600)
#   TK_ARGS      extra kernel options passed to every run (bench --args)
#   TK_LAUNCHER  MPI launcher for bench (default: srun under Slurm, mpirun elsewhere)
#   TK_RESULTS   where the results folder goes (default $TK_HOME/results)
#   TK_PLOT      0 to skip the charts (default: draw them when gnuplot is installed)
# Results: $TK_RESULTS/<jobname>-<jobid>/ with bench.txt (the table), bench.csv,
# bench.json, info.json (toolkit info), env.txt (SLURM_*, PBS_*, OMP_*), plots/*.png.
# shellcheck shell=bash

# tk_home: set TK_HOME and TK (the binary), or exit 2 with a clear message
tk_home() {
	if [ -z "${TK_HOME:-}" ]; then
		TK_HOME=${SLURM_SUBMIT_DIR:-${PBS_O_WORKDIR:-$PWD}}
		[ ! -x "$TK_HOME/toolkit" ] && [ -x "$TK_HOME/../toolkit" ] && TK_HOME=$TK_HOME/..
	fi
	TK_HOME=$(cd "$TK_HOME" && pwd) || exit 2
	TK=${TK_BIN:-$TK_HOME/toolkit}
	if [ ! -x "$TK" ]; then
		echo "job: error: no toolkit binary at $TK: build it (make) and submit from the" \
			"repository root, or set TK_HOME" >&2
		exit 2
	fi
	export TK_HOME TK
}

# tk_setup DEFAULT_NAME: results folder, MPI settings, provenance; sets OUT
tk_setup() {
	tk_home
	local id name
	id=${SLURM_JOB_ID:-${PBS_JOBID:-local-$$}}
	id=${id%%.*} # PBS: 1234.server -> 1234
	name=${SLURM_JOB_NAME:-${PBS_JOBNAME:-$1}}
	OUT=${TK_RESULTS:-$TK_HOME/results}/$name-$id
	mkdir -p "$OUT" || exit 3
	export OUT
	# Open MPI refuses root unless told; harmless otherwise
	if [ "$(id -u)" = 0 ]; then
		export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	fi
	"$TK" info --format json >"$OUT/info.json" 2>/dev/null
	env | grep -E '^(SLURM|PBS|OMP|TK)_' | sort >"$OUT/env.txt"
	echo "job $name ($id) on $(hostname): results in $OUT"
}

# tk_cores_node: CPUs this job has on its first node
tk_cores_node() {
	if [ -n "${SLURM_CPUS_ON_NODE:-}" ]; then
		echo "$SLURM_CPUS_ON_NODE"
	elif [ -n "${NCPUS:-}" ]; then # PBS Pro
		echo "$NCPUS"
	elif [ -n "${PBS_NODEFILE:-}" ] && [ -r "$PBS_NODEFILE" ]; then # Torque: one line per CPU
		grep -c "^$(head -n 1 "$PBS_NODEFILE")\$" "$PBS_NODEFILE"
	else
		nproc
	fi
}

# tk_nodes: number of nodes in the allocation
tk_nodes() {
	if [ -n "${SLURM_JOB_NUM_NODES:-}" ]; then
		echo "$SLURM_JOB_NUM_NODES"
	elif [ -n "${PBS_NODEFILE:-}" ] && [ -r "$PBS_NODEFILE" ]; then
		sort -u "$PBS_NODEFILE" | wc -l
	else
		echo 1
	fi
}

# tk_pow2_list N: 1,2,4,... up to N, and N itself
tk_pow2_list() {
	local w=1 list=""
	while [ "$w" -lt "$1" ]; do
		list+="$w,"
		w=$((w * 2))
	done
	echo "$list$1"
}

# tk_bench ARGS...: toolkit bench with the TK_* settings, results into $OUT.
# Returns bench's exit status (non-zero when a run failed, did not verify or differed).
tk_bench() {
	local args=() k
	# shellcheck disable=SC2086 # a list of kernel names
	for k in ${TK_KERNELS:-}; do args+=("$k"); done
	[ -n "${TK_SIZE:-}" ] && args+=(--size "$TK_SIZE")
	[ -n "${TK_WORKERS:-}" ] && args+=(--workers "$TK_WORKERS")
	[ -n "${TK_MODES:-}" ] && args+=(--modes "$TK_MODES")
	[ -n "${TK_ARGS:-}" ] && args+=(--args "$TK_ARGS")
	[ -n "${TK_LAUNCHER:-}" ] && args+=(--launcher "$TK_LAUNCHER")
	args+=(--repeat "${TK_REPEAT:-5}" --warmup "${TK_WARMUP:-1}" --timeout "${TK_TIMEOUT:-600}")
	args+=("$@" --csv "$OUT/bench.csv" --json "$OUT/bench.json")
	if [ "${TK_PLOT:-1}" != 0 ] && command -v gnuplot >/dev/null 2>&1; then
		args+=(--plot "$OUT/plots")
	elif [ "${TK_PLOT:-1}" != 0 ]; then
		echo "job: gnuplot not found: no charts (later: $TK_HOME/scripts/plot $OUT/bench.csv $OUT/plots)"
	fi
	echo "+ toolkit bench ${args[*]}"
	local rc
	"$TK" bench "${args[@]}" 2>&1 | tee "$OUT/bench.txt"
	rc=${PIPESTATUS[0]}
	echo "bench exit status $rc" | tee -a "$OUT/bench.txt"
	return "$rc"
}
