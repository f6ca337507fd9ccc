#!/usr/bin/env bash
# The training progress line in a real terminal (tmux) 60 and 80 columns wide: it is redrawn in place and never
# wraps (a wrapped line leaves a new row behind at every redraw), it shows "evaluating" during each epoch's
# evaluation and the whole run's time left, and nothing of it is left on screen after the run. Needs tmux.
source "$(dirname "$0")/common.bash"
command -v tmux > /dev/null || { echo "FAIL tmux is not installed (apt-get install tmux)"; exit 1; }

for columns in 60 80; do
    session="cnnc-progress-$$-$columns"
    tmux new-session -d -s "$session" -x "$columns" -y 50 \
        "$CNNC train specs/deepconv.yaml --epochs 3 --seed 1 --out '$WORK/run$columns'; echo cnnc-exit=\$?; sleep 600"
    : > "$WORK/live$columns.txt"
    for _ in $(seq 1 600); do
        sleep 0.1
        # -J joins rows a wrapped line was split over: the live line is the last non-empty joined line.
        screen=$(tmux capture-pane -p -J -t "$session")
        printf '%s\n' "$screen" | grep -v '^$' | tail -n 1 >> "$WORK/live$columns.txt"
        grep -q '^cnnc-exit=' <<< "$screen" && break
    done
    tmux capture-pane -p -J -t "$session" > "$WORK/screen$columns.txt"
    tmux capture-pane -p -t "$session" > "$WORK/rows$columns.txt"
    tmux kill-session -t "$session"
    progress_lines() { grep -E '^epoch [0-9]+/3 ' "$WORK/live$columns.txt" | sort -u; }
    echo "  $columns columns, some of the live lines seen:"; progress_lines | head -n 4 | sed 's/^/    /'

    check "$columns columns: the run finished" grep -q '^cnnc-exit=0' "$WORK/screen$columns.txt"
    check "$columns columns: the live line was seen during training" test "$(progress_lines | grep -c '/50')" -ge 3
    fits() { # in characters, not bytes (the bar's blocks are 3 bytes each)
        python3 -c "import re, sys; sys.exit(max(len(l.rstrip('\n')) for l in open(sys.argv[1], encoding='utf-8') if re.match(r'epoch \d+/3 ', l)) > $((columns - 1)))" \
            "$WORK/live$columns.txt"
    }
    check "$columns columns: every live line fits in $((columns - 1)) characters (no wrap)" fits
    check "$columns columns: 'evaluating' shows during an epoch's evaluation" grep -q 'evaluating' "$WORK/live$columns.txt"
    check "$columns columns: the whole run's time left shows ('run M:SS')" grep -qE '  run [0-9]+:[0-9]{2}' "$WORK/live$columns.txt"
    check "$columns columns: a bar is drawn" grep -q '█' "$WORK/live$columns.txt"
    check "$columns columns: no progress line is left on screen after the run (nothing flooded)" \
        bash -c "! grep -qE '^epoch [0-9]+/3 ' '$WORK/screen$columns.txt'"
    check "$columns columns: the screen holds the 3 epoch lines once each" \
        test "$(grep -cE '^epoch [0-9]+: train loss' "$WORK/screen$columns.txt")" -eq 3
done
finish "progress"
