/* pftest_run.c: see pftest_run.h. Its own object, so the tools that link
 * the test library do not need libcheck. */
#include "pftest_run.h"

#include <stdlib.h>

int pft_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
