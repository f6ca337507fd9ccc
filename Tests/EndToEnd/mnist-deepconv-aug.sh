#!/usr/bin/env bash
# End to end: DeepConvNet with shift/rotation augmentation and a cosine schedule (specs/deepconv-aug.yaml,
# 80 epochs, about 6 minutes on 2 cores) must reach 98.8% on the 10,000 MNIST test digits
# from the 5,000 training digits. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
$CNNC train specs/deepconv-aug.yaml --data "$DATA" --seed 1 --out "$WORK/aug" | tail -n 3
final=$(tail -n 1 "$WORK/aug/metrics.csv" | cut -d, -f7)
echo "deepconv-aug final test accuracy: $final"
check "deepconv-aug reaches 98.8% on the MNIST test set" at_least "$final" 0.988
finish
