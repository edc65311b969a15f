/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plugins are compiled with -fvisibility=hidden: nothing of ours leaks into
 * slurmctld/slurmd/slurmstepd's symbol space except what a plugin loader looks
 * up by name (plugin_name/type/version, init/fini and the plugin's ops).
 * tests/check-plugin-symbols verifies the exported set of every built plugin.
 */
#ifndef OCTOPUS_VISIBILITY_H
#define OCTOPUS_VISIBILITY_H

#define OCTOPUS_EXPORT __attribute__((visibility("default")))

#endif
