"""Regex fragments for "a value that is not one of these placeholder words and does not start
with one of these prefixes" (and optionally "contains at least one character outside NONREQ"),
without look-around, which the Rust regex crate lacks.

X  = class content of characters never in the value;
Y  = class content of extra characters never first;
NONREQ = class content of characters that do not satisfy the "needs a digit or symbol" rule.
Output is wrapped in (?i:...) so word letters match either case.
"""
import re
from collections import defaultdict

def esc(ch):
    if ch.isalnum() or ch == '_':
        return ch
    return '\\' + ch if ch in '.+*?()|[]{}^$#&-~\\/' else ch

def cls_esc(ch):
    return '\\' + ch if ch in '[]\\^-&~' else ch

def group(alts):
    alts = [a for a in alts if a != ''] + [a for a in alts if a == '']
    if len(alts) == 1:
        return alts[0]
    return '(?:' + '|'.join(alts) + ')'

class Node:
    def __init__(self):
        self.kids, self.word, self.kill = {}, False, False

def in_nonreq(ch, nonreq_chars):
    return ch.lower() in nonreq_chars

def value(X, Y='', words=(), prefixes=(), lo=1, hi=100, nonreq=None, tail=None, tail_extra=''):
    # Characters excluded from the tail are excluded everywhere: a value may not start with a
    # NUL or a high byte either (busybox's "Old password: \0incorrect" matched otherwise).
    X, tail_extra = X + tail_extra, ''
    root = Node()
    for w, kill in [(w, False) for w in words] + [(p, True) for p in prefixes]:
        n = root
        for ch in w.lower():
            n = n.kids.setdefault(ch, Node())
        if kill:
            n.kill = True
        else:
            n.word = True
    # characters that do not satisfy the requirement (only letters, '_' and '-' supported)
    NR = set('abcdefghijklmnopqrstuvwxyz_-') if nonreq else set()
    NRC = r'A-Za-z_\-'
    Y_chars = [chr(c) for c in range(0x21, 0x7f) if Y and re.fullmatch('[' + Y + ']', chr(c))]

    def build(node, depth, flag):
        # returns dict (key, flag) -> alternatives; key = min(consumed, lo) or 'END'
        res = defaultdict(list)
        if node.kill:
            return res
        excl = X + (Y if depth == 0 else '')
        K = ''.join(cls_esc(c) for c in sorted(node.kids))
        if flag or not nonreq:
            res[(min(depth + 1, lo), True)].append('[^' + excl + K + ']')
        else:
            # a digit or symbol: letters of K are already outside the class
            Kr = ''.join(cls_esc(c) for c in sorted(node.kids) if c not in NR)
            res[(min(depth + 1, lo), True)].append('[^' + excl + Kr + NRC + ']')
            # a letter, '_' or '-' that leaves the trie (X holds no letters)
            Kl = ''.join(cls_esc(c) for c in sorted(node.kids) if c in NR)
            Yl = ''.join(cls_esc(c) for c in (Y_chars if depth == 0 else '') if c in NR)
            bad = Kl + Yl
            res[(min(depth + 1, lo), False)].append('[' + NRC + '&&[^' + bad + ']]' if bad else '[' + NRC + ']')
        for ch in sorted(node.kids):
            if depth == 0 and Y and re.fullmatch('[' + Y + ']', ch):
                continue
            if re.fullmatch('[' + X + ']', ch):
                continue
            nflag = flag or not nonreq or not in_nonreq(ch, NR)
            sub = build(node.kids[ch], depth + 1, nflag)
            for k, alts in sub.items():
                res[k].append(esc(ch) + group(alts) if alts != [''] else esc(ch))
        if depth > 0 and depth >= lo and not node.word and (flag or not nonreq):
            res[('END', True)].append('')
        return res

    res = build(root, 0, False)
    alts = []
    for (k, f) in sorted((x for x in res if x[0] != 'END'), key=lambda x: (x[0], not x[1])):
        need = max(0, lo - k)
        if tail is not None:
            t = tail(need, hi - k)
        elif f or not nonreq:
            t = '[^' + X + tail_extra + ']{%d,%d}' % (need, hi - k)
        else:
            t = '[' + NRC + ']{0,%d}[^' + X + NRC + '][^' + X + ']{0,%d}'
            t = t % (hi - k, hi - k)
        alts.append(group(res[(k, f)]) + t)
    if res.get(('END', True)) and tail is None:
        alts.append(group(res[('END', True)]))
    return '(?i:' + '|'.join(alts) + ')'

if __name__ == '__main__':
    r = value(r'\s"\'`<>{}/\\', '$', words=['password', 'passwd', 'pass', 'pwd', 'changeme'], lo=3, hi=64)
    print(len(r)); print(r)
    r = value(r'\s"\'`\\<>{}()\[\];,&|.#\x80-\xff', r'$%@*=+\-/:!?~^', words=['12345678', 'password123'], prefixes=['your', 'test'], lo=1, hi=100, nonreq=True)
    print(len(r)); print(r)
