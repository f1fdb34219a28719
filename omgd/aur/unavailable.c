/* unavailable.c — the AUR answer that says the AUR part is not there: the one piece of the
 * AUR client that every build has (--without-aur too: omgd still answers AUR_SEARCH and
 * AUR_INFO, saying why, so that omg search and omg info say it rather than fail). */
#include "config.h"
#include "aur.h"

/* A whole answer frame saying the AUR part is not there: STATUS and WHY, nothing else. */
void aur_answer_problem(struct omg_wbuf *out, uint8_t type, uint32_t id, uint8_t status, const char *why)
{
	omg_frame_begin(out, (uint8_t)(type | OMG_MSG_ANSWER), id);
	omg_enc_aur_head(out, status, why, 0);
	omg_frame_end(out, OMG_FRAME_MAX);
}

void aur_answer_unavailable(struct omg_wbuf *out, uint8_t type, uint32_t id, const char *why)
{
	aur_answer_problem(out, type, id, OMG_AUR_UNAVAILABLE, why);
}
