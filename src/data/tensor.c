/* Named tensors (tensor.h). */
#include "towerlens/tensor.h"

#include <string.h>

const tl_tensor *tl_tensor_find(const tl_tensor *t, uint32_t n, const char *name)
{
    for (uint32_t i = 0; t && name && i < n; i++)
        if (strncmp(t[i].name, name, TL_TENSOR_NAME_MAX) == 0) return &t[i];
    return NULL;
}
