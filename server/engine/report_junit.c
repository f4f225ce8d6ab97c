/* report_junit.c: the JUnit XML of a report. */
#include <stdlib.h>
#include <string.h>

#include "gate.h"

char *pf_report_junit(const json_t *report)
{
	(void)report;
	return strdup("");
}
