#!/usr/bin/env bash
# `cnnc report` on a real run: a self-contained HTML page (nothing fetched) that headless Chromium (Debian's chromium)
# opens and renders: the DOM it builds has the summary, both curves panels, the confusion matrix with 10 rows, the
# grid of the most confidently wrong test images (each an inline BMP with its caption), the layer table, the graph and
# the spec; and a screenshot of it is written (REPORT_SCREENSHOT=path keeps it for a person to look at).
source "$(dirname "$0")/common.bash"
CHROMIUM=$(command -v chromium || command -v chromium-browser) || { echo "FAIL chromium is not installed (apt-get install chromium)"; exit 1; }

$CNNC train specs/deepconv.yaml --epochs 2 --seed 1 --set train.validation=0.1 --out "$WORK/run" > "$WORK/train.log"
$CNNC report "$WORK/run" --mistakes 12 > "$WORK/report.log"
cat "$WORK/report.log"
html="$WORK/run/report.html"
check "report.html is written in the run folder" test -s "$html"
check "it loads nothing: no http(s) URL, no src or href to a file" \
    bash -c "! grep -qE '(src|href)=\"(https?:|file:|/|\\.)' '$html'"

# Chromium renders the page and dumps the DOM after layout; a script-free page's images report their natural size.
chrome() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files "$@" 2> /dev/null; }
chrome --dump-dom "file://$html" > "$WORK/dom.html"
count() { python3 -c "import re, sys; print(len(re.findall(sys.argv[2], open(sys.argv[1]).read())))" "$WORK/dom.html" "$1"; }
check "Chromium renders the page (its DOM has the title and every section)" \
    bash -c "grep -q '<h1>deepconv</h1>' '$WORK/dom.html' && for s in Summary Curves 'Confusion matrix' 'Most confidently wrong' Layers Graph Spec; do grep -q \"<h2>\$s</h2>\" '$WORK/dom.html' || exit 1; done"
check "the curves are inline SVG with the loss and accuracy panels and the validation curve" \
    bash -c "[ $(count '<svg') -ge 2 ] && grep -q '>accuracy</text>' '$WORK/dom.html' && grep -q '>validation</text>' '$WORK/dom.html'"
check "the confusion matrix has 10 rows of classes" test "$(count '<tr><th class="l">[0-9]')" -eq 10
check "12 most confidently wrong test images, each an inline image with its caption" \
    bash -c "[ $(count 'data:image/bmp;base64,') -eq 12 ] && [ $(count 'predicted [0-9] \([0-9.]+%\)') -eq 12 ]"
check "the layer table lists the 20 layers" test "$(count '<tr><td>[0-9]+</td>')" -eq 20
check "the graph is inline SVG from Graphviz" grep -q 'class="graph"' "$WORK/dom.html"

# A screenshot of the whole page, looked at by a person when REPORT_SCREENSHOT is set.
shot=${REPORT_SCREENSHOT:-$WORK/report.png}
chrome --window-size=1200,3200 --screenshot="$shot" "file://$html" > /dev/null
check "Chromium's screenshot of the page is a PNG of 1200 × 3200" \
    python3 -c "import struct, sys; d = open(sys.argv[1], 'rb').read(24); sys.exit(0 if d[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', d[16:24]) == (1200, 3200) else 1)" "$shot"
check "report --weights last and -o work; a folder that is not a run is a clear error" \
    bash -c "$CNNC report '$WORK/run' --weights last -o '$WORK/last.html' > /dev/null && test -s '$WORK/last.html' \
             && ! $CNNC report '$WORK' 2> '$WORK/bad.err' && grep -q 'error' '$WORK/bad.err'"
finish "report"
