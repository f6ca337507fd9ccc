// Channels-last max pooling (AVX2), one image per call.
#ifndef CNNC_MAX_POOL_H
#define CNNC_MAX_POOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[oh][ow][c] = max over the window (clipped to the image: padding never wins) of x[ih][iw][c];
/// arg[oh][ow][c] = the winner's index in x. Ties go to the first pixel in row-major window order.
/// Windows must overlap the image. Any C; multiples of 8 run vectorised.
void cnnc_max_pool_forward(const float *x, int H, int W, int C, float *y, int32_t *arg, int OH, int OW,
                           int KH, int KW, int sh, int sw, int pt, int pl);

#ifdef __cplusplus
}
#endif

#endif
