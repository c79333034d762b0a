#!/usr/bin/env python3
"""Keep the generated blocks of the docs equal to what
tools/gen_layout_doc.c prints from layout.h and uspace.h.

    layout_doc.py --write GENERATOR DOC...   rewrite the blocks
    layout_doc.py --check GENERATOR DOC...   fail if a block differs

A block opened by BEGIN gets both kernel tables; one opened by
BEGIN_REGIONS (the README) only the kernel's regions; one opened by
BEGIN_USER the user address space's tables.  A document may hold several
blocks, each closed by END.
"""
import subprocess
import sys

BEGIN = '<!-- BEGIN: generated from kernel/include/keel/layout.h by `make docs`; do not edit -->'
BEGIN_REGIONS = '<!-- BEGIN regions: generated from kernel/include/keel/layout.h by `make docs`; do not edit -->'
BEGIN_USER = '<!-- BEGIN user: generated from include/abi/uspace.h by `make docs`; do not edit -->'
END = '<!-- END: generated -->'


def generate(gen, *args):
    return subprocess.run([gen, *args], check=True, capture_output=True, text=True).stdout


def rewrite(text, tables):
    """text with every block replaced, and how many blocks it has (None: a
    block is not closed)."""
    out, blocks = '', 0
    while True:
        at = [(text.find(b + '\n'), b) for b in tables if b + '\n' in text]
        if not at:
            return out + text, blocks
        pos, begin = min(at)
        rest = text[pos + len(begin) + 1:]
        if END not in rest:
            return None, blocks
        _, tail = rest.split(END, 1)
        out += text[:pos] + begin + '\n' + tables[begin] + END
        text = tail
        blocks += 1


def main():
    mode, gen, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    tables = {BEGIN: generate(gen), BEGIN_REGIONS: generate(gen, 'regions'),
              BEGIN_USER: generate(gen, 'user')}
    failed = 0
    for doc in docs:
        text = open(doc).read()
        new, blocks = rewrite(text, tables)
        if new is None or blocks == 0:
            sys.exit(f'{doc}: generated-block markers not found')
        if mode == '--write':
            open(doc, 'w').write(new)
        elif new != text:
            print(f'not ok - {doc}: a layout table differs from its header; run `make docs`')
            failed += 1
        else:
            print(f'ok - {doc} matches layout.h and uspace.h')
    if mode == '--check':
        print(f'docs: {len(docs) - failed} passed, {failed} failed')
        sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
