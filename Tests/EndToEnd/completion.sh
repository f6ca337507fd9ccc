#!/usr/bin/env bash
# Shell completion as the README installs it (`cnnc --generate-completion-script bash`), driven the way bash drives
# it: subcommands, spec paths (.yaml only), data folders after --data, checkpoints after --weights, option names.
source "$(dirname "$0")/common.bash"
$CNNC --generate-completion-script bash > "$WORK/cnnc.bash"
mkdir -p "$WORK/tree/specs" "$WORK/tree/data/mnist" "$WORK/tree/runs/r1"
touch "$WORK/tree/specs/net.yaml" "$WORK/tree/specs/notes.txt" "$WORK/tree/runs/r1/best.safetensors" "$WORK/tree/runs/r1/metrics.csv"

completions() { # completions WORD...: what bash offers for the last word, one per line, sorted
    (cd "$WORK/tree" && bash -c 'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="${COMP_WORDS[*]}"
        COMP_POINT=${#COMP_LINE}; _cnnc cnnc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"; printf "%s\n" "${COMPREPLY[@]}"' \
        "$WORK/cnnc.bash" "$@" | sort)
}
check "subcommands complete: 'cnnc di' gives diff" test "$(completions cnnc di)" = diff
check "subcommands: 'cnnc ch' gives check" test "$(completions cnnc ch)" = check
check "spec paths complete with .yaml files only (and folders)" test "$(completions cnnc check specs/)" = specs/net.yaml
check "train's spec argument completes the same" test "$(completions cnnc train specs/n)" = specs/net.yaml
check "--data completes folders" test "$(completions cnnc train specs/net.yaml --data da)" = data
check "--weights completes checkpoints" test "$(completions cnnc eval specs/net.yaml --weights runs/r1/)" = runs/r1/best.safetensors
check "option names complete: 'cnnc check specs/net.yaml --si' gives --sizes" test "$(completions cnnc check specs/net.yaml --si)" = --sizes
finish "completion"
