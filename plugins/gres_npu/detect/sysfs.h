/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysfs - the few file reads detection needs, all relative to a root so
 * tests point them at fake trees: one attribute, a directory's entries in
 * order, a device node's numbers, a driver's major in /proc/devices.
 */
#ifndef OCTOPUS_NPU_SYSFS_H
#define OCTOPUS_NPU_SYSFS_H

#include <stddef.h>

/* The first line of root/rel, trimmed, at most len-1 bytes; -1 if unreadable
 * or not a regular file (a FIFO there never blocks). */
int sysfs_read(const char *root, const char *rel, char *out, size_t len);

/* sysfs_read as a number (decimal or 0x hex); -1 if unreadable or not a number. */
int sysfs_read_ulong(const char *root, const char *rel, unsigned long *out);

/* Entries of root/rel whose names start with prefix, sorted by the number
 * after the prefix (accel2 < accel10), then by name. Returns the count (at
 * most max), -1 if the directory is missing. names[i] is malloc'd. */
int sysfs_list(const char *root, const char *rel, const char *prefix, char **names, size_t max);
void sysfs_list_free(char **names, int n);

/* The character device at root/rel: 0 with its numbers, -1 (errno) if
 * missing or not a character device. */
int sysfs_chardev(const char *root, const char *rel, unsigned *major, unsigned *minor);

/* A "M:m" attribute (a class device's dev): 0 with its numbers, else -1. */
int sysfs_read_devnum(const char *root, const char *rel, unsigned *major, unsigned *minor);

/* 1 when /proc/devices lists this character major under one of drivers
 * (NULL: under any name), 0 when not, -1 when it cannot be read. */
int sysfs_major_owned_by(const char *proc_root, unsigned major, const char *const *drivers);

/* The major /proc/devices gives a character driver, or -1. */
int sysfs_driver_major(const char *proc_root, const char *driver);

/* The PCI address a sysfs device link resolves to ("0000:3b:00.0"), or -1. */
int sysfs_pci_addr(const char *root, const char *rel, char *out, size_t len);

#endif
