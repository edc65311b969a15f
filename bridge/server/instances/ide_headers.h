/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ide_headers - request headers an IDE may see (see ide_headers.c) */
#ifndef OCTOPUS_IDE_HEADERS_H
#define OCTOPUS_IDE_HEADERS_H

#include <stdbool.h>

/* A request header the IDE may see (Upgrade only on a WebSocket) */
bool ide_header_forwarded(const char *name, bool websocket);

#endif
