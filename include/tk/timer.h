/*
 * timer.h: a monotonic wall clock (CLOCK_MONOTONIC), the only clock used for timings.
 */
#ifndef TK_TIMER_H
#define TK_TIMER_H

/* Seconds since an arbitrary fixed point; never goes backwards. */
double tk_now(void);
/* The clock's resolution in seconds. */
double tk_timer_resolution(void);

#endif
