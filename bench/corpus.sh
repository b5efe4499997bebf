# Sourced by bench/run_search_bench.sh and bench/run_baselines.sh: the benchmark corpus, one
# definition, so both measure the same articles.
#
# prepare_corpus: writes the vocabulary to ${vocabulary} and makes sure ${corpus} holds the corpus
# of ${articles} articles (${seed}, ${start_date}, ${years}), generating it with
# tools/gen_corpus.py unless a stamp says it is there already. The stamp names the arguments and
# the generator's hash: a changed generator regenerates. Sets gen_args, gen_seconds,
# corpus_files and corpus_bytes. Expects a log function and the repository as the working
# directory.
prepare_corpus() {
  python3 tools/gen_corpus.py --print-vocabulary >"${vocabulary}.tmp.$$"
  mv "${vocabulary}.tmp.$$" "${vocabulary}"
  gen_args=(--articles "${articles}" --seed "${seed}" --start-date "${start_date}" --years "${years}")
  local stamp
  stamp="${gen_args[*]} $(sha256sum tools/gen_corpus.py | cut -c1-16)"
  gen_seconds="(reused)"
  if [ -f "${corpus}/.complete" ] && [ "$(cat "${corpus}/.complete")" = "${stamp}" ]; then
    log "reusing corpus ${corpus}"
  else
    log "generating ${articles} articles into ${corpus}"
    rm -rf "${corpus}"
    local t0
    t0=$(date +%s.%N)
    python3 tools/gen_corpus.py "${gen_args[@]}" --out "${corpus}" >&2
    gen_seconds=$(awk -v a="${t0}" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f s", b - a}')
    echo "${stamp}" >"${corpus}/.complete"
  fi
  corpus_files=$(find "${corpus}" -maxdepth 1 -name '*.txt' | wc -l)
  corpus_bytes=$(find "${corpus}" -maxdepth 1 -name '*.txt' -printf '%s\n' |
    awk '{s += $1} END {print s}')
}
