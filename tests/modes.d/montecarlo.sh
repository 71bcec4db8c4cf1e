# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# montecarlo: every model gives one digest in every mode, with sample counts that the
# worker counts do not divide; bad options give exit 2 and one line.
same_digest "pi 1000003 samples" -- montecarlo --samples 1000003 --seed 7
same_digest "pi 5 samples (fewer blocks than workers)" -- montecarlo --samples 5
same_digest "option call" -- montecarlo --model option --samples 300007
same_digest "option put" -- montecarlo --model option --put --samples 70001 --seed 3
same_digest "ep class S" -- montecarlo --model ep --class S

expect_error "unknown command" 2 "unknown command 'montecarl'" -- montecarl
expect_error "unknown option" 2 "unknown option '--sample'" -- montecarlo --sample 5
expect_error "samples zero" 2 "samples must be between 1" -- montecarlo --samples 0
expect_error "samples negative" 2 "whole non-negative number" -- montecarlo --samples -5
expect_error "samples not a number" 2 "whole non-negative number" -- montecarlo --samples lots
expect_error "samples overflow counters" 2 "samples must be between 1" -- montecarlo --samples 2^63
expect_error "samples power, huge exponent" 2 "samples must be between 1" -- montecarlo --samples '0^99999999999999'
expect_error "unknown model" 2 "is not one of: pi, option, ep" -- montecarlo --model tau
expect_error "unknown class" 2 "is not one of: S, W, A, B, C" -- montecarlo --model ep --class D
expect_error "threads zero" 2 "threads must be between 1" -- montecarlo --threads 0
expect_error "sigma zero" 2 "sigma must be greater than 0" -- montecarlo --model option --sigma 0
expect_error "class with pi" 2 "class applies only" -- montecarlo --class A
ONE_RANK=1 expect_error "mode mpi, one rank" 2 "mode mpi needs" -- montecarlo --mode mpi
ONE_RANK=1 expect_error "mode hybrid, one rank" 2 "mode hybrid needs" -- montecarlo --mode hybrid
# text output prints round-trip digits for prices and sums
text_exact "option text digits" -- montecarlo --model option --samples 100003
text_exact "ep text digits" -- montecarlo --model ep --class S
text_exact "pi text digits" -- montecarlo --samples 1000003

# every SIMD variant this CPU runs gives the scalar variant's digest (and verifies),
# with sample counts that leave a remainder of every vector width
SIMD_CONFIGS=1 same_digest "pi, every variant" -- montecarlo --samples 1000003 --seed 7
SIMD_CONFIGS=1 same_digest "pi 5 samples, every variant" -- montecarlo --samples 5
SIMD_CONFIGS=1 same_digest "option call, every variant" -- montecarlo --model option --samples 300007
SIMD_CONFIGS=1 same_digest "option put, every variant" -- montecarlo --model option --put --samples 70001 --seed 3
SIMD_CONFIGS=1 same_digest "ep class S, every variant" -- montecarlo --model ep --class S
SIMD_CONFIGS=1 same_digest "ep class W, 2 threads, every variant" -- montecarlo --model ep --class W --threads 2
