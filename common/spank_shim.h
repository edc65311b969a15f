/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Include <slurm/spank.h> through this header in SPANK plugins.
 *
 * Plugins build with -fvisibility=hidden. spank.h declares the
 * slurm_spank_* callbacks, so declaring them with default visibility exports
 * exactly the callbacks a plugin defines and nothing else; SPANK_PLUGIN's
 * plugin_name/type/version get the same treatment.
 */
#ifndef OCTOPUS_SPANK_SHIM_H
#define OCTOPUS_SPANK_SHIM_H

#include <stdint.h> /* spank.h uses uint32_t without including it */

#pragma GCC visibility push(default)
#include <slurm/spank.h>
#pragma GCC visibility pop

#define OCTOPUS_SPANK_PLUGIN(name, version)         \
	_Pragma("GCC visibility push(default)")     \
	SPANK_PLUGIN(name, version)                 \
	_Pragma("GCC visibility pop")

#endif
