// Channels-last batch-normalisation loops (AVX2): rows of C values, per-channel vectors.
#ifndef CNNC_BATCH_NORM_H
#define CNNC_BATCH_NORM_H

#ifdef __cplusplus
extern "C" {
#endif

/// sum[c] += Σ_rows x[r][c]; product[c] += Σ_rows x[r][c]·y[r][c] (y = x when NULL).
void cnnc_channel_sums(const float *x, const float *y, int rows, int C, float *sum, float *product);

/// xhat = (x − mean[c])·inverse_std[c]; out = gamma[c]·xhat + beta[c].
void cnnc_batch_norm_forward(const float *x, int rows, int C, const float *mean, const float *inverse_std,
                             const float *gamma, const float *beta, float *xhat, float *out);

/// dx = scale[c]·dy − shift[c] − xhat·slope[c].
void cnnc_batch_norm_backward(const float *dy, const float *xhat, int rows, int C, const float *scale,
                              const float *shift, const float *slope, float *dx);

#ifdef __cplusplus
}
#endif

#endif
