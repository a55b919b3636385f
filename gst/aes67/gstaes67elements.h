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

/* For a property without a GST_PARAM_MUTABLE_* flag (read only when the
 * element leaves NULL): posts a warning on @element's bus when it is set
 * while @element is in READY or above, as the new value is kept but takes
 * effect only the next time the element goes from NULL to READY. Call it
 * from set_property without the object lock held. */
void gst_aes67_warn_if_set_too_late (GstElement * element, GParamSpec * pspec);

G_END_DECLS

#endif /* __GST_AES67_ELEMENTS_H__ */
