// The register-blocked tiles of the direct and Winograd kernels, written once for a vector type and included by
// direct_conv.c (AVX2: 8 lanes, up to 2 vectors of filters per tile) and direct_conv_avx512.c (AVX-512: 16 lanes,
// up to 4). The includer defines:
//   VEC, LANES, MAX_NV        the vector type, its floats, the most filter vectors a tile holds (6 rows × MAX_NV
//                             accumulators must fit the register file: 12 of 16 ymm, 24 of 32 zmm)
//   VLOAD, VSTORE, VSTREAM (an aligned non-temporal store), VZERO, VSET1, VFMA, VADD, VACTIVATE(v, activation)
//   TILE(name)                the variant's name for a function
// Every output accumulates its terms in the same order in both variants (taps, then channels, one FMA each; pixels in
// order for a weight gradient), so the two give the same bits for the same call. (A network's run can still differ
// between CPUs with and without AVX-512: Conv2D picks direct, Winograd or GEMM per shape partly by the build.)
// Tiles hold at most 6 rows (pixels, input channels or Winograd tiles) so that their pointers stay in registers.

// ---------------------------------------------------------------------------------------------
// Forward: one tile of R pixels (input pointers xs[r], window's top-left) × NV vectors of filters.

ALWAYS_INLINE void TILE(forward_tile)(const int R, const int NV, const float *const *xs, const float *w, int ldw,
                                      const float *bias, float *const *ys, const float *const *rs, int C, int KH, int KW,
                                      size_t tapRowStride, size_t tapColStride, int activation, int accumulate) {
    // Here C is the inner loop's length and KW the taps outside it: with dilation 1 along the width a
    // window row's KW·C values are contiguous (channels-last), and the caller passes KW = 1, C = KW·C.
    // accumulate: start from the partial sums in ys (a later chunk of the taps, cnnc_conv_forward_blocked), not the bias.
    // rs: when not NULL, rows of a residual added to the sums before the activation (cnnc_conv_forward's residual).
    // activation: with CNNC_STREAM_OUTPUTS (never with accumulate), the stores are non-temporal and aligned.
    const int stream = activation & CNNC_STREAM_OUTPUTS;
    activation &= CNNC_ACTIVATION_MASK;
    VEC acc[6][MAX_NV];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = accumulate ? VLOAD(ys[r] + LANES * v) : bias ? VLOAD(bias + LANES * v) : VZERO();
    for (int kh = 0; kh < KH; kh++) {
        for (int kw = 0; kw < KW; kw++) {
            const size_t tap = kh * tapRowStride + kw * tapColStride;
            const float *wr = w + (size_t)(kh * KW + kw) * C * ldw;
            const float *x0 = xs[0] + tap, *x1 = R > 1 ? xs[1] + tap : 0, *x2 = R > 2 ? xs[2] + tap : 0;
            const float *x3 = R > 3 ? xs[3] + tap : 0, *x4 = R > 4 ? xs[4] + tap : 0, *x5 = R > 5 ? xs[5] + tap : 0;
            for (int c = 0; c < C; c++) {
                VEC wv[MAX_NV];
                for (int v = 0; v < NV; v++) wv[v] = VLOAD(wr + (size_t)c * ldw + LANES * v);
                const float *xr[6] = {x0, x1, x2, x3, x4, x5};
                for (int r = 0; r < R; r++) {
                    const VEC xv = VSET1(xr[r][c]);
                    for (int v = 0; v < NV; v++) acc[r][v] = VFMA(xv, wv[v], acc[r][v]);
                }
            }
        }
    }
    if (rs)
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NV; v++) acc[r][v] = VADD(acc[r][v], VLOAD(rs[r] + LANES * v));
    if (activation)
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NV; v++) acc[r][v] = VACTIVATE(acc[r][v], activation);
    if (stream)
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NV; v++) VSTREAM(ys[r] + LANES * v, acc[r][v]);
    else
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NV; v++) VSTORE(ys[r] + LANES * v, acc[r][v]);
}

/// The input windows' top-left corners and the outputs (from filter `first`) of the tile of pixels p..< p + R (R ≤ 6,
/// consecutive in row-major order, possibly wrapping to the next row), and the residual's rows when `res` is not NULL
/// (laid out as y); returns R.
ALWAYS_INLINE int TILE(tile_pixels)(int p, int P, int OW, int sh, int sw, const float *xp, int Wp, int C, float *y, int F,
                                    int first, const float **xs, float **ys, const float *res, const float **rs) {
    const int R = P - p < 6 ? P - p : 6;
    for (int r = 0; r < R; r++) {
        const int oh = (p + r) / OW, ow = (p + r) % OW;
        xs[r] = xp + ((size_t)oh * sh * Wp + (size_t)ow * sw) * C;
        ys[r] = y + (size_t)(p + r) * F + first;
        if (res) rs[r] = res + (size_t)(p + r) * F + first;
    }
    return R;
}

/// Filters fb..< fb + NV·LANES of a panel whose weights `wp` are [KH][KW][C][ldw] (ldw filters from panelStart).
ALWAYS_INLINE void TILE(forward_block)(const int NV, int fb, const float *wp, int ldw, int panelStart, const float *xp, int Wp,
                                       int C, const float *bias, const float *res, float *y, int OH, int OW, int F, int KH, int KW,
                                       int sh, int sw, int dh, int dw, int activation) {
    const size_t tapRowStride = (size_t)dh * Wp * C, tapColStride = (size_t)dw * C;
    const int inner = dw == 1 ? KW * C : C, outerKW = dw == 1 ? 1 : KW;
    const int P = OH * OW;
    const float *wf = wp + (fb - panelStart);
    const float *bf = bias ? bias + fb : 0;
    for (int p = 0; p < P; p += 6) {
        const float *xs[6], *rs6[6];
        float *ys[6];
        const int R = TILE(tile_pixels)(p, P, OW, sh, sw, xp, Wp, C, y, F, fb, xs, ys, res, rs6);
        const float *const *rs = res ? rs6 : 0;
        switch (R) {
        case 6: TILE(forward_tile)(6, NV, xs, wf, ldw, bf, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, 0); break;
        case 5: TILE(forward_tile)(5, NV, xs, wf, ldw, bf, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, 0); break;
        case 4: TILE(forward_tile)(4, NV, xs, wf, ldw, bf, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, 0); break;
        case 3: TILE(forward_tile)(3, NV, xs, wf, ldw, bf, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, 0); break;
        case 2: TILE(forward_tile)(2, NV, xs, wf, ldw, bf, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, 0); break;
        default: TILE(forward_tile)(1, NV, xs, wf, ldw, bf, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, 0); break;
        }
    }
}

/// One tile of R pixels × every filter of a panel, in blocks of MAX_NV vectors, then narrower ones.
ALWAYS_INLINE void TILE(forward_panel_tile)(const int R, const float *const *xs, const float *wp, int width, int panel,
                                            const float *bias, float *const *ys, const float *const *rs, int inner, int KH,
                                            int outerKW, size_t tapRowStride, size_t tapColStride, int activation, int accumulate) {
    const int end = panel + width;
    int fb = panel;
    float *y6[6];
    const float *r6[6];
    for (; fb + MAX_NV * LANES <= end; fb += MAX_NV * LANES) {
        for (int r = 0; r < R; r++) y6[r] = ys[r] + fb;
        if (rs) for (int r = 0; r < R; r++) r6[r] = rs[r] + fb;
        TILE(forward_tile)(R, MAX_NV, xs, wp + (fb - panel), width, bias ? bias + fb : 0, y6, rs ? r6 : 0, inner, KH, outerKW,
                           tapRowStride, tapColStride, activation, accumulate);
    }
#if MAX_NV >= 4
    for (; fb + 2 * LANES <= end; fb += 2 * LANES) {
        for (int r = 0; r < R; r++) y6[r] = ys[r] + fb;
        if (rs) for (int r = 0; r < R; r++) r6[r] = rs[r] + fb;
        TILE(forward_tile)(R, 2, xs, wp + (fb - panel), width, bias ? bias + fb : 0, y6, rs ? r6 : 0, inner, KH, outerKW,
                           tapRowStride, tapColStride, activation, accumulate);
    }
#endif
    for (; fb + LANES <= end; fb += LANES) {
        for (int r = 0; r < R; r++) y6[r] = ys[r] + fb;
        if (rs) for (int r = 0; r < R; r++) r6[r] = rs[r] + fb;
        TILE(forward_tile)(R, 1, xs, wp + (fb - panel), width, bias ? bias + fb : 0, y6, rs ? r6 : 0, inner, KH, outerKW,
                           tapRowStride, tapColStride, activation, accumulate);
    }
}

/// forward_panel_tile for a tile of R pixels (R ≤ 6, known only at run time), through a copy unrolled for each R.
ALWAYS_INLINE void TILE(forward_panel_tile_any)(const int R, const float *const *xs, const float *wp, int width, int panel,
                                                const float *bias, float *const *ys, const float *const *rs, int inner, int KH,
                                                int outerKW, size_t tapRowStride, size_t tapColStride, int activation,
                                                int accumulate) {
    switch (R) {
    case 6: TILE(forward_panel_tile)(6, xs, wp, width, panel, bias, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, accumulate); break;
    case 5: TILE(forward_panel_tile)(5, xs, wp, width, panel, bias, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, accumulate); break;
    case 4: TILE(forward_panel_tile)(4, xs, wp, width, panel, bias, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, accumulate); break;
    case 3: TILE(forward_panel_tile)(3, xs, wp, width, panel, bias, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, accumulate); break;
    case 2: TILE(forward_panel_tile)(2, xs, wp, width, panel, bias, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, accumulate); break;
    default: TILE(forward_panel_tile)(1, xs, wp, width, panel, bias, ys, rs, inner, KH, outerKW, tapRowStride, tapColStride, activation, accumulate); break;
    }
}

/// The panels of filters first..< last (from a panel's start to the end of one) for each tile of pixels in turn: each
/// tile's inputs are read once for all those filters and their outputs are written a run of whole rows at a time.
/// One panel of few weights (CNNC_PIXELS_OUTER_BYTES, within the L2 cache), where the filter-block order would read the
/// image once per block; or every panel, for a 1×1 conv over more pixels than the L2 cache holds with their outputs,
/// where a sweep per panel read the image from the L3 cache again for every panel and wrote each output row in pieces
/// (Benchmarks/NOTES.md, change 35).
static void TILE(forward_by_pixels)(const float *w, int first, int last, const float *xp, int Wp, int C, const float *bias,
                                    const float *res, float *y, int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh,
                                    int dw, int activation) {
    const size_t tapRowStride = (size_t)dh * Wp * C, tapColStride = (size_t)dw * C;
    const int inner = dw == 1 ? KW * C : C, outerKW = dw == 1 ? 1 : KW;
    const int P = OH * OW;
    for (int p = 0; p < P; p += 6) {
        const float *xs[6];
        float *ys[6];
        const float *rs[6];
        const int R = TILE(tile_pixels)(p, P, OW, sh, sw, xp, Wp, C, y, F, 0, xs, ys, res, rs);
        for (int panel = first; panel < last; panel += CNNC_PANEL) {
            const int width = last - panel < CNNC_PANEL ? last - panel : CNNC_PANEL;
            TILE(forward_panel_tile_any)(R, xs, w + (size_t)panel * KH * KW * C, width, panel, bias, ys, res ? rs : 0, inner, KH,
                                         outerKW, tapRowStride, tapColStride, activation, 0);
        }
    }
}

/// cnnc_conv_forward's panel by panel order.
static void TILE(forward_panels)(const float *xp, int Wp, int C, const float *w, const float *bias, const float *residual, float *y,
                                 int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation) {
    for (int panel = 0; panel < F; panel += CNNC_PANEL) {
        const int width = F - panel < CNNC_PANEL ? F - panel : CNNC_PANEL, end = panel + width;
        const float *wp = w + (size_t)panel * KH * KW * C;
        if ((size_t)KH * KW * C * width * sizeof(float) <= CNNC_PIXELS_OUTER_BYTES) {
            TILE(forward_by_pixels)(w, panel, end, xp, Wp, C, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation);
            continue;
        }
        int fb = panel;
#if MAX_NV >= 4
        for (; fb + 4 * LANES <= end; fb += 4 * LANES)
            TILE(forward_block)(4, fb, wp, width, panel, xp, Wp, C, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation);
#endif
        for (; fb + 2 * LANES <= end; fb += 2 * LANES)
            TILE(forward_block)(2, fb, wp, width, panel, xp, Wp, C, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation);
        for (; fb + LANES <= end; fb += LANES)
            TILE(forward_block)(1, fb, wp, width, panel, xp, Wp, C, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation);
    }
}

/// The forward pass for every filter (F a multiple of LANES), one panel of CNNC_PANEL filters at a time (w is in
/// panel layout, direct_conv.h), each in blocks of MAX_NV vectors, then narrower ones; a panel of at most
/// CNNC_PIXELS_OUTER_BYTES of weights (a 1×1 conv of up to 256 channels) takes all its filters for each tile of pixels.
/// A 1×1 conv of at most CNNC_TILES_OUTER_BYTES of weights whose inputs and outputs together are more than that takes
/// every panel for each tile of pixels (forward_by_pixels). Every order gives each output the same FMAs: the same bits.
/// residual: NULL, or a tensor laid out as y that is added to each output before its activation.
/// activation: with CNNC_STREAM_OUTPUTS, streaming stores (direct_conv.h).
void TILE(cnnc_conv_forward)(const float *xp, int Wp, int C, const float *w, const float *bias, const float *residual, float *y,
                             int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation) {
    // Streaming stores need every vector's address aligned: y on 64 bytes and F a multiple of LANES (F's rows).
    if (((uintptr_t)y & 63) || F % LANES) activation &= CNNC_ACTIVATION_MASK;
    if (KH * KW == 1 && (size_t)C * F * sizeof(float) <= CNNC_TILES_OUTER_BYTES
        && (size_t)OH * OW * (C + F) * sizeof(float) > CNNC_TILES_OUTER_BYTES) {
        TILE(forward_by_pixels)(w, 0, F, xp, Wp, C, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation);
    } else {
        TILE(forward_panels)(xp, Wp, C, w, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation);
    }
    // Streaming stores are weakly ordered: fence them before the pool's release makes the outputs another thread's.
    if (activation & CNNC_STREAM_OUTPUTS) _mm_sfence();
}

/// Filters first..< last (whole blocks) for few pixels and many weights (batch-1 inference of a 512 → 512 3×3 conv at
/// 7×7): w is in block layout (cnnc_conv_blocked_width), so a block's taps are one contiguous stream, and they go
/// through in chunks of about CNNC_CHUNK_BYTES, each read from the L2 cache by every tile of pixels in turn, the
/// partial sums kept in y between chunks. A chunk is whole window rows (KH taps of `inner` values) when they fit, else
/// part of one. Each output gets the same FMAs in the same order as in cnnc_conv_forward: the same bits.
void TILE(cnnc_conv_forward_blocked)(const float *xp, int Wp, int C, const float *w, const float *bias, float *y, int OH, int OW,
                                     int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation, int first, int last) {
    const size_t tapRowStride = (size_t)dh * Wp * C, tapColStride = (size_t)dw * C;
    const int inner = dw == 1 ? KW * C : C, outerKW = dw == 1 ? 1 : KW;
    const int P = OH * OW, B = MAX_NV * LANES, tiles = (P + 5) / 6;
    const size_t taps = (size_t)KH * KW * C;
    for (int block = first; block < last; block += B) {
        const int width = F - block < B ? F - block : B;
        const float *wb = w + (size_t)block * taps;
        const int rows = CNNC_CHUNK_BYTES / (width * (int)sizeof(float));
        // With dilation 1 along the width, a chunk may take several window rows (kh) at once.
        const int rowsPerChunk = outerKW == 1 && inner <= rows ? (rows / inner < KH ? rows / inner : KH) : 1;
        for (int kh = 0; kh < KH; kh += rowsPerChunk) {
            const int nkh = KH - kh < rowsPerChunk ? KH - kh : rowsPerChunk;
            for (int kw = 0; kw < outerKW; kw++) {
                for (int c = 0; c < inner; c += rows) {
                    const int length = nkh > 1 || inner - c < rows ? inner - c : rows;
                    const int accumulate = kh > 0 || kw > 0 || c > 0;
                    const int finished = kh + nkh == KH && kw == outerKW - 1 && c + length == inner;
                    const float *xc = xp + kh * tapRowStride + kw * tapColStride + c;
                    const float *wc = wb + ((size_t)(kh * outerKW + kw) * inner + c) * width;
                    const float *bc = accumulate || !bias ? 0 : bias;
                    const int act = finished ? activation : 0;
                    // Tiles of balanced sizes (49 pixels: 6, 6, 6, 6, 5, 5, 5, 5, 5, not eight of 6 and one of 1).
                    for (int t = 0, p = 0; t < tiles; t++) {
                        const float *xs[6];
                        float *ys[6];
                        const int R = TILE(tile_pixels)(p, p + (t < P % tiles ? P / tiles + 1 : P / tiles), OW, sh, sw, xc, Wp,
                                                        C, y, F, 0, xs, ys, 0, 0);
                        p += R;
                        TILE(forward_panel_tile_any)(R, xs, wc, width, block, bc, ys, 0, length, nkh, 1, tapRowStride, 0, act, accumulate);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Weight gradient: for each tap (kh, kw), a tile of CB input channels × NV vectors of filters accumulates
// x ⊗ dy over every output pixel, then adds into dw once.

ALWAYS_INLINE void TILE(weight_tile)(const int CB, const int NV, const float *xp, const float *dy, int OH, int OW, int F,
                                     size_t rowStep, size_t colStep, float *dwt) {
    VEC acc[6][MAX_NV];
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++) acc[c][v] = VZERO();
    for (int oh = 0; oh < OH; oh++) {
        const float *xr = xp + oh * rowStep;
        const float *dr = dy + (size_t)oh * OW * F;
        for (int ow = 0; ow < OW; ow++) {
            VEC d[MAX_NV];
            for (int v = 0; v < NV; v++) d[v] = VLOAD(dr + (size_t)ow * F + LANES * v);
            const float *xc = xr + ow * colStep;
            for (int c = 0; c < CB; c++) {
                const VEC xv = VSET1(xc[c]);
                for (int v = 0; v < NV; v++) acc[c][v] = VFMA(xv, d[v], acc[c][v]);
            }
        }
    }
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++) {
            float *out = dwt + (size_t)c * F + LANES * v;
            VSTORE(out, VADD(VLOAD(out), acc[c][v]));
        }
}

ALWAYS_INLINE void TILE(weight_taps)(const int NV, int fb, const float *xp, int Wp, int C, const float *dy, int OH, int OW,
                                     int F, int KH, int KW, int sh, int sw, int dh, int dw, float *dwt) {
    const size_t rowStep = (size_t)sh * Wp * C, colStep = (size_t)sw * C;
    // With dilation 1 along the width, a window row's KW·C values are contiguous: one run of taps.
    const int inner = dw == 1 ? KW * C : C, outerKW = dw == 1 ? 1 : KW;
    for (int kh = 0; kh < KH; kh++) {
        for (int kw = 0; kw < outerKW; kw++) {
            const float *xt = xp + ((size_t)kh * dh * Wp + (size_t)kw * dw) * C;
            float *dt = dwt + (size_t)(kh * outerKW + kw) * inner * F + fb;
            int c = 0;
            for (; c + 6 <= inner; c += 6) TILE(weight_tile)(6, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F);
            switch (inner - c) {
            case 5: TILE(weight_tile)(5, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 4: TILE(weight_tile)(4, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 3: TILE(weight_tile)(3, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 2: TILE(weight_tile)(2, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 1: TILE(weight_tile)(1, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            default: break;
            }
        }
    }
}

/// dw += x ⊗ dy for every filter (F a multiple of LANES); the bias gradient is the caller's.
void TILE(cnnc_conv_weight_gradient)(const float *xp, int Wp, int C, const float *dy, int OH, int OW, int F,
                                     int KH, int KW, int sh, int sw, int dh, int dw, float *dwt) {
    int fb = 0;
#if MAX_NV >= 4
    for (; fb + 4 * LANES <= F; fb += 4 * LANES) TILE(weight_taps)(4, fb, xp, Wp, C, dy, OH, OW, F, KH, KW, sh, sw, dh, dw, dwt);
#endif
    for (; fb + 2 * LANES <= F; fb += 2 * LANES) TILE(weight_taps)(2, fb, xp, Wp, C, dy, OH, OW, F, KH, KW, sh, sw, dh, dw, dwt);
    for (; fb + LANES <= F; fb += LANES) TILE(weight_taps)(1, fb, xp, Wp, C, dy, OH, OW, F, KH, KW, sh, sw, dh, dw, dwt);
}

// ---------------------------------------------------------------------------------------------
// Winograd's sixteen small GEMMs: a tile of R transformed input tiles × NV vectors of filters, over C.

ALWAYS_INLINE void TILE(gemm_tile)(const int R, const int NV, const float *v, int C, const float *u, int F, float *m) {
    VEC acc[6][MAX_NV];
    for (int r = 0; r < R; r++)
        for (int n = 0; n < NV; n++) acc[r][n] = VZERO();
    for (int c = 0; c < C; c++) {
        VEC uv[MAX_NV];
        for (int n = 0; n < NV; n++) uv[n] = VLOAD(u + (size_t)c * F + LANES * n);
        for (int r = 0; r < R; r++) {
            const VEC x = VSET1(v[(size_t)r * C + c]);
            for (int n = 0; n < NV; n++) acc[r][n] = VFMA(x, uv[n], acc[r][n]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int n = 0; n < NV; n++) VSTORE(m + (size_t)r * F + LANES * n, acc[r][n]);
}

ALWAYS_INLINE void TILE(gemm_plane)(const int R, const float *v, int C, const float *u, int F, float *m) {
    int f = 0;
#if MAX_NV >= 4
    for (; f + 4 * LANES <= F; f += 4 * LANES) TILE(gemm_tile)(R, 4, v, C, u + f, F, m + f);
#endif
    for (; f + 2 * LANES <= F; f += 2 * LANES) TILE(gemm_tile)(R, 2, v, C, u + f, F, m + f);
    for (; f + LANES <= F; f += LANES) TILE(gemm_tile)(R, 1, v, C, u + f, F, m + f);
}

/// M[k] = V[k]·U[k] for the 16 transformed positions k: [T × C]·[C × F] each, in tiles of up to 6 rows (F a multiple of
/// LANES). Each position's filters U[k] are read once for all T rows (cnnc_winograd_forward's groups of tiles).
void TILE(cnnc_winograd_gemm)(int T, const float *V, size_t vPlane, int C, const float *u, int F, float *M, size_t mPlane) {
    const size_t uPlane = (size_t)C * F;
    for (int k = 0; k < 16; k++) {
        const float *uk = u + k * uPlane;
        for (int r0 = 0; r0 < T; r0 += 6) {
            const float *v = V + k * vPlane + (size_t)r0 * C;
            float *m = M + k * mPlane + (size_t)r0 * F;
            switch (T - r0 < 6 ? T - r0 : 6) {
            case 6: TILE(gemm_plane)(6, v, C, uk, F, m); break;
            case 5: TILE(gemm_plane)(5, v, C, uk, F, m); break;
            case 4: TILE(gemm_plane)(4, v, C, uk, F, m); break;
            case 3: TILE(gemm_plane)(3, v, C, uk, F, m); break;
            case 2: TILE(gemm_plane)(2, v, C, uk, F, m); break;
            default: TILE(gemm_plane)(1, v, C, uk, F, m); break;
            }
        }
    }
}
