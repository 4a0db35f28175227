#!/usr/bin/env python3
"""Where the app's wasm bytes go: code size per function and per crate, from the name section.

    python3 bench/wasm-functions.py target/wasm32-unknown-unknown/release/activity-finder.wasm [TOP]

Read the wasm cargo builds (before wasm-bindgen and wasm-opt: it still has function names);
the sizes are before wasm-opt and compression, so use them to compare, not as download bytes
(`node bench/bundle-size.mjs` gives those). Standard library only.
"""
import sys, re, collections
data = open(sys.argv[1], 'rb').read()
def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
i = 8; secs = []
while i < len(data):
    sid = data[i]; i += 1
    n, i = leb(data, i); secs.append((sid, i, n)); i += n
nimp = 0; bodies = []; names = {}; datasz = 0
for sid, off, n in secs:
    if sid == 2:
        c, j = leb(data, off)
        for _ in range(c):
            for _ in range(2):
                l, j = leb(data, j); j += l
            k = data[j]; j += 1
            if k == 0: _, j = leb(data, j); nimp += 1
            elif k == 1: j += 1; f = data[j]; j += 1; _, j = leb(data, j); j = leb(data, j)[1] if f & 1 else j
            elif k == 2: f = data[j]; j += 1; _, j = leb(data, j); j = leb(data, j)[1] if f & 1 else j
            elif k == 3: j += 2
    elif sid == 10:
        c, j = leb(data, off)
        for _ in range(c):
            l, j = leb(data, j); bodies.append(l); j += l
    elif sid == 11: datasz = n
    elif sid == 0:
        l, j = leb(data, off); nm = data[j:j+l].decode(); j += l
        if nm == 'name':
            end = off + n
            while j < end:
                ss = data[j]; j += 1; sl, j = leb(data, j); e = j + sl
                if ss == 1:
                    c, k = leb(data, j)
                    for _ in range(c):
                        idx, k = leb(data, k); l2, k = leb(data, k); names[idx] = data[k:k+l2].decode('utf8', 'replace'); k += l2
                j = e
print('code', sum(bodies), 'data', datasz, 'funcs', len(bodies))
fn = [(sz, names.get(k + nimp, '?')) for k, sz in enumerate(bodies)]
print('---- largest functions')
for sz, nm in sorted(fn, reverse=True)[:int(sys.argv[2]) if len(sys.argv) > 2 else 40]:
    print(f'{sz:8d} {nm[:150]}')
print('---- by crate (the Self type for trait impls)')
def segs(nm):
    if not nm.startswith('_ZN'): 
        m = re.search(r'(core|alloc|std|dlmalloc|compiler_builtins|hashbrown)', nm)
        return ['v0:' + (m.group(1) if m else '?')]
    i = 3; out = []
    while i < len(nm) and nm[i].isdigit():
        j = i
        while nm[j].isdigit(): j += 1
        l = int(nm[i:j]); out.append(nm[j:j+l]); i = j + l
    return out
g = collections.Counter()
for sz, nm in fn:
    s = segs(nm)
    if not s: g['?'] += sz; continue
    first = s[0]
    if first.startswith('_$LT$'):
        t = first.replace('$LT$', '<').replace('$GT$', '>').replace('$u20$', ' ').replace('..', '::').replace('$RF$','&')
        m = re.findall(r'([a-z_][a-z0-9_]*)::', t)
        # 'impl X for Y' -> prefer the Self type crate
        first = 'impl:' + (m[-1] if ' for ' in t and m else (m[0] if m else t[:30]))
        if ' as ' in t:
            mm = re.match(r'_?<&?(?:mut )?([a-z_][a-z0-9_]*)', t)
            first = 'as:' + (mm.group(1) if mm else t[:30])
    g[first] += sz
for c, s in g.most_common(45): print(f'{s:9d} {c}')
