/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * node_config_load for gres/npu and gres/fpga (slurmd only): read
 * gres_npu.conf, detect, merge with this GRES's gres.conf records, and put
 * one record per device back into gres_conf_list, with Cores= from the
 * device's locality when gres.conf gives none.
 */
#include "npu_state.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "detect.h"
#include "npu_config.h"
#include "npu_merge.h"
#include "npu_topo.h"

list_t *npu_devices = NULL;
npu_index_info_t *npu_info = NULL;
int npu_ninfo = 0;

static npu_config_t last_good;          /* a broken gres_npu.conf keeps this one */
static int have_last_good;

void npu_state_clear(void)
{
	FREE_NULL_LIST(npu_devices);
	xfree(npu_info);
	npu_ninfo = 0;
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

static void load_config(npu_config_t *c)
{
	/* OCTOPUS_NPU_CONF: a file kept elsewhere (tests, sites with their own layout) */
	const char *env = getenv("OCTOPUS_NPU_CONF");
	char *path = env && env[0] == '/' ? xstrdup(env) : get_extra_conf_path("gres_npu.conf"), err[512];
	npu_config_t fresh;

	if (npu_config_load(path, &fresh, err, sizeof(err))) {
		/* Slurm's log macros prefix "gres/<name>: <function>: " themselves */
		error("%s; %s", err,
		      have_last_good ? "keeping the settings read before" : "using the defaults");
		if (!have_last_good)
			npu_config_defaults(&last_good);
	} else {
		last_good = fresh;
	}
	have_last_good = 1;
	xfree(path);
	*c = last_good;
	npu_config_env(c, env_get);
}

/* The trailing number of a device path (davinci7 -> 7), or -1. */
static int dev_num(const char *path)
{
	size_t n = strlen(path), i = n;

	while (i && isdigit((unsigned char)path[i - 1]))
		i--;
	return i == n ? -1 : atoi(path + i);
}

static void add_device(const char *path, int index, unsigned major, unsigned minor)
{
	gres_device_t *g = xmalloc(sizeof(*g));

	g->index = index;
	g->path = xstrdup(path);
	g->dev_num = dev_num(path);
	g->dev_desc.type = DEV_TYPE_CHAR;
	g->dev_desc.major = major;
	g->dev_desc.minor = minor;
	list_append(npu_devices, g);
}

/* This GRES's gres.conf records, one per file (File=/dev/davinci[0-3] is four),
 * each with a copy of its Cores= in slurmd's machine numbering (mac[]). */
static int collect_conf(const char *gres_name, list_t *gres_conf_list, npu_conf_rec_t *out, bitstr_t **mac, int max)
{
	list_itr_t *it = list_iterator_create(gres_conf_list);
	gres_slurmd_conf_t *p;
	int n = 0;

	while ((p = list_next(it)) && n < max) {
		struct hostlist *hl;   /* hostlist_t: a pointer in 22.05, the struct from 24.11 */
		char *f;

		if (xstrcmp(p->name, gres_name))
			continue;
		if (!p->file) {
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].type, sizeof(out[n].type), "%s", p->type_name ? p->type_name : "");
			snprintf(out[n].cores, sizeof(out[n].cores), "%s", p->cpus ? p->cpus : "");
			mac[n] = p->cpus_bitmap ? bit_copy(p->cpus_bitmap) : NULL;
			n++;
			continue;
		}
		if (!(hl = hostlist_create(p->file)))
			continue;
		while ((f = hostlist_shift(hl)) && n < max) {
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].file, sizeof(out[n].file), "%s", f);
			snprintf(out[n].type, sizeof(out[n].type), "%s", p->type_name ? p->type_name : "");
			snprintf(out[n].cores, sizeof(out[n].cores), "%s", p->cpus ? p->cpus : "");
			mac[n] = p->cpus_bitmap ? bit_copy(p->cpus_bitmap) : NULL;
			free(f);
			n++;
		}
		hostlist_destroy(hl);
	}
	list_iterator_destroy(it);
	return n;
}

/* The machine-numbered Cores= of the gres.conf line a merged record came from:
 * the line naming its file, else a count-only line with the same Cores=. */
static bitstr_t *conf_mac(const npu_final_t *f, const npu_conf_rec_t *conf, bitstr_t **mac, int nconf)
{
	for (int k = 0; k < nconf; k++)
		if (conf[k].file[0] && !strcmp(conf[k].file, f->dev.path))
			return mac[k];
	for (int k = 0; k < nconf; k++)
		if (!conf[k].file[0] && !strcmp(conf[k].cores, f->cores))
			return mac[k];
	return NULL;
}

/* XRT numbers the cards it sees by PCI address, unhealthy ones included */
static int xrt_index(const npu_scan_t *scan, const char *bdf)
{
	int n = 0;

	for (size_t i = 0; i < scan->n; i++)
		n += !strcmp(scan->dev[i].vendor, "xilinx") && strcmp(scan->dev[i].bdf, bdf) < 0;
	return n;
}

static int same_name(void *x, void *key)
{
	return !xstrcmp(((gres_slurmd_conf_t *)x)->name, key);
}

/* Cores= for a device gres.conf gave none: its local CPUs, as Slurm's abstract ids */
static void locality(npu_topo_t *topo, const npu_roots_t *r, const char *all, const npu_device_t *d,
		     node_config_load_t *cfg, char **abs, bitstr_t **mac)
{
	char cpus[1024] = "";
	int rc = -1;

	*abs = NULL;
	*mac = NULL;
	if (!d->bdf[0])
		return;
	if (topo)
		rc = npu_topo_local_cpus(topo, d->bdf, cpus, sizeof(cpus));
	if (rc < 0)
		rc = npu_topo_sysfs_cpus(r, d->bdf, all, cpus, sizeof(cpus));
	if (rc <= 0)
		return;
	*mac = bit_alloc(cfg->cpu_cnt);
	/* a CPU list that does not fit this node's CPUs is no locality at all */
	if (bit_unfmt(*mac, cpus) || !cfg->xcpuinfo_mac_to_abs || cfg->xcpuinfo_mac_to_abs(cpus, abs)) {
		FREE_NULL_BITMAP(*mac);
		xfree(*abs);
	}
}

static int registered(const npu_merged_t *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->rec[i].dev.path, path))
			return 1;
	return 0;
}

static int same_numbers(void *x, void *key)
{
	const gres_device_t *g = x;
	const struct stat *sb = key;

	return g->dev_desc.major == major(sb->st_rdev) && g->dev_desc.minor == minor(sb->st_rdev);
}

/*
 * major:minor of a left-out device, named path in the list, unless a
 * registered device has those numbers (the cgroup rule is by number:
 * denying it would deny that device to its holder).
 */
static void deny_numbers(const char *path, unsigned ma, unsigned mi)
{
	struct stat key;

	memset(&key, 0, sizeof(key));
	key.st_rdev = makedev(ma, mi);
	if (list_find_first(npu_devices, same_numbers, &key))
		return;
	add_device(path, NPU_NO_INDEX, ma, mi);
	info("%s (%u:%u) is denied to every job: detection left its device out", path, ma, mi);
}

/*
 * A detected device that is not registered (unhealthy, of an unknown
 * identity, not named by gres.conf, over the cap) is one no job can hold,
 * so no job may open it. Slurm's device cgroup denies exactly the devices
 * a GRES plugin lists and a job does not hold; anything unlisted stays
 * open to all. So these go in the list too, under an index no job's
 * allocation has (see NPU_NO_INDEX).
 */
static void deny_left_out(const npu_scan_t *scan, const npu_merged_t *merged)
{
	for (size_t i = 0; i < scan->n; i++) {
		const npu_device_t *d = &scan->dev[i];

		if (registered(merged, d->path))
			continue;
		/* only numbers confirmed to be this device's: a node that points
		 * elsewhere (say at /dev/null's) must not take that away from jobs */
		if (!d->id_known) {
			if (d->path[0])
				error("%s left out but not denied: its device numbers are unconfirmed", d->path);
			continue;
		}
		deny_numbers(d->path, d->id_major, d->id_minor);
		for (size_t k = 0; k < d->ncompanions; k++) {
			struct stat sb;

			if (stat(d->companions[k], &sb) || !S_ISCHR(sb.st_mode))
				continue;
			if (d->companion_ok[k] || major(sb.st_rdev) == d->id_major)
				deny_numbers(d->companions[k], major(sb.st_rdev), minor(sb.st_rdev));
		}
	}
}

int npu_node_load(const char *gres_name, list_t *gres_conf_list, node_config_load_t *cfg)
{
	static npu_scan_t scan;
	static npu_merged_t merged;
	npu_conf_rec_t *conf = xcalloc(NPU_MAX_DEVICES, sizeof(*conf));
	bitstr_t **mac_of_conf = xcalloc(NPU_MAX_DEVICES, sizeof(*mac_of_conf));
	npu_kind_t kind = strcmp(gres_name, "fpga") ? NPU_KIND_NPU : NPU_KIND_FPGA;
	npu_topo_t *topo = NULL;
	npu_config_t c;
	char err[512], all[1024] = "";
	int nconf;

	load_config(&c);
	if (npu_detect(&c.roots, kind, kind == NPU_KIND_NPU ? c.npu_backends : c.fpga_backends, &scan, err,
		       sizeof(err))) {
		error("%s (gres_npu.conf %sBackends=): nothing detected", err,
		      kind == NPU_KIND_NPU ? "Npu" : "Fpga");
		memset(&scan, 0, sizeof(scan));
	}
	if (scan.warnings[0])
		error("%s", scan.warnings);
	nconf = collect_conf(gres_name, gres_conf_list, conf, mac_of_conf, NPU_MAX_DEVICES);
	npu_merge(conf, (size_t)nconf, &scan, &merged);
	for (size_t i = 0; i < merged.nlog; i++)
		error("%s", merged.log[i]);
	if (merged.nlog_dropped)
		error("and %zu more device(s) left out (not logged one by one)", merged.nlog_dropped);

	if (!(topo = npu_topo_open(c.hwloc_xml[0] ? c.hwloc_xml : NULL, err, sizeof(err))))
		debug("%s: locality from sysfs only", err);
	else
		npu_topo_all_cpus(topo, all, sizeof(all));

	/* this GRES's records are rebuilt from the merge, one per device */
	list_delete_all(gres_conf_list, same_name, (void *)gres_name);
	npu_state_clear();
	npu_devices = list_create(destroy_gres_device);
	npu_info = xcalloc(merged.n ? merged.n : 1, sizeof(*npu_info));
	npu_ninfo = (int)merged.n;
	for (size_t i = 0; i < merged.n; i++) {
		const npu_final_t *f = &merged.rec[i];
		char *abs = NULL;
		bitstr_t *mac = NULL;
		uint32_t flags = GRES_CONF_HAS_FILE | (f->dev.type[0] ? GRES_CONF_HAS_TYPE : 0);

		if (!f->cores[0])
			locality(topo, &c.roots, all, &f->dev, cfg, &abs, &mac);
		npu_add_gres(gres_conf_list, gres_name, 1, cfg->cpu_cnt, f->cores[0] ? f->cores : abs,
			     f->cores[0] ? conf_mac(f, conf, mac_of_conf, nconf) : mac, f->dev.path,
			     f->dev.type[0] ? f->dev.type : NULL, flags);
		info("index %zu %s type=%s vendor=%s%s%s", i, f->dev.path, f->dev.type,
		     f->dev.vendor, f->cores[0] || abs ? " cores=" : "", f->cores[0] ? f->cores : abs ? abs : "");
		xfree(abs);
		FREE_NULL_BITMAP(mac);
		add_device(f->dev.path, (int)i, f->dev.major, f->dev.minor);
		for (size_t k = 0; k < f->dev.ncompanions; k++) {
			unsigned ma = 0, mi = 0;
			const char *cp = f->dev.companions[k];

			struct stat sb;

			if (!stat(cp, &sb)) {
				ma = major(sb.st_rdev);
				mi = minor(sb.st_rdev);
			}
			add_device(cp, (int)i, ma, mi);
		}
		/* ControlDevices=restrict: shared nodes under every index, so only
		 * jobs holding a device may open them (Slurm dedups by path) */
		for (size_t k = 0; c.restrict_control && k < scan.nshared; k++) {
			struct stat sb;

			if (!stat(scan.shared[k], &sb))
				add_device(scan.shared[k], (int)i, major(sb.st_rdev), minor(sb.st_rdev));
		}
		snprintf(npu_info[i].vendor, sizeof(npu_info[i].vendor), "%s", f->dev.vendor);
		snprintf(npu_info[i].token, sizeof(npu_info[i].token), "%s", f->dev.token);
		npu_info[i].number = strcmp(f->dev.vendor, "xilinx") ? dev_num(f->dev.path) : xrt_index(&scan, f->dev.bdf);
	}
	deny_left_out(&scan, &merged);
	npu_topo_close(topo);
	for (int k = 0; k < nconf; k++)
		FREE_NULL_BITMAP(mac_of_conf[k]);
	xfree(mac_of_conf);
	xfree(conf);
	return SLURM_SUCCESS;
}
