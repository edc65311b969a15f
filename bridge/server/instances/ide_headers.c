/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide_headers - which of a user's request headers an IDE behind /i/{id}/
 * may see: shared by the HTTP proxy (ide_proxy.c) and the WebSocket relay
 * (ide_ws.c), which therefore need not know each other.
 */
#include <stddef.h>
#include <strings.h>

#include "ide_headers.h"

bool ide_header_forwarded(const char *name, bool websocket)
{
	/* hop-by-hop, the caller's credentials, and what the bridge sets */
	static const char *const drop[] = { "Connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection",
					    "TE", "Trailer", "Transfer-Encoding", "Content-Length", "Expect",
					    "Authorization", "X-Forwarded-For", NULL };

	for (int i = 0; drop[i]; i++)
		if (!strcasecmp(name, drop[i]))
			return false;
	if (!strncasecmp(name, "X-Octopus-", 10))
		return false;
	if (!strcasecmp(name, "Upgrade"))
		return websocket;
	return true;
}
