import json, os

OUT = os.environ.get('PATTERNS_DIR', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'patterns'))

def q(s, multiline_ok=True):
    if "'" not in s and '\n' not in s and '\r' not in s and all(ord(c) >= 0x20 or c == '\t' for c in s):
        return "'" + s + "'"
    if "'''" not in s and '\n' not in s and '\r' not in s and not s.startswith("'") and all(ord(c) >= 0x20 or c == '\t' for c in s):
        return "'''" + s + "'''"
    out = ['"']
    for c in s:
        if c == '"': out.append('\\"')
        elif c == '\\': out.append('\\\\')
        elif c == '\n': out.append('\\n')
        elif c == '\r': out.append('\\r')
        elif c == '\t': out.append('\\t')
        elif ord(c) < 0x20 or ord(c) == 0x7f: out.append('\\u%04x' % ord(c))
        else: out.append(c)
    out.append('"')
    return ''.join(out)

def rule(r):
    lines = ['[[rules]]']
    lines.append('id = ' + q(r['id']))
    lines.append('name = ' + q(r['name']))
    lines.append('pattern = ' + q(r['pattern']))
    lines.append('keywords = [' + ', '.join(q(k) for k in r['keywords']) + ']')
    if r.get('min_entropy') is not None:
        lines.append('min_entropy = %s' % r['min_entropy'])
    if r.get('validator'):
        lines.append('validator = ' + q(r['validator']))
    lines.append('confidence = ' + q(r['confidence']))
    if r.get('secret_must_contain'):
        lines.append('secret_must_contain = ' + q(r['secret_must_contain']))
    if r.get('generic'):
        lines.append('generic = true')
    lines.append('categories = [' + ', '.join(q(k) for k in r.get('categories', [])) + ']')
    if r.get('description'):
        lines.append('description = ' + q(r['description']))
    lines.append('references = [')
    for ref in r['references']:
        lines.append('  ' + q(ref) + ',')
    lines.append(']')
    lines.append('examples = [')
    for ex in r['examples']:
        if isinstance(ex, tuple):
            lines.append('  { text = %s, secret = %s },' % (q(ex[0]), q(ex[1])))
        else:
            lines.append('  ' + q(ex) + ',')
    lines.append(']')
    lines.append('negative_examples = [')
    for ex in r['negatives']:
        lines.append('  ' + q(ex) + ',')
    lines.append(']')
    return '\n'.join(lines) + '\n'

def write(path, header, rules):
    path = os.path.join(OUT, os.path.basename(path))
    with open(path, 'w') as f:
        f.write(header.strip() + '\n')
        for r in rules:
            f.write('\n' + rule(r))
