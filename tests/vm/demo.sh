#!/bin/bash
# make demo: see tests/vm/demo.py.
exec python3 "$(dirname "$0")/demo.py" "$@"
