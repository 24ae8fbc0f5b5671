import random, base64, string
R = random.Random(20240611)
B64 = string.ascii_letters + string.digits + '+/'
ALNUM = string.ascii_letters + string.digits

def rnd(n, alphabet=ALNUM, r=None):
    r = r or R
    return ''.join(r.choice(alphabet) for _ in range(n))

def b64body(prefix, nchars, width=64, r=None):
    s = prefix + rnd(nchars - len(prefix), B64, r)
    s = s[: nchars]
    # pad to multiple of 4 with '='
    lines = [s[i:i + width] for i in range(0, len(s), width)]
    return lines

def pem(label, lines, nl='\n', headers=()):
    body = nl.join(list(headers) + ([''] if headers else []) + lines)
    return '-----BEGIN %s-----%s%s%s-----END %s-----' % (label, nl, body, nl, label)

def hexs(n, r=None):
    return rnd(n, '0123456789abcdef', r)
