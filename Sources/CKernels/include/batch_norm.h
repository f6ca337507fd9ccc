// Channels-last batch-normalisation loops (AVX2): rows of C values, per-channel vectors.
#ifndef CNNC_BATCH_NORM_H
#define CNNC_BATCH_NORM_H

#ifdef __cplusplus
extern "C" {
#endif

/// sum[c] += Σ_rows x[r][c].
void cnnc_channel_sum(const float *x, int rows, int C, float *sum);

/// out[c] += Σ_rows (x[r][c] − mean[c])².
void cnnc_centered_squares(const float *x, int rows, int C, const float *mean, float *out);

/// With x̂ = (x − mean[c])·inverse_std[c], recomputed as the forward pass computes it:
/// sum[c] += Σ_rows dy[r][c]; product[c] += Σ_rows dy[r][c]·x̂[r][c].
void cnnc_normalized_gradient_sums(const float *dy, const float *x, int rows, int C, const float *mean,
                                    const float *inverse_std, float *sum, float *product);

/// out = gamma[c]·x̂ + beta[c], with x̂ = (x − mean[c])·inverse_std[c], then the fused activation relu (0 none, 1 relu, 2 relu6).
void cnnc_batch_norm_forward(const float *x, int rows, int C, const float *mean, const float *inverse_std,
                             const float *gamma, const float *beta, int relu, float *out);

/// dx = scale[c]·dy − shift[c] − x̂·slope[c], with x̂ recomputed from x as above.
void cnnc_batch_norm_backward(const float *dy, const float *x, int rows, int C, const float *mean, const float *inverse_std,
                              const float *scale, const float *shift, const float *slope, float *dx);

#ifdef __cplusplus
}
#endif

#endif
