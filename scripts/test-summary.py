#!/usr/bin/python3
# Prints one "N passed, N failed" line for the meson test logs given as
# arguments (build/meson-logs/testlog*.json), so that CI logs end with a
# plain count. Exits 1 if any test failed or none ran.
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as log:
        for line in log:
            result = json.loads(line)['result']
            if result in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif result == 'SKIP':
                skipped += 1
            else:
                failed += 1

print(f'{passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed or not passed else 0)
