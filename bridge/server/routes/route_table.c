/* SPDX-License-Identifier: GPL-2.0-or-later */
/* route_table - the API: each METHOD PATH, its handler and who may call it. */
#include "route_table.h"

static const route_handler_t h_healthz = { r_healthz, ROUTE_PUBLIC }, h_readyz = { r_readyz, ROUTE_PUBLIC }, h_me = { r_me, 0 },
		       h_mt = { r_machine_types, 0 }, h_jobs_list = { r_jobs_list, 0 },
		       h_jobs_submit = { r_jobs_submit, 0 }, h_job_get = { r_job_get, 0 },
		       h_job_cancel = { r_job_cancel, 0 }, h_tok_create = { r_tokens_create, 0 },
		       h_tok_list = { r_tokens_list, 0 }, h_tok_revoke = { r_tokens_revoke, 0 },
		       h_audit = { r_admin_audit, ROUTE_ADMIN }, h_metrics = { r_metrics, ROUTE_ADMIN },
		       h_nodes = { r_admin_nodes, ROUTE_ADMIN },
		       h_qr_create = { r_qreq_create, 0 }, h_qr_list = { r_qreq_list, 0 }, h_qr_get = { r_qreq_get, 0 },
		       h_qr_approve = { r_qreq_approve, ROUTE_ADMIN }, h_qr_reject = { r_qreq_reject, ROUTE_ADMIN },
		       h_qr_cancel = { r_qreq_cancel, 0 }, h_grants = { r_grants_list, 0 },
		       h_grant_extend = { r_grant_extend, ROUTE_ADMIN }, h_grant_revoke = { r_grant_revoke, ROUTE_ADMIN },
		       h_job_log = { r_job_log, 0 }, h_vol_create = { r_volumes_create, 0 },
		       h_vol_list = { r_volumes_list, 0 }, h_vol_delete = { r_volume_delete, 0 },
		       h_inst_create = { r_instances_create, 0 }, h_inst_list = { r_instances_list, 0 },
		       h_inst_get = { r_instance_get, 0 }, h_inst_delete = { r_instance_delete, 0 };

static const route_t routes[] = {
	{ "GET", "/api/v1/healthz", &h_healthz },
	{ "GET", "/api/v1/readyz", &h_readyz },
	{ "GET", "/api/v1/me", &h_me },
	{ "GET", "/api/v1/machine-types", &h_mt },
	{ "GET", "/api/v1/jobs", &h_jobs_list },
	{ "POST", "/api/v1/jobs", &h_jobs_submit },
	{ "GET", "/api/v1/jobs/{}", &h_job_get },
	{ "DELETE", "/api/v1/jobs/{}", &h_job_cancel },
	{ "GET", "/api/v1/jobs/{}/log", &h_job_log },
	{ "POST", "/api/v1/volumes", &h_vol_create },
	{ "GET", "/api/v1/volumes", &h_vol_list },
	{ "DELETE", "/api/v1/volumes/{}", &h_vol_delete },
	{ "POST", "/api/v1/instances", &h_inst_create },
	{ "GET", "/api/v1/instances", &h_inst_list },
	{ "GET", "/api/v1/instances/{}", &h_inst_get },
	{ "DELETE", "/api/v1/instances/{}", &h_inst_delete },
	{ "POST", "/api/v1/tokens", &h_tok_create },
	{ "GET", "/api/v1/tokens", &h_tok_list },
	{ "DELETE", "/api/v1/tokens/{}", &h_tok_revoke },
	{ "GET", "/api/v1/admin/audit", &h_audit },
	{ "GET", "/api/v1/admin/nodes", &h_nodes },
	{ "POST", "/api/v1/quota-requests", &h_qr_create },
	{ "GET", "/api/v1/quota-requests", &h_qr_list },
	{ "GET", "/api/v1/quota-requests/{}", &h_qr_get },
	{ "POST", "/api/v1/quota-requests/{}/approve", &h_qr_approve },
	{ "POST", "/api/v1/quota-requests/{}/reject", &h_qr_reject },
	{ "POST", "/api/v1/quota-requests/{}/cancel", &h_qr_cancel },
	{ "GET", "/api/v1/grants", &h_grants },
	{ "POST", "/api/v1/grants/{}/extend", &h_grant_extend },
	{ "DELETE", "/api/v1/grants/{}", &h_grant_revoke },
	{ "GET", "/metrics", &h_metrics },
};

const route_t *route_table(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
