from gen import value

# Control characters and non-ASCII bytes never occur in the tail of a value: this keeps binary
# files (.pyc, ELF) and translated UI strings out.
BIN = r'\x00-\x1f\x7f-\xff'

# ---- connection strings and URLs -------------------------------------------------------
# Placeholder passwords rejected by the regex (the engine also rejects EXAMPLE, xxxx, <...>,
# ${...}, changeme, ****...). Deliberately NOT excluded: "secret", "admin", "postgres": real,
# if weak, credentials that do work against a default install.
W_PW = ['password', 'passwd', 'pass', 'pwd']
# Values that only occur in documentation (https://user:xyz@host, foo:bar).
W_DOC = ['xyz', 'xyzzy', 'foo', 'bar', 'baz', 'foobar', 'abc', 'abc123', '123', '1234', '12345', '123456', 'pw', 'mypassword']
# URL userinfo password: may contain ':' and '@' (the last '@' before the host wins), never
# whitespace, quotes, '/', '?', '#', brackets or braces; never starts with '$', '%' or '*'.
X_URI = r'''\s"'`<>\\/?#\[\]{},;'''
def uri_pw(extra_words=(), hi=128):
    return value(X_URI, r'$%*', words=W_PW + W_DOC + list(extra_words), prefixes=['your'], lo=3, hi=hi, tail_extra=BIN)

# A value that ends at whitespace, a quote or ';' (connection-string fields, CLI flags).
def field_pw(X, Y=r'$%*{<', extra_words=(), prefixes=('your',), lo=3, hi=100):
    return value(X, Y, words=W_PW + list(extra_words), prefixes=list(prefixes), lo=lo, hi=hi, tail_extra=BIN)

# ---- generic assignments ---------------------------------------------------------------
# Quoted values: anything but whitespace, quotes and backslashes; not starting with the
# characters that open references, templates, paths or expressions.
X_Q = r'''\s"'\\'''
Y_Q = r'''\-$%<>{}\[\]()&*#/+=?|~.,;:@!'''
P_Q = ['password', 'your', '123456', 'abcd', 'test', 'http', 'arn:', 'dummy', 'replace', 'placeholder',
       'redacted', 'fake']
# Unquoted values: also no brackets, '.', ',', ';', '&', '|', '#' (an unquoted right-hand side
# with those is an expression: env.X, getPassword(), ENV["X"], a || b), and at least one
# digit or symbol (an unquoted all-letter value is an identifier: password = user_password).
X_U = r'''\s"'`\\<>{}()\[\];,&|.#$:'''
Y_U = r'''\-$%@*=+/:!?~^'''
P_U = ['password', 'your', '123456', 'abcd', 'test']

# The "holds a digit or a symbol" requirement is checked by the engine after the match
# (`secret_must_contain = "digit_or_symbol"` on the rules that use these values): spelled out
# in the pattern, the choice of where the digit sits made the lazy DFA explode (70-90 us per
# candidate instead of about 5).
def quoted(lo=1, hi=100, prefixes=P_Q):
    return value(X_Q, Y_Q, prefixes=prefixes, lo=lo, hi=hi, tail_extra=BIN)

def unquoted(hi=100, prefixes=P_U):
    return value(X_U, Y_U, prefixes=prefixes, lo=1, hi=hi, tail_extra=BIN)
