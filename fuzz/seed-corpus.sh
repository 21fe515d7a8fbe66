#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the test fixtures, then runs every target for the
# given number of seconds (default 600). Installs cargo-fuzz if missing. The toolchain
# here is stable: RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags, and no sanitizer is
# used (libFuzzer still finds panics, hangs and runaway memory).
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
fx=../tests/fixtures
mkdir -p corpus/{text,html,docx,pdf,json,normalize}
cp "$fx"/*.txt "$fx"/huaian-2024/*.txt "$fx"/inputs/*.txt "$fx"/inputs/*.md corpus/text/
cp "$fx"/*.txt "$fx"/huaian-2024/*.txt "$fx"/inputs/form2019.txt corpus/normalize/
cp "$fx"/inputs/*.html "$fx"/inputs/*.md corpus/html/
cp "$fx"/docx/*.docx "$fx"/inputs/*.docx seeds/docx/*.docx corpus/docx/
cp "$fx"/huaian-2024/report.pdf "$fx"/inputs/*.pdf corpus/pdf/
cp "$fx"/expected/*.json "$fx"/inputs/*.json corpus/json/
for target in text html docx pdf json normalize; do
    echo "fuzz $target: ${secs} s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none "$target" "corpus/$target" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -max_len=1048576 -timeout=20 2>&1 | tail -n 2
done
