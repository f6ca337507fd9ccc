// The depthwise forward kernel's 3×3 tiles (dilation 1, stride 1 or 2), written once for a vector type and included by
// depthwise_conv.c (AVX2: 8 channels a vector, tiles of 4 pixels) and depthwise_conv_avx512.c (AVX-512: 16 channels,
// tiles of 8). The includer defines VEC, LANES, PIXELS (the widest tile), VLOAD, VSTORE, VFMA, VSET1, VACTIVATE and
// TILE(name), as for vector_tiles.h.
//
// One vector of channels at a time, its 9 weights in registers for a whole row of outputs; a tile's input pixels are
// each loaded once and feed every output whose window holds them (stride 1: R + 2 loads a window row for 3R FMAs),
// where the general kernel (depthwise_conv.c, forward_tile) loads every tap's input and weights again. Each output
// still adds the bias, then its taps in the order kh, kw, one FMA each: the same bits as the general kernel.

/// Outputs ow..< ow + R of one output row, channels c..< c + LANES, from the window rows kh in [khLo, khHi) (those inside
/// the image): x points at input row ih0 + khLo (ih0 = the windows' top row), column iw0 (the first output's window's
/// left column), channel c.
ALWAYS_INLINE void TILE(depthwise3x3_tile)(const int R, const int S, const float *x, size_t row, size_t C, const VEC *w,
                                           VEC b, int khLo, int khHi, float *y, int relu) {
    VEC acc[PIXELS];
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) acc[r] = b;
    _Pragma("clang loop unroll(full)") for (int kh = 0; kh < 3; kh++) {
        if (kh < khLo || kh >= khHi) continue;
        const float *xr = x + (size_t)(kh - khLo) * row;
        _Pragma("clang loop unroll(full)") for (int p = 0; p < (R - 1) * S + 3; p++) {
            const VEC v = VLOAD(xr + (size_t)p * C);
            // Output r reads column p at tap kw = p − r·S; kw rises with p, so each output takes its taps in order.
            _Pragma("clang loop unroll(full)") for (int kw = 0; kw < 3; kw++) {
                const int q = p - kw;
                if (q >= 0 && q % S == 0 && q / S < R) acc[q / S] = VFMA(v, w[kh * 3 + kw], acc[q / S]);
            }
        }
    }
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) VSTORE(y + (size_t)r * C, VACTIVATE(acc[r], relu));
}

/// One output whose window is clipped to the image in width: taps kw in [kwLo, kwHi) (and kh in [khLo, khHi)); x points at
/// input row ih0 + khLo, column iw0 (the window's left column, maybe outside the image: only the taps inside are read),
/// channel c.
ALWAYS_INLINE void TILE(depthwise3x3_edge)(const float *x, int iw0, size_t row, size_t C, const VEC *w, VEC b, int khLo,
                                           int khHi, int kwLo, int kwHi, float *y, int relu) {
    VEC acc = b;
    _Pragma("clang loop unroll(full)") for (int kh = 0; kh < 3; kh++) {
        if (kh < khLo || kh >= khHi) continue;
        _Pragma("clang loop unroll(full)") for (int kw = 0; kw < 3; kw++) {
            if (kw < kwLo || kw >= kwHi) continue;
            acc = VFMA(VLOAD(x + (size_t)(kh - khLo) * row + (ptrdiff_t)(iw0 + kw) * (ptrdiff_t)C), w[kh * 3 + kw], acc);
        }
    }
    VSTORE(y, VACTIVATE(acc, relu));
}

/// One output row, every channel (C a multiple of LANES): x points at input row ih0 + khLo (the first window row inside
/// the image), column 0; y at the output row's column 0; w at the 3×3 weights' first tap ([3][3][C]). Columns [lo, hi)
/// have their windows inside the image in width and take the tiles; the others, clipped, one output at a time.
ALWAYS_INLINE void TILE(depthwise3x3_row_stride)(const int S, const float *x, size_t row, int W, int C, int OW, int pl,
                                                 const float *w, const float *bias, int khLo, int khHi, float *y,
                                                 int lo, int hi, int relu) {
    for (int c = 0; c < C; c += LANES) {
        VEC wv[9];
        for (int t = 0; t < 9; t++) wv[t] = VLOAD(w + (size_t)t * C + c);
        const VEC b = bias ? VLOAD(bias + c) : VSET1(0.0f);
        const float *xc = x + c;
        float *yc = y + c;
        for (int o = 0; o < OW; o++) {
            if (o == lo) o = hi > lo ? hi : lo;  // the tiles' columns, below
            if (o >= OW) break;
            const int iw0 = o * S - pl;
            const int kwLo = iw0 >= 0 ? 0 : -iw0, kwHi = W - iw0 < 3 ? W - iw0 : 3;
            TILE(depthwise3x3_edge)(xc, iw0, row, C, wv, b, khLo, khHi, kwLo, kwHi > kwLo ? kwHi : kwLo, yc + (size_t)o * C, relu);
        }
        int ow = lo;
        for (; ow + PIXELS <= hi; ow += PIXELS)
            TILE(depthwise3x3_tile)(PIXELS, S, xc + (ptrdiff_t)(ow * S - pl) * C, row, C, wv, b, khLo, khHi, yc + (size_t)ow * C, relu);
        if (PIXELS > 4 && ow + 4 <= hi) {
            TILE(depthwise3x3_tile)(4, S, xc + (ptrdiff_t)(ow * S - pl) * C, row, C, wv, b, khLo, khHi, yc + (size_t)ow * C, relu);
            ow += 4;
        }
        if (ow + 2 <= hi) {
            TILE(depthwise3x3_tile)(2, S, xc + (ptrdiff_t)(ow * S - pl) * C, row, C, wv, b, khLo, khHi, yc + (size_t)ow * C, relu);
            ow += 2;
        }
        if (ow < hi)
            TILE(depthwise3x3_tile)(1, S, xc + (ptrdiff_t)(ow * S - pl) * C, row, C, wv, b, khLo, khHi, yc + (size_t)ow * C, relu);
    }
}

void TILE(cnnc_depthwise3x3_row)(const float *x, size_t row, int W, int C, int OW, int stride, int pl, const float *w,
                                 const float *bias, int khLo, int khHi, float *y, int lo, int hi, int relu) {
    if (stride == 1) TILE(depthwise3x3_row_stride)(1, x, row, W, C, OW, pl, w, bias, khLo, khHi, y, lo, hi, relu);
    else TILE(depthwise3x3_row_stride)(2, x, row, W, C, OW, pl, w, bias, khLo, khHi, y, lo, hi, relu);
}
