#!/usr/bin/env python3
"""Keep the generated block of docs/memory-layout.md equal to what
tools/gen_layout_doc.c prints from layout.h.

    layout_doc.py --write GENERATOR DOC   rewrite the block
    layout_doc.py --check GENERATOR DOC   fail if the block differs
"""
import subprocess
import sys

BEGIN = '<!-- BEGIN: generated from kernel/include/keel/layout.h by `make docs`; do not edit -->'
END = '<!-- END: generated -->'


def main():
    mode, gen, doc = sys.argv[1:4]
    table = subprocess.run([gen], check=True, capture_output=True, text=True).stdout
    text = open(doc).read()
    try:
        head, rest = text.split(BEGIN + '\n', 1)
        old, tail = rest.split(END, 1)
    except ValueError:
        sys.exit(f'{doc}: generated-block markers not found')
    if mode == '--check':
        if old != table:
            sys.exit(f'{doc}: the layout table differs from layout.h; run `make docs`')
        print(f'docs: {doc} matches layout.h')
        print('docs: 1 passed, 0 failed')
    else:
        open(doc, 'w').write(head + BEGIN + '\n' + table + END + tail)


if __name__ == '__main__':
    main()
