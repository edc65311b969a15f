/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "quota_plan.h"

#include <stdlib.h>
#include <string.h>

plan_entry_t *plan_find(plan_t *p, const char *user, const char *account, const char *type)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->e[i].user, user) && !strcmp(p->e[i].account, account) && !strcmp(p->e[i].type, type))
			return &p->e[i];
	return NULL;
}

int plan_touch(plan_t *p, const char *user, const char *account, const char *type)
{
	plan_entry_t *e;

	if (plan_find(p, user, account, type))
		return 0;
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 32;
		plan_entry_t *ne = realloc(p->e, ncap * sizeof(*ne));

		if (!ne)
			return -1;
		p->e = ne;
		p->cap = ncap;
	}
	e = &p->e[p->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->user, sizeof(e->user), "%s", user);
	snprintf(e->account, sizeof(e->account), "%s", account);
	snprintf(e->type, sizeof(e->type), "%s", type);
	return 0;
}

/*
 * Steps say "U units until END", units falling as grants end. Adding a grant
 * that is active now adds its units to every step ending at or before its
 * end, and opens a step at its own end.
 */
static void add_step(plan_entry_t *e, uint32_t units, int64_t end)
{
	size_t i, pos;
	uint32_t after = 0;

	for (i = 0; i < e->nsteps; i++)
		if (e->steps[i].end == end)
			break;
	if (i == e->nsteps) {
		if (e->nsteps == GI_MAX_STEPS)
			return;         /* beyond 16 overlapping end dates: keep the earliest */
		for (pos = 0; pos < e->nsteps && e->steps[pos].end < end; pos++)
			;
		/* units granted beyond this end date by later-ending grants */
		after = pos < e->nsteps ? e->steps[pos].units : 0;
		memmove(&e->steps[pos + 1], &e->steps[pos], (e->nsteps - pos) * sizeof(e->steps[0]));
		e->steps[pos].end = end;
		e->steps[pos].units = after;
		e->nsteps++;
	}
	for (i = 0; i < e->nsteps && e->steps[i].end <= end; i++)
		e->steps[i].units += units;
}

int plan_add(plan_t *p, const gl_grant_t *g, int64_t now)
{
	plan_entry_t *e;

	if (g->status != GL_ACTIVE || g->start > now || g->end <= now)
		return 0;
	if (plan_touch(p, g->user, g->account, g->machine_type))
		return -1;
	e = plan_find(p, g->user, g->account, g->machine_type);
	e->units += g->units;
	add_step(e, g->units, g->end);
	return 0;
}

void plan_free(plan_t *p)
{
	free(p->e);
	memset(p, 0, sizeof(*p));
}
