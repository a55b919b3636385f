/* gst-aes67: discovery backends
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-discovery-backend.h"

GQuark
aes67_discovery_error_quark (void)
{
  return g_quark_from_static_string ("aes67-discovery-error-quark");
}

#ifdef HAVE_AVAHI
/* ext/avahi/aes67-mdns-backend.c */
extern const Aes67DiscoveryBackend aes67_mdns_backend;
#endif

const Aes67DiscoveryBackend *
aes67_discovery_backend_mdns (void)
{
#ifdef HAVE_AVAHI
  return &aes67_mdns_backend;
#else
  return NULL;
#endif
}
