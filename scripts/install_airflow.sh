#!/usr/bin/env bash
# A separate venv with Airflow 3 and the Apache Spark provider, only for checking
# scripts/airflow_dag.py (tests/scripts/test_airflow_dag.py): Airflow's own pins clash
# with pedigree's, so it never goes into .venv. When pip cannot install it here, the
# reason is kept in install-error.txt: under CI=true the script then exits 1 with that
# line (CI never goes green without Airflow); elsewhere the DAG test skips quoting it.
# Usage: scripts/install_airflow.sh [VENV]   (default .cache/airflow-venv)
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$repo/.cache/airflow-venv}"
python="${PYTHON:-python3}"

rm -rf "$venv"
mkdir -p "$venv"
log="$(mktemp)"
if "$python" -m venv "$venv" >"$log" 2>&1 \
    && "$venv/bin/pip" install --quiet --upgrade pip >>"$log" 2>&1 \
    && "$venv/bin/pip" install --quiet \
        apache-airflow==3.1.8 apache-airflow-providers-apache-spark==6.3.4 >>"$log" 2>&1; then
    touch "$venv/.installed"
    echo "install_airflow: Airflow 3.1.8 + Spark provider 6.3.4 in $venv"
else
    error="$(grep -E 'ERROR|error:' "$log" | tail -1)"
    rm -rf "$venv"
    mkdir -p "$venv"
    echo "pip could not install apache-airflow==3.1.8: ${error:-see pip output}" >"$venv/install-error.txt"
    rm -f "$log"
    if [ "${CI:-}" = "true" ]; then
        echo "install_airflow: CI=true and Airflow is missing: $(cat "$venv/install-error.txt")" >&2
        exit 1
    fi
    echo "install_airflow: $(cat "$venv/install-error.txt"); the DAG test will skip" >&2
    touch "$venv/.installed"
fi
rm -f "$log"
