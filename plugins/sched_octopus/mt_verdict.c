/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mt_verdict.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mt_message.h"

const char *mt_quota_hint(const mt_catalog_t *cat)
{
	return cat->quota_hint ? cat->quota_hint
			       : "request quota for this machine type from your HPC admins; 'octopus-quota show' lists your grants";
}

void mt_grant_verdict(const mt_catalog_t *cat, const mt_type_t *t, const char *account, uint32_t units,
		      uint64_t limit, uint64_t used, int64_t end, int64_t now, uint32_t time_limit_min,
		      mt_grant_verdict_t *v)
{
	mt_quota_view_t view = { .type = t->name, .units = units, .granted = limit, .in_use = used, .grant_end = end };
	char action[MT_VERDICT_MSG_MAX / 2], endstr[32];

	memset(v, 0, sizeof(*v));
	if (limit == MT_NO_LIMIT || limit == 0 || (end > 0 && end <= now)) {
		if (cat->on_no_grant == MT_NOGRANT_PEND) {
			snprintf(action, sizeof(action),
				 "action=queued: no active grant for %s on account %s; the job waits (AssocGrpLicense) until one is approved: %s",
				 t->name, account, mt_quota_hint(cat));
			mt_message_quota(v->msg, sizeof(v->msg), &view, action);
			return;
		}
		snprintf(action, sizeof(action), "action=rejected: no active grant for %s on account %s; %s", t->name,
			 account, mt_quota_hint(cat));
		mt_message_quota(v->msg, sizeof(v->msg), &view, action);
		v->reject = 1;
		return;
	}
	if (units > limit) {
		snprintf(action, sizeof(action),
			 "action=rejected: the job needs %" PRIu32 " units and can never run under a grant of %" PRIu64 "; ask for fewer units or a larger grant",
			 units, limit);
		mt_message_quota(v->msg, sizeof(v->msg), &view, action);
		v->reject = 1;
		return;
	}
	if (end > 0 && cat->on_grant_end != MT_END_IGNORE) {
		int64_t left_min = (end - now) / 60;

		mt_format_time(endstr, sizeof(endstr), end);
		if (left_min < 1) {
			snprintf(action, sizeof(action), "action=rejected: the grant ends within a minute; %s",
				 mt_quota_hint(cat));
			mt_message_quota(v->msg, sizeof(v->msg), &view, action);
			v->reject = 1;
			return;
		}
		if (cat->on_grant_end == MT_END_REJECT && (!time_limit_min || (int64_t)time_limit_min > left_min)) {
			snprintf(action, sizeof(action),
				 "action=rejected: the time limit outlives the grant (ends %s): use --time=%" PRId64 " or less",
				 endstr, left_min);
			mt_message_quota(v->msg, sizeof(v->msg), &view, action);
			v->reject = 1;
			return;
		}
		v->deadline = end;
		v->time_cap = left_min > (int64_t)UINT32_MAX - 2 ? UINT32_MAX - 2 : (uint32_t)left_min;
	}
	if (used + units > limit) {
		snprintf(action, sizeof(action),
			 "action=queued: %" PRIu64 " of %" PRIu64 " units in use; the job waits (AssocGrpLicense) until units free up",
			 used, limit);
		mt_message_quota(v->msg, sizeof(v->msg), &view, action);
	}
}
