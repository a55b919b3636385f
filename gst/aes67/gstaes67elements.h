/* gst-aes67: the elements of the aes67 plugin */
#ifndef __GST_AES67_ELEMENTS_H__
#define __GST_AES67_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE (aes67sink);
GST_ELEMENT_REGISTER_DECLARE (aes67src);
GST_ELEMENT_REGISTER_DECLARE (ptpclock);
GST_ELEMENT_REGISTER_DECLARE (sapannounce);
GST_DEVICE_PROVIDER_REGISTER_DECLARE (aes67deviceprovider);

G_END_DECLS

#endif /* __GST_AES67_ELEMENTS_H__ */
