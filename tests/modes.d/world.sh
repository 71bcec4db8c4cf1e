# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# The world a run got (include/tk/world.h): recorded in the JSON (ranks, threads, hosts,
# the CPUs each rank may use, the CPU of each thread), shown by --placement with
# warnings, and a launcher's claim that the world does not match said loudly; bench
# fails a row whose runs report another world than the one it asked for, such as the N
# independent copies of a launcher without the MPI wiring.  Expected values come from
# the system (hostname, /proc/self/status), not from the toolkit.
host=$(hostname)
allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)

# a serial/omp run records its world
run_json "$WORK/w1.json" env -- montecarlo --samples 100003 --threads 2
if grep -q "\"world\":{\"ranks\":1,\"threads\":2,\"launcher_tasks\":0," "$WORK/w1.json" &&
	grep -q "\"hosts\":\[\"$host\"\]" "$WORK/w1.json" &&
	grep -q "\"rank\":0,\"host\":\"$host\",\"cpus\":\"$allowed\"" "$WORK/w1.json" &&
	grep -Eq '"thread_cpus":\[[0-9]+,[0-9]+\]' "$WORK/w1.json"; then
	pass
else
	fail "world in the JSON (host $host, CPUs $allowed): $(grep -o '"world":{[^}]*}' "$WORK/w1.json")"
fi
# --placement: the map on stdout in text format, its cores and NUMA nodes from the
# topology `info` names (hwloc in a build with it, else sysfs)
topo=$("$TK" info --format json | sed -n 's/.*"topology":"\([^"]*\)".*/\1/p')
if timeout "$TIMEOUT" "$TK" reduce --generate 100000 --threads 2 --placement >"$WORK/p.out" 2>&1 &&
	grep -q "^placement: 1 rank x 2 threads on 1 host" "$WORK/p.out" &&
	grep -Eq "^  rank 0 -> $host -> CPUs $allowed \([0-9]+ cores?(, [0-9]+ NUMA nodes?)?; $topo\) -> threads 0:cpu[0-9]+\*? 1:cpu[0-9]+" "$WORK/p.out" &&
	[ -n "$topo" ]; then
	pass
else
	fail "--placement map: $(grep -A3 placement "$WORK/p.out" | head -c 400)"
fi
# a launcher's claim of more tasks than the world: a loud warning, and --mode mpi fails
SLURM_NTASKS=3 timeout "$TIMEOUT" "$TK" montecarlo --samples 1000 --quiet >/dev/null 2>"$WORK/c.err"
rc=$?
if [ $have_mpi = 1 ]; then want="launcher started 3 tasks (SLURM_NTASKS=3), but this process is in a world of 1 rank"; else want="built without MPI, but a launcher started it (SLURM_NTASKS=3)"; fi
[ $rc -eq 0 ] && grep -q "^toolkit: WARNING: .*$want" "$WORK/c.err" && pass ||
	fail "launcher claim without a world: exit $rc: $(head -c 300 "$WORK/c.err")"
if [ $have_mpi = 1 ]; then want="the launcher and the build's MPI do not match"; else want="needs MPI"; fi
SLURM_NTASKS=3 timeout "$TIMEOUT" "$TK" montecarlo --samples 1000 --mode mpi >/dev/null 2>"$WORK/c.err"
rc=$?
[ $rc -eq 2 ] && grep -q "^toolkit: error: .*$want" "$WORK/c.err" && pass ||
	fail "--mode mpi with a launcher claim and 1 rank: exit $rc: $(head -c 300 "$WORK/c.err")"
# no launcher, no warning
timeout "$TIMEOUT" env -u SLURM_NTASKS -u SLURM_STEP_NUM_TASKS "$TK" montecarlo --samples 1000 --quiet >/dev/null 2>"$WORK/c.err"
[ ! -s "$WORK/c.err" ] && pass || fail "a plain run warns: $(head -c 300 "$WORK/c.err")"

if [ $have_mpi = 1 ]; then
	# under the launcher: two ranks, each with its own record, no claim mismatch
	run_json "$WORK/w2.json" $MPIRUN -np 2 -- montecarlo --samples 100003
	if grep -q '"world":{"ranks":2,"threads":1,"launcher_tasks":2,' "$WORK/w2.json" &&
		grep -q '"rank":1,"host":"' "$WORK/w2.json" && ! grep -q WARNING "$WORK/w2.json.err"; then
		pass
	else
		fail "world of 2 ranks: $(grep -o '"world":{[^]]*' "$WORK/w2.json") $(head -c 200 "$WORK/w2.json.err")"
	fi
	# Open MPI binds each rank to one core by default: a hybrid run's threads share it
	if [ "$TK_MPIRUN_KIND" = openmpi ] && [ "$(nproc)" -ge 2 ]; then
		timeout "$TIMEOUT" "$TK_MPIRUN" --bind-to core -np 2 "$TK" montecarlo --samples 100003 \
			--threads 2 --placement --quiet >"$WORK/b.out" 2>&1
		grep -q "warning: the 2 threads of rank 0 share one core" "$WORK/b.out" && pass ||
			fail "bound hybrid run: no shared-core warning: $(grep -A4 placement "$WORK/b.out" | head -c 400)"
	fi
	# bench: a launcher that starts N copies without the MPI wiring (as srun does with
	# the wrong --mpi plugin), and one that ignores -np, must fail their rows loudly
	cat >"$WORK/copies" <<'EOF'
#!/bin/sh
# fake launcher: -np N PROGRAM ARGS...: N independent copies, Slurm-like variables
n=$2
shift 2
i=0
while [ $i -lt "$n" ]; do
	SLURM_STEP_NUM_TASKS=$n SLURM_PROCID=$i "$@" &
	i=$((i + 1))
done
wait
EOF
	printf '#!/bin/sh\nshift 2\nexec "$@"\n' >"$WORK/one"
	chmod +x "$WORK/copies" "$WORK/one"
	for l in copies one; do
		timeout 120 "$TK" bench montecarlo.pi --size 2^16 --workers 2 --modes mpi --repeat 1 \
			--warmup 0 --launcher "$WORK/$l" >"$WORK/l.out" 2>&1
		rc=$?
		case $l in
		copies) want="asked for 2x1, got 2 separate reports of 1x1" ;;
		one) want="asked for 2x1, the run reported 1x1" ;;
		esac
		[ $rc -ne 0 ] && grep -q "mpi .*FAILED: $want" "$WORK/l.out" && pass ||
			fail "bench with a launcher without MPI wiring ($l): exit $rc: $(grep -m1 mpi "$WORK/l.out")"
	done
fi

# mismatched flavours: this build started by the other MPI's launcher gets worlds of one
# rank; each copy says so and --mode mpi fails fast (both installed: make test-mpich)
other=""
case ${TK_MPIRUN_KIND:-} in
hydra) command -v mpirun.openmpi >/dev/null && other="mpirun.openmpi --oversubscribe" ;;
openmpi) command -v mpiexec.mpich >/dev/null && other="mpiexec.mpich" ;;
esac
if [ $have_mpi = 1 ] && [ -n "$other" ]; then
	s=$SECONDS
	# shellcheck disable=SC2086 # the launcher and its options
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 60 $other -np 2 "$TK" \
		montecarlo --samples 1000 --mode mpi >/dev/null 2>"$WORK/f.err"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $((SECONDS - s)) -le 20 ] &&
		grep -q "launcher started 2 tasks" "$WORK/f.err" && grep -q "do not match" "$WORK/f.err"; then
		pass
	else
		fail "built for one MPI, launched by ${other%% *}: exit $rc: $(head -c 300 "$WORK/f.err")"
	fi
fi
