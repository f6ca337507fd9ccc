// cnnc's C kernels (AVX2 + FMA): the hot loops of the conv and pooling layers.
#include "direct_conv.h"
#include "max_pool.h"
#include "winograd.h"
#include "batch_norm.h"
#include "depthwise_conv.h"
#include "worker_pool.h"
#include "filter_layout.h"
