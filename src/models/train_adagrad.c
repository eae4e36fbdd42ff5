/* Adagrad, as TensorFlow's (Sparse)ApplyAdagradV2 kernel computes it. */
#include <math.h>

#include "towerlens/train.h"

void tl_adagrad_row(float *w, float *acc, const float *g, size_t dim, float lr, float eps)
{
    for (size_t k = 0; k < dim; k++) {
        float a = acc[k] + g[k] * g[k];
        acc[k] = a;
        /* sqrtf is correctly rounded (IEEE), so identical in every build */
        w[k] = w[k] - (lr * g[k]) / (sqrtf(a) + eps);
    }
}
