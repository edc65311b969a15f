/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the request normaliser on hostile job fields. The input
 * is split at newlines into partition, machine type, the four TRES strings
 * and licenses; the last bytes feed the node/task/socket counts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mt_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char catalog[] =
	"MachineType=a100x1 Gres=gpu:a100:1 CpusPerUnit=8 MemPerUnit=64G Partitions=gpu MaxUnitsPerJob=4\n"
	"MachineType=a100x4 Gres=gpu:a100:4 CpusPerUnit=32 MemPerUnit=256G Partitions=gpu,gpu-full\n"
	"MachineType=n1 Gres=npu:910b:1 CpusPerUnit=16 MemPerUnit=128G Partitions=npu\n"
	"PartitionName=gpu DefaultMachineType=a100x1\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mt_catalog_t *cat;
	char *copy, *field[7] = { 0 }, *p;
	mt_request_t req;
	mt_decision_t d;
	size_t n = 0;

	if (!cat) {
		mt_error_t err;

		if (!(cat = mt_catalog_parse(catalog, strlen(catalog), &err)))
			abort();
	}
	if (size > 8192 || !(copy = malloc(size + 1)))
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy; n < 7; n++) {
		field[n] = p;
		if (!(p = strchr(p, '\n')))
			break;
		*p++ = '\0';
	}
	memset(&req, 0, sizeof(req));
	req.partition = field[0] ? field[0] : "";
	req.machine_type = field[1];
	req.tres_per_job = field[2];
	req.tres_per_node = field[3];
	req.tres_per_socket = field[4];
	req.tres_per_task = field[5];
	req.licenses = field[6];
	if (size >= 4) {
		req.min_nodes = data[size - 1] % 5;
		req.max_nodes = data[size - 2] % 5;
		req.num_tasks = data[size - 3];
		req.sockets_per_node = data[size - 4] % 3;
		req.partition_implicit = data[size - 1] & 0x80;
	}
	mt_request_normalize(cat, &req, &d);
	if (d.verdict == MT_SHAPED && (d.units == 0 || d.type < 0))
		abort();        /* a shaped job always has a type and units */
	free(copy);
	return 0;
}
