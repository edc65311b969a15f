/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slurmd -> slurmstepd: slurmstepd never runs node_config_load, so the
 * device list and the per-index environment data travel with every step,
 * versioned, and are unpacked exactly as packed.
 */
#include "npu_state.h"

void npu_state_pack(buf_t *buffer)
{
	list_itr_t *it;
	gres_device_t *g;
	uint32_t ndev = npu_devices ? (uint32_t)list_count(npu_devices) : 0;

	pack32(NPU_STATE_VERSION, buffer);
	pack32(ndev, buffer);
	if (ndev) {
		it = list_iterator_create(npu_devices);
		while ((g = list_next(it))) {
			pack32((uint32_t)g->index, buffer);
			pack32((uint32_t)g->dev_num, buffer);
			pack32(g->dev_desc.major, buffer);
			pack32(g->dev_desc.minor, buffer);
			packstr(g->path, buffer);
		}
		list_iterator_destroy(it);
	}
	pack32((uint32_t)npu_ninfo, buffer);
	for (int i = 0; i < npu_ninfo; i++) {
		packstr(npu_info[i].vendor, buffer);
		packstr(npu_info[i].token, buffer);
		pack32((uint32_t)npu_info[i].number, buffer);
	}
}

int npu_state_unpack(buf_t *buffer)
{
	uint32_t version, ndev, ninfo, u32;
	char *s = NULL;

	npu_state_clear();
	safe_unpack32(&version, buffer);
	if (version != NPU_STATE_VERSION) {
		error("slurmd sent device state version %u, this slurmstepd reads %u: restart slurmd",
		      version, NPU_STATE_VERSION);
		return SLURM_ERROR;
	}
	safe_unpack32(&ndev, buffer);
	if (ndev > 4096)
		goto unpack_error;
	npu_devices = list_create(destroy_gres_device);
	for (uint32_t i = 0; i < ndev; i++) {
		gres_device_t *g = xmalloc(sizeof(*g));

		list_append(npu_devices, g);
		safe_unpack32(&u32, buffer);
		g->index = (int)u32;
		safe_unpack32(&u32, buffer);
		g->dev_num = (int)u32;
		g->dev_desc.type = DEV_TYPE_CHAR;
		safe_unpack32(&g->dev_desc.major, buffer);
		safe_unpack32(&g->dev_desc.minor, buffer);
		safe_unpackstr_xmalloc(&g->path, &u32, buffer);
	}
	safe_unpack32(&ninfo, buffer);
	if (ninfo > 4096)
		goto unpack_error;
	npu_info = xcalloc(ninfo ? ninfo : 1, sizeof(*npu_info));
	npu_ninfo = (int)ninfo;
	for (uint32_t i = 0; i < ninfo; i++) {
		safe_unpackstr_xmalloc(&s, &u32, buffer);
		snprintf(npu_info[i].vendor, sizeof(npu_info[i].vendor), "%s", s ? s : "");
		xfree(s);
		safe_unpackstr_xmalloc(&s, &u32, buffer);
		snprintf(npu_info[i].token, sizeof(npu_info[i].token), "%s", s ? s : "");
		xfree(s);
		safe_unpack32(&u32, buffer);
		npu_info[i].number = (int)u32;
	}
	return SLURM_SUCCESS;

unpack_error:
	xfree(s);
	error("the device state from slurmd is malformed");
	npu_state_clear();
	return SLURM_ERROR;
}
