/* pftest_run.h: a test program's main runs its Check suite with this. */
#ifndef PF_PFTEST_RUN_H
#define PF_PFTEST_RUN_H

#include <check.h>

/* Run every test of s (CK_NORMAL output), free the runner; the exit
 * status for main: EXIT_SUCCESS when every test passed. */
int pft_run_suite(Suite *s);

#endif
