#!/usr/bin/env python3
"""Keep the generated blocks of the docs equal to what
tools/gen_layout_doc.c prints from layout.h.

    layout_doc.py --write GENERATOR DOC...   rewrite the blocks
    layout_doc.py --check GENERATOR DOC...   fail if a block differs

A block opened by BEGIN gets both tables; one opened by BEGIN_REGIONS
(the README) only the regions.
"""
import subprocess
import sys

BEGIN = '<!-- BEGIN: generated from kernel/include/keel/layout.h by `make docs`; do not edit -->'
BEGIN_REGIONS = '<!-- BEGIN regions: generated from kernel/include/keel/layout.h by `make docs`; do not edit -->'
END = '<!-- END: generated -->'


def generate(gen, *args):
    return subprocess.run([gen, *args], check=True, capture_output=True, text=True).stdout


def main():
    mode, gen, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    tables = {BEGIN: generate(gen), BEGIN_REGIONS: generate(gen, 'regions')}
    failed = 0
    for doc in docs:
        text = open(doc).read()
        begin = next((b for b in tables if b + '\n' in text), None)
        if begin is None or END not in text:
            sys.exit(f'{doc}: generated-block markers not found')
        head, rest = text.split(begin + '\n', 1)
        old, tail = rest.split(END, 1)
        if mode == '--write':
            open(doc, 'w').write(head + begin + '\n' + tables[begin] + END + tail)
        elif old != tables[begin]:
            print(f'not ok - {doc}: the layout table differs from layout.h; run `make docs`')
            failed += 1
        else:
            print(f'ok - {doc} matches layout.h')
    if mode == '--check':
        print(f'docs: {len(docs) - failed} passed, {failed} failed')
        sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
