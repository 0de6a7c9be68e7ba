/*
 * msg.c - the message catalogue (see msg.h).
 */
#include "msg.h"

static const char *const table[MSG_COUNT][2] = {
#define MSG(id, vi, en) [id] = { vi, en },
	MSG_TABLE
#undef MSG
};

const char *
msg(enum msg_lang lang, enum msg_id id)
{
	if ((unsigned)id >= MSG_COUNT)
		return "";
	return table[id][lang == LANG_EN ? 1 : 0];
}
