# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# stencil: one digest in every mode (sizes the worker counts do not divide, fewer rows
# than ranks, zero steps), in every SIMD variant; bad options exit 2 with one line, a
# grid too large for memory exits 4.
same_digest "stencil 101, 50 steps" -- stencil --size 101 --steps 50
same_digest "stencil 3 rows (fewer than 4 ranks)" -- stencil --size 3 --steps 7 --alpha 0.25
same_digest "stencil 2 rows" -- stencil --size 2 --steps 3
same_digest "stencil 0 steps" -- stencil --size 37 --steps 0
same_digest "stencil 67 (odd remainders), alpha 0.1" -- stencil --size 67 --steps 40 --alpha 0.1

# every SIMD variant the same
SIMD_CONFIGS=1 same_digest "stencil 101, every variant" -- stencil --size 101 --steps 50
SIMD_CONFIGS=1 same_digest "stencil 67, every variant" -- stencil --size 67 --steps 40 --alpha 0.1 --threads 2
SIMD_CONFIGS=1 same_digest "stencil 3, every variant" -- stencil --size 3 --steps 7

# the digest covers the grid: another alpha or step count gives another one
d1=$("$TK" stencil --size 33 --steps 5 --format json --quiet | sed -n 's/.*"grid_hash":"\([0-9a-f]*\)".*/\1/p')
d2=$("$TK" stencil --size 33 --steps 6 --format json --quiet | sed -n 's/.*"grid_hash":"\([0-9a-f]*\)".*/\1/p')
if [ -n "$d1" ] && [ -n "$d2" ] && [ "$d1" != "$d2" ]; then pass; else fail "stencil grid_hash: 5 and 6 steps give '$d1' and '$d2'"; fi
text_exact "stencil text digits" -- stencil --size 50 --steps 10

expect_error "stencil size 0" 2 "size must be at least 2" -- stencil --size 0
expect_error "stencil size 1" 2 "size must be at least 2" -- stencil --size 1
expect_error "stencil size not a number" 2 "whole non-negative number" -- stencil --size big
expect_error "stencil size negative" 2 "whole non-negative number" -- stencil --size -4
expect_error "stencil steps not a number" 2 "whole non-negative number" -- stencil --steps 1.5
expect_error "stencil steps too many" 2 "steps must be between 0 and 2^40" -- stencil --size 4 --steps 2^41
expect_error "stencil alpha unstable" 2 "alpha must be in (0, 0.25]" -- stencil --alpha 0.26
expect_error "stencil alpha zero" 2 "alpha must be in (0, 0.25]" -- stencil --alpha 0
expect_error "stencil alpha not a number" 2 "alpha" -- stencil --alpha warm
expect_error "stencil unknown option" 2 "unknown option '--sizes'" -- stencil --sizes 4
expect_error "stencil too large" 4 "too large: it needs" -- stencil --size 1e6
expect_error "stencil overflow" 4 "too large" -- stencil --size 2^40
expect_error "stencil overflow 2^64-1" 4 "too large" -- stencil --size 18446744073709551615
