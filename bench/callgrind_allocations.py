#!/usr/bin/env python3
"""Allocations per request from a callgrind file written by bench/callgrind_profile.sh.

Counts the calls into the allocator (operator new, malloc, calloc, realloc, aligned_alloc,
posix_memalign) made from outside it, divided by the number of requests the script printed, and
lists the callers that allocate most. The operator new count is the figure docs/benchmarks.md
quotes as allocations per request; the total adds OpenSSL's, which go through malloc.

  bench/callgrind_allocations.py build/callgrind/send-json.callgrind 3000 [--top 20]
"""
import argparse
import re

ALLOCATOR = re.compile(
    r"^(operator new|malloc$|calloc$|realloc$|aligned_alloc$|posix_memalign$)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("requests", type=int)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()

    names = {}  # callgrind's name compression: "(id) name" the first time, "(id)" afterwards

    def name_of(text):
        m = re.match(r"\((\d+)\)(?: (.*))?", text)
        if not m:
            return text
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), "?")

    fn = cfn = None
    total = operator_new = 0
    by_caller = {}
    with open(args.file) as f:
        for line in f:
            if line.startswith("fn="):
                fn = name_of(line[3:].strip())
            elif line.startswith("cfn="):
                cfn = name_of(line[4:].strip())
            elif line.startswith("calls="):
                if not (cfn and ALLOCATOR.match(cfn)) or (fn and ALLOCATOR.match(fn)):
                    continue
                n = int(line.split()[0][len("calls="):])
                total += n
                if cfn.startswith("operator new"):
                    operator_new += n
                by_caller[fn] = by_caller.get(fn, 0) + n
    r = args.requests
    print(f"{operator_new / r:.1f} operator new per request "
          f"({total / r:.1f} calls into the allocator in all)")
    for caller, n in sorted(by_caller.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"  {n / r:6.2f}  {caller[:150]}")


if __name__ == "__main__":
    main()
