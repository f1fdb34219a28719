/* files_alpm.c — verify_alpm (files.h): placeholder while the Debian side is built. */
#include "config.h"

#include "verify/files_int.h"

#include "omg_error.h"

int verify_alpm(struct verify_run *run)
{
	(void)run;
	return OMG_ERROR(OMG_E_INVAL, "not yet");
}
