#!/usr/bin/env bash
# specs/fashion-best.yaml, shortened: the full run (30 epochs on Fashion-MNIST, seed 1; README, "Fashion-MNIST in 30
# minutes") is too long for CI, so CI trains its first epoch only. With --epochs 1 the cosine schedule's first epoch
# runs at the base rate, as the full run's does, so the result is the full run's epoch 1: 83.90% on this machine (2
# threads; the same on AVX2 and AVX-512, whose kernels give the same bits for this network). Rounding alone moves it by
# points (the binary before batchnorm ran its relu inside gave 88.12% for the recipe without erasing, 86.03% after; one
# epoch of a network at learning rate 0.05 is far from settled), so the bound, 80%, only says the recipe learns. The
# full figure is checked by hand. Needs Debian's dataset-fashion-mnist. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
$CNNC train specs/fashion-best.yaml --epochs 1 --seed 1 --out "$WORK/best" | tail -n 2
first=$(tail -n 1 "$WORK/best/metrics.csv" | cut -d, -f7)
echo "fashion-best, the full run's first epoch: test accuracy $first"
check "fashion-best's first epoch reaches 80% on the Fashion-MNIST test set" at_least "${first:-0}" 0.80
finish
