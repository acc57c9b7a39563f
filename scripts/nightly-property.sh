#!/usr/bin/env bash
# Nightly: the model-based and bad-input suites with many more runs and a fresh seed each night.
#   scripts/nightly-property.sh                 # 5,000 runs per store, seed from the date
#   MODEL_RUNS=20000 MODEL_SEED=7 scripts/nightly-property.sh
# A failure prints the seed and the shrunk command sequence; re-run with that MODEL_SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
export MODEL_RUNS="${MODEL_RUNS:-5000}"
export MODEL_SEED="${MODEL_SEED:-$(date +%Y%m%d)}"
export MODEL_TIME_LIMIT_MS="${MODEL_TIME_LIMIT_MS:-3000000}"
export MODEL_TEST_TIMEOUT_MS="${MODEL_TEST_TIMEOUT_MS:-3600000}"
echo "model-based: MODEL_RUNS=$MODEL_RUNS MODEL_SEED=$MODEL_SEED"
npm test -- test/reliability/model-based.spec.ts test/reliability/model-redis.spec.ts \
  test/unit/bad-input.spec.ts test/reliability/bad-input-redis.spec.ts
