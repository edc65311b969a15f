/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mt_message.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

void mt_format_time(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%MZ", &tm))
		snprintf(buf, len, "-");
}

void mt_message_quota(char *buf, size_t len, const mt_quota_view_t *v, const char *action)
{
	char end[32], granted[24];

	mt_format_time(end, sizeof(end), v->grant_end);
	if (v->granted == UINT64_MAX)
		snprintf(granted, sizeof(granted), "0");
	else
		snprintf(granted, sizeof(granted), "%" PRIu64, v->granted);
	snprintf(buf, len, "octopus: type=%s units=%" PRIu32 " granted=%s in_use=%" PRIu64 " grant_end=%s %s",
		 v->type, v->units, granted, v->in_use, end, action);
}

void mt_message_rejected(char *buf, size_t len, const char *reason)
{
	snprintf(buf, len, "octopus: rejected: %s", reason);
}
