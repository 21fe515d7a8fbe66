#!/usr/bin/env bash
# Times nianbao against what users run today to make a print-ready PDF of a report:
# LibreOffice (`soffice --headless --convert-to pdf`) and pandoc → typst, on the same report.
#
#   scripts/compare.sh [REPORT.txt] [ROUNDS] [BATCH]
#
# REPORT defaults to the Huaian 2024 report (pdftotext -layout), ROUNDS to 10, BATCH (copies of
# the report converted in one batch run) to 1000; BATCH=0 skips the batch. nianbao makes the
# report's DOCX, which LibreOffice and pandoc then turn into PDF; the tools run in turns, one
# round after another, so a slow moment of the machine hits them all alike. Prints the median
# wall time of each, the ratios, the PDF sizes and the peak memory (of the process and the
# children it waited for).
#
# Installs what is missing: libreoffice-writer (Debian), pandoc with a typst writer (Debian's
# if new enough, else PyPI's pypandoc_binary), and PyPI's typst. Builds nianbao in release.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
report=${1:-$root/tests/fixtures/huaian-2024/layout.txt}
rounds=${2:-10}
batch=${3:-1000}

say() { printf '%s\n' "$*" >&2; }

if ! command -v soffice >/dev/null; then
    say "installing libreoffice-writer"
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer; } >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
    say "installing GNU time"
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends time; } >/dev/null
fi
if ! python3 -c 'import typst' 2>/dev/null; then
    say "installing typst (PyPI)"
    python3 -m pip install --quiet typst
fi
pandoc=""
if command -v pandoc >/dev/null && pandoc --list-output-formats | grep -qx typst; then
    pandoc=$(command -v pandoc)
else
    if ! python3 -c 'import pypandoc' 2>/dev/null; then
        say "installing pandoc with a typst writer (PyPI pypandoc_binary)"
        python3 -m pip install --quiet pypandoc_binary
    fi
    pandoc=$(python3 -c 'import pypandoc; print(pypandoc.get_pandoc_path())')
fi

say "building nianbao (release)"
(cd "$root" && cargo build --release --quiet)
nianbao=$root/target/release/nianbao

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$report" "$work/report.txt"
"$nianbao" convert "$work/report.txt" --to docx -o "$work/report.docx" --force >/dev/null 2>&1 || true
[ -s "$work/report.docx" ] || { say "nianbao could not make the DOCX"; exit 1; }

export REPORT=$report NIANBAO_ROOT=$root NIANBAO_BIN=$nianbao PANDOC=$pandoc WORK=$work ROUNDS=$rounds BATCH=$batch
python3 - <<'PY'
import os, shutil, statistics, subprocess, sys, tempfile, time, platform

root, nb, pandoc, work = (os.environ[k] for k in ("NIANBAO_ROOT", "NIANBAO_BIN", "PANDOC", "WORK"))
rounds, batch = int(os.environ["ROUNDS"]), int(os.environ["BATCH"])
fonts = os.path.join(root, "fonts")
lo_profile = "file://" + os.path.join(work, "lo-profile")

def run(argv, cwd=work):
    """Wall seconds of one command."""
    # Standard error goes to a file: a batch logs a line a file, more than a pipe holds.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        code = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err).returncode
        wall = time.perf_counter() - start
        if code not in (0, 1):  # nianbao's 1: the report has findings, the PDF is written
            err.seek(0)
            sys.exit(f"{argv[0]} failed ({code}): {err.read().decode(errors='replace').strip()[:400]}")
    return wall

def peak(argv, cwd=work):
    """Peak memory (MB) of one command and the children it waited for, by GNU time: the
    rusage a Python parent reads counts its own pages in a child before exec."""
    with tempfile.NamedTemporaryFile() as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + argv, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(open(out.name).read().split()[-1]) / 1024

typ = os.path.join(work, "pandoc.typ")
tools = {
    "nianbao txt → PDF": ([nb, "convert", "report.txt", "--to", "pdf", "-o", "nianbao.pdf", "--force"], "nianbao.pdf"),
    "nianbao txt → PDF+DOCX+JSON": ([nb, "convert", "report.txt", "--to", "pdf,docx,json", "-o", "all/", "--force"], "all/report.pdf"),
    "LibreOffice DOCX → PDF": (["soffice", f"-env:UserInstallation={lo_profile}", "--headless", "--convert-to", "pdf", "--outdir", "lo", "report.docx"], "lo/report.pdf"),
    "pandoc → typst DOCX → PDF": (["sh", "-c", f"'{pandoc}' report.docx -t typst -o '{typ}' && python3 -c \"import typst; typst.compile('{typ}', output='typst.pdf', font_paths=['{fonts}'])\""], "typst.pdf"),
}
# One warm-up round (LibreOffice makes its profile, the page cache fills).
for argv, _ in tools.values():
    run(argv)
times = {name: [] for name in tools}
for _ in range(rounds):
    for name, (argv, _) in tools.items():
        times[name].append(run(argv))
peaks = {name: peak(argv) for name, (argv, _) in tools.items()}

base = statistics.median(times["nianbao txt → PDF"])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; {rounds} rounds in turns")
print(f"Report: {os.environ['REPORT']}\n")
print("| tool | median | vs nianbao | PDF size | peak memory |")
print("|---|---:|---:|---:|---:|")
for name, (_, pdf) in tools.items():
    med = statistics.median(times[name])
    size = os.path.getsize(os.path.join(work, pdf)) / 1024
    ratio = "—" if name == "nianbao txt → PDF" else f"{med / base:.0f}×"
    print(f"| {name} | {med * 1000:.1f} ms | {ratio} | {size:.0f} KB | {peaks[name]:.0f} MB |")

if batch:
    src = os.path.join(work, "batch")
    os.makedirs(src)
    for i in range(batch):
        shutil.copy(os.path.join(work, "report.txt"), os.path.join(src, f"r{i:05}.txt"))
    jobs = str(os.cpu_count() or 1)
    argv = [nb, "convert", src, "--to", "pdf,docx,json", "-o", os.path.join(work, "batch-out") + "/", "--force", "--jobs", jobs]
    wall = run(argv)
    top = peak(argv)
    made = sum(len(f) for _, _, f in os.walk(os.path.join(work, "batch-out")))
    print(f"| nianbao {batch} reports → PDF+DOCX+JSON (--jobs {jobs}) | {wall:.1f} s | | {made} files | {top:.0f} MB |")
PY
