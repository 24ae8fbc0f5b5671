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

def needs_digit_or_symbol(X):
    """Tail of a generic value: it holds a digit, or a symbol and no '/'. An all-letter value
    is a word or an identifier ("Passwort", "new_password"); a '/'-separated value without a
    digit is a path or a route ("cms/sites/passwords#update"). Only the tail is checked, so a
    value whose only digit or symbol is its first character is missed."""
    X = X + BIN
    def tail(need, n):
        assert need == 0
        return (r'''(?:[^%s]{0,%d}[0-9][^%s]{0,%d}|[A-Za-z_\-=]{0,%d}[^%sA-Za-z0-9_\-/=][^%s/]{0,%d})'''
                % (X, n, X, n, n, X, X, n))
    return tail

def quoted(lo=1, hi=100, prefixes=P_Q):
    return value(X_Q, Y_Q, prefixes=prefixes, lo=lo, hi=hi, tail=needs_digit_or_symbol(X_Q))

def unquoted(hi=100, prefixes=P_U):
    return value(X_U, Y_U, prefixes=prefixes, lo=1, hi=hi, tail=needs_digit_or_symbol(X_U))
