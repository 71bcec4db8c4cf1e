# jobs/lib.sh: shared by the batch scripts in jobs/ (sourced, not run).
#
# The batch scripts find the toolkit through TK_HOME (the repository root, or any folder
# with a built ./toolkit and scripts/plot); by default the folder the job was submitted
# from ($SLURM_SUBMIT_DIR, $PBS_O_WORKDIR), or its parent when that is jobs/ itself.
#
# Environment every job reads (all optional):
#   TK_KERNELS   kernels to bench, e.g. "montecarlo.pi montecarlo.ep" or with + between
#                (default per job)
#   TK_SIZE      problem size (--size); for weak scaling the size of one worker
#   TK_WORKERS   worker counts, e.g. 1,2,4,8 or 1+2+4+8 (default: powers of 2 up to the
#                allocation)
#   TK_MODES     modes to compare (default per job)
#   TK_REPEAT    runs per configuration (default 5), TK_WARMUP (default 1)
#   TK_TIMEOUT   seconds before one run is killed (default 600)
#   TK_ARGS      extra kernel options passed to every run (bench --args)
#   TK_LAUNCHER  MPI launcher for bench (default: srun under Slurm, with --mpi=pmix when
#                its MPI plugins include pmix; elsewhere the launcher of the build's MPI,
#                as `toolkit info` names it: mpirun for Open MPI, mpiexec.mpich ...)
#   TK_MODULES   modules to load first where `module` exists, e.g. "gcc openmpi"
#   (site)       jobs/site.sh, when present, is sourced first: the place for a site's
#                own set-up (module use, paths); it is not part of the repository
# Threads are placed with OMP_PLACES=cores OMP_PROC_BIND=close unless the job's
# environment says otherwise; the binary finds its MPI library through the RUNPATH the
# build took from the MPI wrapper (toolkit info), or LD_LIBRARY_PATH from the modules.
#   TK_RESULTS   where the results folder goes (default $TK_HOME/results)
#   TK_PLOT      0 to skip the charts (default: draw them when gnuplot is installed)
# Results: $TK_RESULTS/<jobname>-<jobid>/ with bench.txt (the table), bench.csv,
# bench.json, info.json (toolkit info), env.txt (SLURM_*, PBS_*, OMP_*), plots/*.png.
# shellcheck shell=bash

# tk_json_field PATH...: the values at the dotted PATHs (e.g. time.kernel_s) of the first
# JSON record on stdin, one a line: numbers as written, true/false, "" when missing or
# null.  Read with python3's json module, never scraped.
tk_json_field() {
	python3 "$TK_HOME/scripts/json_field.py" "$@"
}

# tk_run_summary: the world and verdict of the run record on stdin, as the two lines
# "mode":"hybrid","ranks":2,"threads":2 and "verified":true (nothing without a record)
tk_run_summary() {
	local f
	mapfile -t f < <(tk_json_field mode ranks threads verified)
	[ -n "${f[0]:-}" ] || return 0
	printf '"mode":"%s","ranks":%s,"threads":%s\n"verified":%s\n' "${f[0]}" "${f[1]}" \
		"${f[2]}" "${f[3]:-null}"
}

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

# tk_site: the site's environment: jobs/site.sh, then `module load $TK_MODULES`
tk_site() {
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	# shellcheck source=/dev/null
	[ -f "$here/site.sh" ] && . "$here/site.sh"
	if [ -n "${TK_MODULES:-}" ]; then
		if type module >/dev/null 2>&1; then
			# shellcheck disable=SC2086 # a list of modules
			module load $TK_MODULES || {
				echo "job: error: module load $TK_MODULES failed" >&2
				exit 2
			}
		else
			echo "job: note: TK_MODULES=$TK_MODULES but this system has no module command"
		fi
	fi
}

# tk_launcher_kind LAUNCHER: openmpi, hydra (MPICH, Intel MPI), srun or other
tk_launcher_kind() {
	case $(basename "${1%% *}") in
	srun) echo srun ;;
	*openmpi* | orterun) echo openmpi ;;
	*mpich* | *hydra*) echo hydra ;;
	*)
		case $("${1%% *}" --version 2>&1 | head -n 3) in
		*"Open MPI"* | *OpenRTE*) echo openmpi ;;
		*HYDRA* | *Hydra* | *"Intel(R) MPI"*) echo hydra ;;
		*) echo other ;;
		esac
		;;
	esac
}

# tk_pbs_hosts LAUNCHER: under PBS (not Slurm's qsub wrapper), the option that gives
# mpirun the allocation's nodes from $PBS_NODEFILE (Open MPI --hostfile, Hydra -f): a
# launcher built without PBS's tm interface runs everything on the first node without
# it, and with tm it is harmless.  Nothing elsewhere.
tk_pbs_hosts() {
	[ -z "${SLURM_JOB_ID:-}" ] && [ -n "${PBS_NODEFILE:-}" ] && [ -r "$PBS_NODEFILE" ] || return 0
	case $(tk_launcher_kind "$1") in
	openmpi) echo "--hostfile $PBS_NODEFILE" ;;
	hydra) echo "-f $PBS_NODEFILE" ;;
	esac
}

# tk_launch R T [bind]: set the array LAUNCH to start R ranks of T threads each, with
# the options this job's launcher understands (TK_MPIRUN: default srun under Slurm, else
# the launcher of the build's MPI).  With bind (the default when R x T fits the node
# count's cores) each rank gets T cores of its own; otherwise nothing is bound.
tk_launch() {
	local r=$1 t=$2 bind=${3:-bind} l=${TK_MPIRUN:-} lw
	if [ -z "$l" ]; then
		if [ -n "${SLURM_JOB_ID:-}" ] && command -v srun >/dev/null 2>&1; then
			l=srun
		else
			l=$("$TK" info --format json 2>/dev/null | tk_json_field mpi_launcher)
			l=${l:-mpirun}
		fi
	fi
	read -r -a lw <<<"$l" # a launcher given with options of its own: words
	local hf=()
	read -r -a hf <<<"$(tk_pbs_hosts "$l")"
	lw+=("${hf[@]}")
	case $(tk_launcher_kind "$l") in
	srun)
		LAUNCH=("${lw[@]}" -n "$r" --cpus-per-task="$t")
		srun --mpi=list 2>&1 | grep -q pmix && LAUNCH+=(--mpi=pmix)
		if [ "$bind" = bind ]; then LAUNCH+=("--cpu-bind=cores,verbose"); else LAUNCH+=(--cpu-bind=none); fi
		;;
	openmpi)
		if [ "$bind" = bind ]; then
			LAUNCH=("${lw[@]}" -np "$r" --map-by "slot:PE=$t" --bind-to core --report-bindings)
		else
			LAUNCH=("${lw[@]}" -np "$r" --oversubscribe --bind-to none)
		fi
		;;
	hydra)
		if [ "$bind" = bind ]; then LAUNCH=("${lw[@]}" -np "$r" -bind-to "core:$t"); else LAUNCH=("${lw[@]}" -np "$r"); fi
		;;
	*) LAUNCH=("${lw[@]}" -np "$r") ;;
	esac
}

# tk_setup DEFAULT_NAME: results folder, MPI settings, provenance; sets OUT
tk_setup() {
	tk_site
	tk_home
	# threads on cores of their own, next to each other, unless the job says otherwise
	export OMP_PLACES=${OMP_PLACES:-cores} OMP_PROC_BIND=${OMP_PROC_BIND:-close}
	if [ -z "${TK_LAUNCHER:-}" ] && [ -n "${SLURM_JOB_ID:-}" ] && command -v srun >/dev/null 2>&1 &&
		srun --mpi=list 2>&1 | grep -q pmix; then
		TK_LAUNCHER="srun --mpi=pmix"
	fi
	# PBS: bench's mpirun is given the allocation's nodes too (tk_pbs_hosts)
	if [ -z "${TK_LAUNCHER:-}" ] && [ -n "$(tk_pbs_hosts "${TK_MPIRUN:-mpirun}")" ]; then
		local l=${TK_MPIRUN:-$("$TK" info --format json 2>/dev/null | tk_json_field mpi_launcher)}
		TK_LAUNCHER="${l:-mpirun} $(tk_pbs_hosts "${l:-mpirun}")"
	fi
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

# tk_span_run KERNELS NODES RANKS: one plain MPI run of the first Monte Carlo kernel of
# KERNELS with RANKS ranks (one thread each) over the allocation, as a user would start
# it (tk_launch), with its placement report: $OUT/multinode-run.json (its world names the
# hosts the ranks ran on) and $OUT/placement.txt.  Returns 1 when the run failed, did not
# verify, or ran on fewer than NODES hosts (the ranks did not reach every node); 0 and
# nothing run when the first kernel is not a Monte Carlo one.
tk_span_run() {
	local first=${1%% *} nodes=$2 r=$3 size=() hosts
	first=${first%%+*}
	case $first in
	montecarlo.pi | montecarlo.option) size=(--samples "${TK_SIZE:-2^34}") ;;
	montecarlo.ep) ;;
	*) return 0 ;;
	esac
	tk_launch "$r" 1 bind
	echo "+ ${LAUNCH[*]} toolkit montecarlo --model ${first#montecarlo.} ${size[*]} --placement"
	"${LAUNCH[@]}" "$TK" montecarlo --model "${first#montecarlo.}" "${size[@]}" --threads 1 \
		--placement --format json --quiet >"$OUT/multinode-run.json" 2>"$OUT/placement.txt"
	local rc=$?
	cat "$OUT/placement.txt"
	hosts=$(tk_json_field provenance.world.hosts <"$OUT/multinode-run.json" | tr -d '[]"')
	echo "plain run: $r ranks on hosts ${hosts:-?} (exit status $rc)"
	if [ "$rc" != 0 ] || ! grep -q '"verified":true' "$OUT/multinode-run.json"; then
		echo "job: error: the plain run across nodes failed or did not verify" >&2
		return 1
	fi
	if [ "$(echo "$hosts" | tr ',' '\n' | grep -c .)" -lt "$nodes" ]; then
		echo "job: error: $r ranks ran on ${hosts:-no host}, not on all $nodes nodes:" \
			"the launcher did not spread them over the allocation" >&2
		return 1
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
	local args=() k kernels=${TK_KERNELS:-}
	# shellcheck disable=SC2086 # a list of kernel names
	for k in ${kernels//+/ }; do args+=("$k"); done
	[ -n "${TK_SIZE:-}" ] && args+=(--size "$TK_SIZE")
	# lists may be written with + or spaces too (qsub -v splits at commas)
	[ -n "${TK_WORKERS:-}" ] && args+=(--workers "${TK_WORKERS//[+ ]/,}")
	[ -n "${TK_MODES:-}" ] && args+=(--modes "${TK_MODES//[+ ]/,}")
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

# tk_mc_long LAUNCH...: a long Monte Carlo run in chunks that stops cleanly on a signal.
# Runs chunk i = 0, 1, ... as `LAUNCH toolkit montecarlo --samples TK_CHUNK --seed
# TK_SEED+i` (independent Philox streams, so chunks add up to one larger sample), one
# JSON line each in $OUT/chunks.jsonl, until TK_CHUNKS chunks are done or USR1 (Slurm's
# --signal=B:USR1@60: the time limit is near) or TERM (PBS at the walltime, scancel)
# arrives.  The running chunk is then stopped, and $OUT/summary.txt and summary.json
# say how far it got and the combined estimate of the completed chunks.
# TK_MODEL pi|option (default pi), TK_CHUNK (default 2^34 samples), TK_CHUNKS (default
# 1000000: until the time limit), TK_SEED (default 42), TK_THREADS (default
# OMP_NUM_THREADS, else 1), TK_ARGS (e.g. "--put --strike 110"), TK_STOP_AFTER (seconds:
# stop by itself then, as USR1 would; for batch systems that give no warning).
# Returns 0 when it finished or was stopped by a signal or the deadline, 1 when a chunk
# failed.
tk_mc_long() {
	local model=${TK_MODEL:-pi} chunk=${TK_CHUNK:-2^34} chunks=${TK_CHUNKS:-1000000}
	local seed=${TK_SEED:-42} threads=${TK_THREADS:-${OMP_NUM_THREADS:-1}}
	local i=0 pid rc stopped="" t0=$SECONDS limit=()
	case $model in
	pi | option) ;;
	*) echo "job: error: TK_MODEL must be pi or option (got '$model')" >&2; return 2 ;;
	esac
	trap 'stopped=USR1' USR1
	trap 'stopped=TERM' TERM
	: >"$OUT/chunks.jsonl"
	echo "chunks of $chunk samples, model $model, up to $chunks chunks; stop with USR1 or TERM"
	while [ "$i" -lt "$chunks" ] && [ -z "$stopped" ]; do
		if [ -n "${TK_STOP_AFTER:-}" ]; then # a chunk may run only until the deadline
			limit=(timeout $((t0 + TK_STOP_AFTER - SECONDS)))
			[ "${limit[1]}" -le 0 ] && { stopped=deadline; break; }
		fi
		# shellcheck disable=SC2086 # TK_ARGS is a list of options
		"${limit[@]}" "$@" "$TK" montecarlo --model "$model" --samples "$chunk" --seed $((seed + i)) \
			--threads "$threads" --format json --quiet ${TK_ARGS:-} >"$OUT/chunk.json" &
		pid=$!
		# wait returns early when a trapped signal arrives; then stop the chunk
		wait "$pid"
		rc=$?
		if [ -n "$stopped" ]; then
			kill -TERM "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			break
		fi
		if [ "$rc" = 124 ] && [ ${#limit[@]} -gt 0 ]; then
			stopped=deadline
			break
		fi
		if [ "$rc" != 0 ]; then
			echo "job: chunk $i failed (exit status $rc); stopping" >&2
			stopped="failure of chunk $i (exit $rc)"
			break
		fi
		cat "$OUT/chunk.json" >>"$OUT/chunks.jsonl"
		i=$((i + 1))
	done
	trap - USR1 TERM
	rm -f "$OUT/chunk.json"
	tk_mc_summary "$model" "$i" "$chunks" "${stopped:-}" $((SECONDS - t0))
	case ${stopped:-} in "" | USR1 | TERM | deadline) return 0 ;; *) return 1 ;; esac
}

# tk_mc_summary MODEL DONE PLANNED STOPPED SECONDS: combine $OUT/chunks.jsonl
tk_mc_summary() {
	local why=${4:-}
	case ${4:-} in
	USR1) why="signal USR1 (time limit near)" ;;
	deadline) why="TK_STOP_AFTER=${TK_STOP_AFTER:-} s" ;;
	TERM) why="signal TERM (walltime or cancel)" ;;
	esac
	python3 - "$1" "$2" "$3" "$why" "$5" "$OUT/chunks.jsonl" "$OUT/summary.json" <<'PYEOF' |
import json, math, sys
model, done, planned, why, secs, chunks, out = sys.argv[1:]
done, planned, secs = int(done), int(planned), int(secs)
n = hits = ps = pq = disc = 0.0
bad = 0
def num(v):  # a number of the record, 0 when missing (as a chunk that printed nothing)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0
with open(chunks) as f:
    for line in f:
        try:
            rec = json.loads(line)
        except ValueError:
            rec = None
        if not isinstance(rec, dict):
            bad += 1
            continue
        res = rec.get("result") if isinstance(rec.get("result"), dict) else {}
        n += num(rec.get("size"))
        hits += num(res.get("hits"))
        ps += num(res.get("payoff_sum"))
        pq += num(res.get("payoff_sq_sum"))
        if num(res.get("price")) > 0 and num(res.get("payoff_sum")) > 0:
            disc = num(res.get("price")) * num(rec.get("size")) / num(res.get("payoff_sum"))
        if rec.get("verified") is not True:
            bad += 1
root = lambda x: math.sqrt(x) if x >= 0 else float("nan")
est = se = 0.0
if n > 0 and model == "pi":
    est = 4 * hits / n
    p = hits / n
    se = 4 * root(p * (1 - p) / n)
elif n > 0:
    m = ps / n
    est = disc * m
    se = disc * root((pq / n - m * m) / n)
if why == "":
    print("finished: %d of %d chunks, %.0f samples in %d s" % (done, planned, n, secs))
else:
    print("stopped by %s after %d of %d chunks, %.0f samples in %d s" % (why, done, planned, n, secs))
if n > 0:
    pi = 3.14159265358979
    print("combined %s estimate %.12g, standard error %.3g%s" % (
        model, est, se, " (|estimate - pi| = %.2g)" % abs(est - pi) if model == "pi" else ""))
if bad:
    print("warning: %d chunk(s) did not verify" % bad)
with open(out, "w") as f:
    f.write(json.dumps({"model": model, "chunks_done": done, "chunks_planned": planned},
                       separators=(",", ":"))[:-1])
    f.write(',"samples":%.0f,"stopped":%s,"seconds":%d,"estimate":%.17g,"std_error":%.17g,'
            '"unverified_chunks":%d}\n' % (n, json.dumps(why or "finished"), secs, est, se, bad))
PYEOF
		tee "$OUT/summary.txt"
}

# ---- one index space: a resumable long run, or an array of chunks merged -------------
# (docs/montecarlo.md "Long runs"; docs/reliability.md)

# tk_count N: N (up to 18 digits, or A^B such as 2^40, below 2^63) as digits; status 1
# when it is neither
tk_count() {
	case $1 in
	'' | *[!0-9^]* | ^* | *^ | *^*^*) return 1 ;;
	*^*)
		local a=$((10#${1%^*})) b=$((10#${1#*^})) v=1
		[ ${#1} -le 12 ] || return 1
		while [ "$b" -gt 0 ]; do
			[ "$a" -le 1 ] || [ "$v" -le $((4611686018427387904 / a)) ] || return 1
			v=$((v * a)) b=$((b - 1))
		done
		echo "$v"
		;;
	*)
		[ ${#1} -le 18 ] || return 1
		echo $((10#$1))
		;;
	esac
}

# tk_mc_resumable CKPT RECORD LAUNCH... -- OPTIONS...: one montecarlo run of OPTIONS
# that survives its time limit.  It runs `LAUNCH toolkit montecarlo OPTIONS --checkpoint
# CKPT`, with --resume CKPT when CKPT exists (a run stopped before, or a requeued job).
# USR1 or TERM to the batch shell (Slurm's --signal=B:USR1@60, PBS at its walltime) is
# passed on as USR1: the run writes CKPT and stops (exit 138).  The job is then requeued
# (Slurm, when TK_REQUEUE is not 0: scontrol requeue; the job needs --requeue) or told
# how to continue.  The finished run's JSON record is written to RECORD (atomically).
# TK_CHECKPOINT_EVERY seconds between checkpoints (default 300).  Returns 0 finished,
# 3 stopped with a checkpoint (after the requeue, when it returns at all), else the run's
# exit status.
tk_mc_resumable() {
	local ck=$1 rec=$2 launch=() opts=() from=() stopped="" pid rc
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do launch+=("$1"); shift; done
	shift
	opts=("$@")
	if [ -f "$ck" ]; then
		from=(--resume "$ck")
		echo "resuming from $ck (restart ${SLURM_RESTART_COUNT:-0})"
	fi
	trap 'stopped=USR1' USR1
	trap 'stopped=TERM' TERM
	"${launch[@]}" "$TK" montecarlo "${opts[@]}" "${from[@]}" --checkpoint "$ck" \
		--checkpoint-every "${TK_CHECKPOINT_EVERY:-300}" --format json --quiet >"$rec.part" &
	pid=$!
	wait "$pid" # returns early when a trapped signal arrives
	rc=$?
	if [ -n "$stopped" ]; then
		# USR1: srun and mpirun pass it on to the ranks (TERM would make srun end the
		# step); the run checkpoints and stops with exit 138
		kill -USR1 "$pid" 2>/dev/null
		wait "$pid"
		rc=$?
	fi
	trap - USR1 TERM
	if [ "$rc" = 0 ] && grep -q '"digest"' "$rec.part"; then
		mv -f "$rec.part" "$rec"
		echo "finished: $rec"
		return 0
	fi
	rm -f "$rec.part"
	if [ -f "$ck" ] && { [ -n "$stopped" ] || [ "$rc" = 143 ] || [ "$rc" = 138 ]; }; then
		echo "stopped by ${stopped:-a signal to the run} (exit $rc): checkpoint $ck"
		if [ -n "${SLURM_JOB_ID:-}" ] && [ "${TK_REQUEUE:-1}" != 0 ] && command -v scontrol >/dev/null; then
			echo "requeueing job $SLURM_JOB_ID: it resumes from $ck"
			scontrol requeue "$SLURM_JOB_ID" && sleep 60 # Slurm ends this run now
		fi
		echo "to continue, submit the same job again with TK_RESUME=${ck%/*}"
		return 3
	fi
	echo "job: the run failed (exit status $rc)" >&2
	return "$rc"
}

# tk_mc_job LAUNCH...: what slurm-/pbs-montecarlo-long.sh run, chosen by the environment:
#   TK_MERGE=ID   merge the chunk records of array job ID (results/NAME-array-ID) with
#                 toolkit merge, checked to cover [TK_FIRST, TK_FIRST + TK_SAMPLES)
#   an array task (SLURM_ARRAY_TASK_ID, PBS_ARRAY_INDEX or PBS_ARRAYID): chunk i of
#                 TK_TASKS (default SLURM_ARRAY_TASK_COUNT) of the TK_SAMPLES samples
#                 from TK_FIRST, cut on 2^16 boundaries, run with --first-sample and
#                 resumable; its record goes to results/NAME-array-ID/chunk-i.json
#   TK_SAMPLES=N  one resumable run of N samples (requeued at the time limit), its
#                 checkpoint and record in $OUT, or in TK_RESUME (a folder) when set
#   otherwise     the independent chunks of tk_mc_long (seeds TK_SEED + i)
# TK_MODEL pi|option, TK_SEED (default 42), TK_ARGS as for tk_mc_long.
tk_mc_job() {
	local model=${TK_MODEL:-pi} seed=${TK_SEED:-42} n first task=""
	task=${SLURM_ARRAY_TASK_ID:-${PBS_ARRAY_INDEX:-${PBS_ARRAYID:-}}}
	if [ -z "${TK_MERGE:-}" ] && [ -z "$task" ] && [ -z "${TK_SAMPLES:-}" ]; then
		tk_mc_long "$@"
		return
	fi
	case $model in
	pi | option) ;;
	*) echo "job: error: TK_MODEL must be pi or option (got '$model')" >&2; return 2 ;;
	esac
	first=$(tk_count "${TK_FIRST:-0}") || { echo "job: error: TK_FIRST must be a count such as 0 or 2^40" >&2; return 2; }
	local base=${TK_RESULTS:-$TK_HOME/results}/${SLURM_JOB_NAME:-${PBS_JOBNAME:-tk-mc-long}}
	# shellcheck disable=SC2206 # TK_ARGS is a list of options
	local opts=(--model "$model" --seed "$seed" --threads "${TK_THREADS:-${OMP_NUM_THREADS:-1}}" ${TK_ARGS:-})
	if [ -n "${TK_MERGE:-}" ]; then
		local dir=$base-array-$TK_MERGE want=()
		[ -d "$dir" ] || { echo "job: error: TK_MERGE=$TK_MERGE: no chunks in $dir" >&2; return 3; }
		[ -n "${TK_SAMPLES:-}" ] && want=(--first-sample "$first" --samples "$(tk_count "$TK_SAMPLES")")
		"$TK" merge "$dir"/chunk-*.json "${want[@]}" | tee "$dir/merged.txt"
		"$TK" merge "$dir"/chunk-*.json "${want[@]}" --format json >"$dir/merged.json" || return $?
		echo "merged $(find "$dir" -name 'chunk-*.json' | wc -l) chunks: $dir/merged.json"
		return 0
	fi
	n=$(tk_count "${TK_SAMPLES:-}") || { echo "job: error: TK_SAMPLES must be a count such as 2^40 (got '${TK_SAMPLES:-}')" >&2; return 2; }
	if [ -z "$task" ]; then # TK_RESUME: the folder of a job stopped before (PBS)
		local home=${TK_RESUME:-$OUT}
		tk_mc_resumable "$home/run.ckpt" "$home/run.json" "$@" -- "${opts[@]}" \
			--first-sample "$first" --samples "$n"
		return
	fi
	local tasks=${TK_TASKS:-${SLURM_ARRAY_TASK_COUNT:-}} array=${SLURM_ARRAY_JOB_ID:-${PBS_JOBID:-local}}
	array=${array%%.*} array=${array%%\[*} # PBS: 1234[5].server -> 1234
	[ -n "$tasks" ] || { echo "job: error: an array task needs TK_TASKS (the number of chunks)" >&2; return 2; }
	# blocks of 2^16 samples, split as the toolkit splits: the first nb % tasks get one more
	local B=65536 nb q r b0 b1 lo hi dir=$base-array-$array
	nb=$(((n + B - 1) / B)) q=$((nb / tasks)) r=$((nb % tasks))
	b0=$((task * q + (task < r ? task : r)))
	b1=$((b0 + q + (task < r ? 1 : 0)))
	lo=$((b0 * B)) hi=$((b1 * B < n ? b1 * B : n))
	mkdir -p "$dir" || return 3
	if [ "$lo" -ge "$hi" ]; then
		echo "chunk $task of $tasks: no samples (more tasks than 2^16 blocks)"
		return 0
	fi
	echo "chunk $task of $tasks: samples [$((first + lo)), $((first + hi))) of [$first, $((first + n)))"
	tk_mc_resumable "$OUT/chunk-$task.ckpt" "$dir/chunk-$task.json" "$@" -- "${opts[@]}" \
		--first-sample $((first + lo)) --samples $((hi - lo))
}
