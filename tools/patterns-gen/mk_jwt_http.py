from common import *
from tomlw import Comment, write
from frags import *
import json

r = random.Random(99)
def b64u(o):
    return base64.urlsafe_b64encode(json.dumps(o, separators=(',', ':')).encode()).decode().rstrip('=')
URLS = string.ascii_letters + string.digits + '-_'
def jwt(h, p, siglen):
    return b64u(h) + '.' + b64u(p) + '.' + (rnd(siglen, URLS, r) if siglen else '')

j_hs = jwt({'alg': 'HS256', 'typ': 'JWT'}, {'sub': '4f1c2a9e', 'name': 'svc-billing', 'iat': 1717171717, 'exp': 1893456000}, 43)
j_rs = jwt({'alg': 'RS256', 'kid': 'k-2024-05'}, {'iss': 'https://auth.internal.acme.io', 'aud': 'orders-api', 'scope': 'orders:write', 'iat': 1716000000}, 342)
j_sb = jwt({'alg': 'HS256', 'typ': 'JWT'}, {'iss': 'supabase', 'ref': 'qjrujsiscc', 'role': 'service_role', 'iat': 1656596461, 'exp': 1972172461}, 43)
j_none = jwt({'alg': 'none', 'typ': 'JWT'}, {'sub': 'admin', 'role': 'superuser', 'iat': 1716000000}, 0)
j_none2 = jwt({'alg': 'none'}, {'user': 'ci-bot', 'iat': 1715000000}, 0)
j_noalg = jwt({'typ': 'JWT'}, {'sub': 'x', 'iat': 1}, 43)

jwt_rules = []
jwt_rules.append(dict(
    id='layerleak.jwt.1', name='JSON Web Token',
    pattern=r'\b(?P<secret>eyJ[A-Za-z0-9_-]{8,500}\.eyJ[A-Za-z0-9_-]{8,6000}\.[A-Za-z0-9_-]{16,700})',
    keywords=['eyJ'], validator='jwt', confidence='medium', categories=['token', 'jwt'],
    description='A signed JWT (JWS compact form). It is a bearer credential until it expires (check its "exp" claim); long-lived ones (service-role keys, API keys issued as JWTs) are as good as passwords. Revoke it or rotate the signing key.',
    references=['https://www.rfc-editor.org/rfc/rfc7519#section-3.1', 'https://www.rfc-editor.org/rfc/rfc7515#section-7.1'],
    examples=[('Authorization: Bearer ' + j_hs, j_hs), ('SUPABASE_SERVICE_ROLE_KEY=' + j_sb, j_sb), '{"access_token": "' + j_rs + '", "token_type": "Bearer"}'],
    negatives=[j_none, j_noalg, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.<signature>', 'it "sets the relation to nil" do\n  eye.eyeable.should be_nill\nend',
               'token: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ...']))
jwt_rules.append(dict(
    id='layerleak.jwt.2', name='Unsigned JSON Web Token (alg none)',
    pattern=r'\b(?P<secret>eyJ(?:hbGciOiJub25lI|[A-Za-z0-9_-]{0,300}(?:ImFsZyI6Im5vbmUi|JhbGciOiJub25lI|iYWxnIjoibm9uZS))[A-Za-z0-9_-]{0,300}\.eyJ[A-Za-z0-9_-]{8,6000}\.)(?:[^A-Za-z0-9_.-]|$)',
    keywords=['eyJ'], validator='jwt', confidence='low', categories=['token', 'jwt'],
    description='A JWT whose header says "alg": "none" and whose signature is empty. Only servers that wrongly accept unsigned tokens honour it, but its claims often show which identities and scopes a service uses.',
    references=['https://www.rfc-editor.org/rfc/rfc7519#section-6.1'],
    examples=[('TEST_TOKEN=' + j_none + '\n', j_none), '"token": "' + j_none2 + '"'],
    negatives=[j_hs, 'eyJhbGciOiJub25lIn0.eyJ...', 'version = "eyJ.eyJ."']))

JWT_NAME_FLAT = r'''jwt[_.-]?(?:secret(?:[_.-]?key)?|signing[_.-]?key|key[_.-]?secret)'''
JWT_NAME_NESTED = (r'''\bjwt["']?[ \t]{0,3}:[ \t]{0,20}\r?\n(?:[ \t]{1,16}[A-Za-z0-9_-]{1,40}[ \t]{0,3}:[^\r\n]{0,120}\r?\n){0,6}'''
                   r'''[ \t]{1,16}(?:secret(?:[_-]?key)?|signing[_-]?key|key)''')
jv = value(r'\s', r'''$%<>{}\[\](&*#/"'\x60|\\''', prefixes=['your', 'password', '123456', 'abcd', 'test', 'change', 'replace', 'dummy'], lo=8, hi=200, tail_extra=BIN)
jv = jv.replace('{0,', '{0,').replace('}|', '}|')
# make the tails lazy: the value ends at the first closing quote followed by the end of the field
import re as _re
jv_lazy = _re.sub(r'(\{\d+,\d+\})', r'\1?', jv)
jwt_rules.append(dict(
    id='layerleak.jwt.3', name='JWT Signing Secret in Configuration',
    pattern=(r'''(?i)(?:''' + JWT_NAME_FLAT + '|' + JWT_NAME_NESTED + r''')["'`]?\]?[ \t]{0,16}(?::=|=>|[:=])[ \t]{0,16}["'`]'''
             + '(?P<secret>' + jv_lazy + r''')["'`][ \t]{0,16}(?:[,;})\]]|#|//|\r?\n|$)'''),
    keywords=['jwt'], min_entropy=3.0, confidence='medium', categories=['jwt', 'secret'],
    description='The HMAC key a service signs its JWTs with (HS256 and friends). Whoever has it can mint tokens for any user or role the service trusts. Rotate it; all tokens issued with it become invalid.',
    references=['https://www.rfc-editor.org/rfc/rfc7518#section-3.2', 'https://www.rfc-editor.org/rfc/rfc7519'],
    examples=[('jwt:\n  secret: "acb1ca5bc8d7fb2ef9f890f1be16d964" #some comment\n  ttl: 640000\n', 'acb1ca5bc8d7fb2ef9f890f1be16d964'),
              ("auth:\n  jwtSecret: '" + rnd(40, string.ascii_letters + string.digits + '!#%+-', r) + "'\n"),
              ('{"port": 8080, "jwt_secret": "Zq3' + rnd(29, ALNUM, r) + '", "db": "orders"}'),
              ("JWT:\n  Secret: 'development#product'\n  exp: '50m'\n", 'development#product'),
              ('module.exports = {\n  JWT_SECRET_KEY: "' + hexs(64, r) + '",\n};')],
    negatives=['jwt:\n  secret: "${JWT_SECRET}"\n', 'jwtSecret: process.env.JWT_SECRET || "dev"', "jwt_secret: 'changeme'",
               'JWT_SECRET = "your-jwt-secret-here"', "jwt:\n  secret: 'secret'\n", 'const jwtSecret = config.get("jwt.secret");',
               'jwt_secret: "aaaaaaaaaaaaaaaa"']))
jwt_rules.append(dict(
    id='layerleak.jwt.4', name='JWT Signing Secret in Environment',
    pattern=(r'''\bJWT_(?:SECRET(?:_KEY)?|SIGNING_KEY|KEY_SECRET)[ \t]{0,3}[=:][ \t]{0,3}["']?(?P<secret>'''
             + value(r'''\s"'`\\.,;()\[\]{}<>''', r'''$%&*#/!|=+:?@~^\-''', prefixes=['your', 'password', '123456', 'abcd', 'test', 'change', 'replace', 'dummy'], lo=1, hi=200, tail_extra=BIN)
             + r''')(?:[\s"']|$)'''),
    keywords=['JWT_'], min_entropy=3.0, confidence='medium', categories=['jwt', 'secret'],
    description='The HMAC key a service signs its JWTs with, set as an environment variable (.env, Dockerfile ENV, Compose). Whoever has it can mint tokens the service trusts. Rotate it.',
    references=['https://www.rfc-editor.org/rfc/rfc7518#section-3.2', 'https://docs.docker.com/reference/dockerfile/#env'],
    examples=[('JWT_SECRET=' + (s1 := rnd(48, string.ascii_letters + string.digits + '+/', r)), s1),
              'ENV JWT_SECRET_KEY="' + hexs(64, r) + '"', '    environment:\n      JWT_SIGNING_KEY: ' + rnd(32, ALNUM, r) + '\n'],
    negatives=['JWT_SECRET=${JWT_SECRET}', 'JWT_SECRET=$(openssl rand -hex 32)', 'JWT_SECRET=your-jwt-secret', 'JWT_SECRET: process.env.JWT_SECRET,',
               'JWT_SECRET=secretsecret', 'JWT_SECRET=<generate-me>']))

write('jwt.toml', '''
# JSON Web Tokens (RFC 7519) in JWS compact form, and the HMAC secrets that sign them.
# Header and payload are base64url JSON objects, so both start with "eyJ" ('{"'). The `jwt`
# validator decodes the header and requires an "alg" member, which drops look-alikes.
''', jwt_rules)

# ------------------------------------------------------------------------------------------
http_rules = []
def b64up(u, p):
    return base64.b64encode((u + ':' + p).encode()).decode()
ba1 = b64up('deploy', 'T7v#q2LmX9pzWc')
ba2 = b64up('registry-reader', rnd(20, ALNUM, r))
http_rules.append(dict(
    id='layerleak.http.1', name='HTTP Basic Authentication Credentials',
    pattern=r'''(?i)\bAuthorization["']?(?:[ \t]{0,3}[:=,][ \t]{0,3}|[ \t]{1,3})["']?Basic[ \t]{1,3}(?P<secret>[A-Za-z0-9+/]{6,400}={0,2})''',
    keywords=['Authorization'], validator='base64_user_password', confidence='medium', categories=['http', 'credentials'],
    description='An Authorization header with HTTP Basic credentials: base64 of "user:password", trivially decoded. Change the password.',
    references=['https://www.rfc-editor.org/rfc/rfc7617#section-2'],
    examples=[('Authorization: Basic ' + ba1, ba1), 'curl -H "Authorization: Basic ' + ba2 + '" https://registry.internal/v2/_catalog',
              'proxy_set_header Authorization "Basic ' + ba1 + '";'],
    negatives=[Comment("RFC 7617's own example (Aladdin:open sesame), and credentials of documentation:"),
               Comment('test:test, user:pass, username:password.'),
               'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Authorization: Basic dGVzdDp0ZXN0',
               'Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=',
               'Authorization: Basic $BASIC_AUTH', 'Authorization: Basic <base64(user:password)>', 'Authorization: Basic " + btoa(user + ":" + pass)',
               'Authorization: Basic dGhpc2lzbm90YXVzZXJwYXNz']))
http_rules.append(dict(
    id='layerleak.http.2', name='HTTP Bearer Token',
    pattern=r'''(?i)\bAuthorization["']?(?:[ \t]{0,3}[:=,][ \t]{0,3}|[ \t]{1,3})["']?Bearer[ \t]{1,3}(?P<secret>[A-Za-z._~+/-]{0,300}[0-9][A-Za-z0-9._~+/-]{0,2000}={0,2})''',
    keywords=['Authorization'], min_entropy=3.0, confidence='medium', categories=['http', 'token'],
    description='An Authorization header carrying an OAuth 2.0 bearer token: anyone holding it can make the same calls until it expires or is revoked.',
    references=['https://www.rfc-editor.org/rfc/rfc6750#section-2.1'],
    examples=[('GET /resource HTTP/1.1\nHost: api.internal\nAuthorization: Bearer qK_7.Z2t-9.RwXm\n', 'qK_7.Z2t-9.RwXm'),
              ('curl -sH "Authorization: Bearer ' + (t1 := rnd(40, ALNUM + '-_', r) + '7') + '" https://api.internal/v1/jobs', t1),
              "headers = {'Authorization': 'Bearer " + rnd(32, ALNUM, r) + "9'}"],
    negatives=[Comment("RFC 6750's own example."), 'GET /resource HTTP/1.1\nHost: server.example.com\nAuthorization: Bearer mF_9.B5f-4.1JqM\n',
               'Authorization: Bearer $TOKEN', 'Authorization: Bearer ${ACCESS_TOKEN}', 'Authorization: Bearer <token>', 'Authorization: Bearer YOUR_ACCESS_TOKEN',
               "'Authorization': 'Bearer ' + localStorage.getItem('token')", 'Authorization: Bearer abc123', 'Authorization: Bearer %s']))
http_rules.append(dict(
    id='layerleak.http.3', name='Credentials in an HTTP URL',
    pattern=r'''(?i)\b(?:git\+)?https?://[^\s:@/"'`<>\\?#]{1,64}:(?P<secret>''' + uri_pw() + r''')@[A-Za-z0-9_][A-Za-z0-9._-]{0,63}''',
    keywords=['http://', 'https://'], confidence='medium', categories=['http', 'credentials'],
    description='A user name and password in the userinfo part of an http(s) URL: .git-credentials, pip.conf index-url, .npmrc registries, proxy settings (http_proxy), webhooks. Change the password or revoke the token used as one.',
    references=['https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1', 'https://git-scm.com/docs/git-credential-store#_storage_format',
                'https://pip.pypa.io/en/stable/topics/authentication/#basic-http-authentication'],
    examples=[('https://deploy-bot:Xq7rT2vLp9@git.internal.acme.io', 'Xq7rT2vLp9'),
              '[global]\nindex-url = https://pypi-reader:' + (p1 := rnd(24, ALNUM, r)) + '@nexus.acme.io/repository/pypi/simple',
              'ENV http_proxy=http://svc-proxy:Fw8%40kLz3q@proxy.corp.local:3128',
              'git clone https://x-access-token:' + rnd(40, ALNUM, r) + '@gitlab.acme.io/platform/infra.git',
              ('pip install git+https://ci-reader:Rk4vT9qLw2Xp@git.acme.io/libs/auth.git', 'Rk4vT9qLw2Xp')],
    negatives=["['http://diff:auth@www.example.com', 'http://asdf:qw3r9Xk@www.example.com'],", 'https://user:password@github.com/org/repo.git', 'https://user:pass@host', 'https://${GIT_USER}:${GIT_TOKEN}@github.com/org/repo.git',
               'https://username:<password>@nexus.example.com', 'http://localhost:8080/path',
               'https://user:$PASSWORD@host', 'https://github.com/org/repo@v1.2.3',
               'http://admin:****@grafana.local', "const myURL = new URL('https://abc:xyz@example.com');", 'http://user:123@localhost:8080/',
               'https://foo:bar@registry.local/simple']))
http_rules.append(dict(
    id='layerleak.http.4', name='Credentials in a curl Command',
    pattern=(r'''(?i)\bcurl\b[^\r\n|;&]{0,200}?[ \t](?:-u|--user)(?:[ \t]{1,3}|=)?["']?[^\s:"'$]{1,100}:(?P<secret>'''
             + field_pw(r'''\s"'`\\''', r'''$%*{<''') + r''')(?:[\s"']|$)'''),
    keywords=['curl'], confidence='medium', categories=['http', 'credentials'],
    description='A curl invocation with --user user:password, as left in Dockerfile RUN lines, shell scripts and CI files. Change the password.',
    references=['https://curl.se/docs/manpage.html#-u'],
    examples=[('RUN curl -fsSL -u ci-bot:Jr4pWx82Lq https://artifacts.acme.io/tools.tgz | tar xz', 'Jr4pWx82Lq'),
              'curl --user "elastic:' + rnd(20, ALNUM, r) + '" http://es:9200/_cluster/health'],
    negatives=['curl -u $USER:$PASS https://api', 'curl -u user:password https://api', 'curl -u "${NEXUS_USER}:${NEXUS_PASS}" https://nexus/', 'curl -u admin: http://localhost', 'curl -u <user>:<password> https://x']))

write('http.toml', '''
# Credentials in HTTP requests and URLs: Authorization headers (RFC 7617 Basic, RFC 6750
# Bearer), userinfo in http(s) URLs (RFC 3986 section 3.2.1) and curl --user.
# URL and curl passwords exclude the usual placeholders (password, pass, pwd, <...>, $VAR).
''', http_rules)
