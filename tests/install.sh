#!/usr/bin/env bash
# install.sh DESTDIR PREFIX: libtk as an embedder finds it after `make install
# DESTDIR=DESTDIR PREFIX=PREFIX` (the Makefile's test-install): the files and links,
# the shared library's soname and exported names, every installed header compiling on
# its own, and examples/embed.c built from pkg-config alone against libtk.so and
# (--static) libtk.a, both runs verifying and counting the same pi hits as the
# installed toolkit.  CC is the compiler; TK_MPI and TK_OPENMP say what the build has
# (1 or 0); TK_MPIRUN, when the build has MPI, runs the static example at 2 ranks too.
set -u
dest=${1:?usage: install.sh DESTDIR PREFIX}
prefix=${2:?usage: install.sh DESTDIR PREFIX}
root=$dest$prefix
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
cc=${CC:-cc}
work=$(mktemp -d /tmp/tk-embed.XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
fail() {
	echo "FAIL: install: $*"
	status=1
}
# pkg-config sees only the installed tree, its prefix moved into DESTDIR (a sysroot
# would move the MPI library's -L folders too)
export PKG_CONFIG_LIBDIR=$root/lib/pkgconfig PKG_CONFIG_PATH=
pc() { pkg-config --define-variable=prefix="$root" "$@" toolkit; }

# -- the files, the links and the soname
for f in bin/toolkit include/tk/tk.h lib/libtk.a lib/libtk.so lib/pkgconfig/toolkit.pc; do
	[ -e "$root/$f" ] || fail "$prefix/$f is not installed"
done
ver=$(sed -n 's/^#define TK_VERSION "\(.*\)"/\1/p' "$root/include/tk/tk.h")
[ "$(readlink "$root/lib/libtk.so")" = "libtk.so.${ver%%.*}" ] ||
	fail "libtk.so does not link to libtk.so.${ver%%.*}"
[ "$(readlink "$root/lib/libtk.so.${ver%%.*}")" = "libtk.so.$ver" ] ||
	fail "libtk.so.${ver%%.*} does not link to libtk.so.$ver"
[ -f "$root/lib/libtk.so.$ver" ] || fail "libtk.so.$ver is not a file"
soname=$(readelf -d "$root/lib/libtk.so.$ver" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libtk.so.${ver%%.*}" ] || fail "soname '$soname', not libtk.so.${ver%%.*}"
[ "$(pc --modversion)" = "$ver" ] || fail "toolkit.pc's version '$(pc --modversion)', not $ver"

# -- exported names: those the installed headers declare, nothing else (the version
# node TK_0 is no code)
nm -D --defined-only "$root/lib/libtk.so.$ver" | awk '{sub(/@.*/, "", $NF); print $NF}' |
	grep -v '^TK_0$' | sort >"$work/exported"
grep -ho '\<tk_[a-z0-9_]*' "$root"/include/tk/*.h | sort -u >"$work/declared"
others=$(comm -23 "$work/exported" "$work/declared" | head -5 | tr '\n' ' ')
[ -z "$others" ] || fail "libtk.so exports names no installed header declares: $others"
[ "$(wc -l <"$work/exported")" -ge 100 ] || fail "libtk.so exports only $(wc -l <"$work/exported") names"
for sym in tk_comm_init tk_reduce_run tk_mc_pi_hits tk_error_agree tk_simd_name; do
	nm -D --defined-only "$root/lib/libtk.so.$ver" | grep -q " $sym@" ||
		fail "libtk.so does not export $sym"
done
if [ "${TK_OPENMP:-1}" = 1 ]; then
	readelf -d "$root/lib/libtk.so.$ver" | grep -q 'NEEDED.*lib\(gomp\|omp\|iomp5\)\.so' ||
		fail "libtk.so does not name the OpenMP runtime (libgomp, libomp) among the libraries it needs"
	pc --cflags | grep -q -- -fopenmp || fail "toolkit.pc's Cflags lack -fopenmp"
fi
if [ "${TK_MPI:-0}" = 1 ]; then
	pc --static --libs | grep -q -- '-lmpi' || fail "toolkit.pc's Libs.private lack the MPI library"
fi

# -- every installed header compiles on its own (twice: the include guard), with the
# build's warnings, from the installed tree alone; config.h says what the build has
grep -q "^#define TK_HAVE_OPENMP ${TK_OPENMP:-1}\$" "$root/include/tk/config.h" ||
	fail "the installed tk/config.h does not say TK_HAVE_OPENMP ${TK_OPENMP:-1}"
grep -q "^#define TK_HAVE_MPI ${TK_MPI:-0}\$" "$root/include/tk/config.h" ||
	fail "the installed tk/config.h does not say TK_HAVE_MPI ${TK_MPI:-0}"
nh=0
for h in "$root"/include/tk/*.h; do
	name=tk/$(basename "$h")
	# shellcheck disable=SC2046 # pkg-config's words are separate flags
	printf '#include <%s>\n#include <%s>\nint tk_header_alone;\n' "$name" "$name" |
		$cc -std=c11 -Wall -Wextra -Werror -Wundef -Wstrict-prototypes $(pc --cflags) \
			-fsyntax-only -x c - 2>"$work/header.err" ||
		{ fail "$name does not compile on its own:"; sed 's/^/    /' "$work/header.err"; }
	nh=$((nh + 1))
done

# -- the example against libtk.so, against libtk.a, and with the plain -ltk of a
# user who does not use pkg-config (-lm is the example's own: it calls sqrt)
expect_hits=$("$root/bin/toolkit" montecarlo --samples 1000000 --seed 42 --format json --quiet |
	sed -n 's/.*"hits":\([0-9]*\).*/\1/p')
[ -n "$expect_hits" ] || fail "the installed toolkit gave no pi hits"
check_run() { # LABEL FILE: the run's output verified, with the toolkit's hits
	grep -q '^embed: ok$' "$2" || { fail "$1: embed did not verify:"; sed 's/^/    /' "$2"; }
	grep -q "^pi: .* hits $expect_hits " "$2" ||
		{ fail "$1: pi hits differ from toolkit montecarlo's $expect_hits:"; sed 's/^/    /' "$2"; }
	grep -q '^reduce: n 1048576 sum 549756338176 min 1 (index 0) max 1048576 (index 1048575) mean 524288.5 var 91625968981.25: ok$' "$2" ||
		{ fail "$1: the reduction is not 1..2^20's:"; sed 's/^/    /' "$2"; }
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }
warn="-std=c11 -Wall -Wextra -Werror -O2"

# shellcheck disable=SC2046,SC2086
if $cc $warn "$src/examples/embed.c" $(pc --cflags --libs) -lm -o "$work/embed-shared" 2>"$work/cc.err"; then
	case " $(needed "$work/embed-shared")" in
	*" libtk.so.${ver%%.*} "*) ;;
	*) fail "embed (shared) does not need libtk.so.${ver%%.*}: $(needed "$work/embed-shared")" ;;
	esac
	LD_LIBRARY_PATH=$root/lib "$work/embed-shared" 1048576 1000000 42 >"$work/shared.out" 2>&1 ||
		fail "embed (shared) exited $?"
	check_run "embed (libtk.so)" "$work/shared.out"
else
	fail "embed.c does not build with pkg-config --cflags --libs toolkit:"
	sed 's/^/    /' "$work/cc.err"
fi

# shellcheck disable=SC2086
if $cc $warn "$src/examples/embed.c" -I"$root/include" -L"$root/lib" -ltk -lm \
	-o "$work/embed-plain" 2>"$work/cc.err"; then
	LD_LIBRARY_PATH=$root/lib "$work/embed-plain" >"$work/plain.out" 2>&1 ||
		fail "embed (cc embed.c -ltk -lm) exited $?"
	check_run "embed (cc embed.c -ltk -lm)" "$work/plain.out"
else
	fail "cc embed.c -ltk -lm does not link against libtk.so:"
	sed 's/^/    /' "$work/cc.err"
fi

static_libs=$(pc --static --libs | sed 's/\(^\| \)-ltk\( \|$\)/\1-l:libtk.a\2/')
# shellcheck disable=SC2046,SC2086
if $cc $warn "$src/examples/embed.c" $(pc --static --cflags) $static_libs -lm \
	-o "$work/embed-static" 2>"$work/cc.err"; then
	case " $(needed "$work/embed-static")" in
	*" libtk.so"*) fail "embed (static) needs libtk.so: $(needed "$work/embed-static")" ;;
	esac
	"$work/embed-static" 1048576 1000000 42 >"$work/static.out" 2>&1 ||
		fail "embed (static) exited $?"
	check_run "embed (libtk.a)" "$work/static.out"
	if [ "${TK_MPI:-0}" = 1 ]; then
		timeout 120 "$here/mpirun.sh" -np 2 "$work/embed-static" 1048576 1000000 42 \
			>"$work/mpi.out" 2>&1 || fail "embed (static) at 2 ranks exited $?"
		grep -q '^embed: libtk .*, 2 rank(s)' "$work/mpi.out" ||
			{ fail "embed (static) under the launcher did not run at 2 ranks:"; sed 's/^/    /' "$work/mpi.out"; }
		check_run "embed (libtk.a, 2 ranks)" "$work/mpi.out"
	fi
else
	fail "embed.c does not build with pkg-config --static against libtk.a ($static_libs):"
	sed 's/^/    /' "$work/cc.err"
fi

[ $status = 0 ] && echo "   $nh headers alone, embed.c with libtk.so (pkg-config and plain -ltk) and libtk.a$([ "${TK_MPI:-0}" = 1 ] && echo ', also at 2 ranks'): ok"
exit $status
