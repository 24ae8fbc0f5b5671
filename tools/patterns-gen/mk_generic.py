from common import *
from tomlw import write
from frags import *

r = random.Random(777)
PW_NAME = r'''(?:pass(?:word|wd|phrase)|(?:\b|_)(?:pass|pwd))'''
SK_PREFIXES = ['api', 'access', 'app', 'auth', 'client', 'encryption', 'signing', 'master', 'private', 'secret']
SK_NAME = r'''(?:secret|token|(?:''' + '|'.join(SK_PREFIXES) + r''')[_-]?key)'''
SK_KW = ['secret', 'token'] + [p + s + 'key' for p in SK_PREFIXES if p != 'secret' for s in ('_', '-', '')]
# ('secret' covers secret_key / secret-key / secretkey)
OPS = r'''(?:={1,3}|!={1,2}|:=|=>|\|\|=|\?=|:)'''
TYPE = r'''(?:[ \t]{0,3}:[ \t]{0,3}[A-Za-z][A-Za-z0-9_.<>?]{0,24}[ \t]{0,3})?'''
# name ... operator ... opening quote, for quoted values. The ',' form is for quoted keys
# passed as arguments: setdefault("API_KEY", "..."), headers.set("X-Api-Key", "...").
Q_SEP = (r'''(?:(?:\\?["'`])?\]?[ \t]{0,16}''' + TYPE + OPS + r'''|\\?["'`][ \t]{0,3},)[ \t]{0,16}(?:[bru]|@)?\\?["'`]''')
def q_pattern(name):
    # name = value (the call form, ("name", "value"), is q_call_pattern: a rule of its own)
    return r'''(?i)(?:''' + name + r'''(?:\\?["'`])?\]?[ \t]{0,16}''' + TYPE + OPS + r''')[ \t]{0,16}(?:[bru]|@)?\\?["'`]'''
def q_call_pattern(name):
    # ("…name", "value"): the quoted name right before the value, as a call's last arguments
    return r'''(?i)''' + name + r'''\\?["'`][ \t]{0,3},[ \t]{0,16}(?:[bru]|@)?\\?["'`]'''
U_SEP = r'''(?:\\?["'`])?\]?[ \t]{0,16}(?:=|:=|=>|:)[ \t]{0,16}'''
Q_END = r'''\\?["'`]'''
# the value ends the line, a quote, '&' (query strings) or a comment; a space followed by '='
# means it was a type annotation ("InheritPrivateKey: X509RequestInheritOptions = 3")
U_END = r'''(?:[ \t]{0,16}(?:[\r\n"'`&<#]|$)|[ \t]{1,16}[^=\s])'''

QV = quoted()
UV = unquoted()

PLACEHOLDERS_PW = [
    'password = "${DB_PASSWORD}"', "password: '{{ .Values.db.password }}'", 'DB_PASSWORD=<your-db-password>', 'password = "changeme"',
    'password: "********"', "'password' => 'xxxxxxxxxx',", 'password = "your-password-here"', 'password: "password"', 'PASSWORD=password123',
    'password = "12345678"', 'db_password = "aaaaaaaaaaaa"', 'password: "Passwort"', 'password = "%s"', 'password: "{password}"',
    'ADMIN_PASSWORD=your_admin_password', 'password = "test1234!"', 'password = "dummy-password"',
]
REFS_PW = [
    'password = os.environ["DB_PASSWORD"]', 'password = os.getenv("DB_PASSWORD")', 'const password = process.env.DB_PASSWORD;',
    'password: env.PERKEEP_TEST_PASSWORD', 'PASSWORD=$(cat /run/secrets/db_password)', 'export PGPASSWORD="$gdcapi_db_password"',
    'password = request.form["password"]', 'password = getpass.getpass()', '$password = $_POST["password"];', 'password := viper.GetString("db.password")',
    'password: "#{ENV.fetch(\'DB_PASSWORD\')}"', 'sb.append("MasterUserPassword: " + getMasterUserPassword() + ",");',
    '"//localhost:1337/:_password = "+new Buffer("feast").toString("base64")', "echo 'password = '.$p['config']['daemon_password'].\"\\n\";",
    '- echo \'export DATABASE_PASSWORD="\'$PRECOMPILE_PASSWORD\'"\' >> .env', 'password_file = "/run/secrets/db_password"',
    'PasswordAuthentication no', 'password=$PASSWORD', 'password: "/run/secrets/db_password"', 'password: ' + hexs(40, r),
    'password: "' + '-'.join([hexs(8, r), hexs(4, r), '4' + hexs(3, r), 'a' + hexs(3, r), hexs(12, r)]) + '"', 'password = "~/.config/app/password.txt"', 'passwd:         files systemd', 'usernameLabel:"Username or email:",passwordLabel:"Password:"',
    'this.addPassword = "#add-password";', 'IAMUserChangePassword = "arn:aws:iam::aws:policy/IAMUserChangePassword"',
    '"/en/enterprise/3.0/authentication/keeping-your-account-and-data-secure/creating-a-strong-password":"/en/enterprise-server@3.0/auth"',
    'password_hash = "$2b$12$' + rnd(53, './' + ALNUM, r) + '"', 'password = "' + hexs(64, r) + '"', 'define wget::authfetch($source,$destination,$user,$password="",$timeout="0")',
    'password = user_password', 'password: passwordFromVault', '# METHOD can be "trust", "reject", "md5", "password", "scram-sha-256",',
    'pub password: windows_sys::core::PCWSTR,', 'this.password = defaultPassword1;', 'fn connect(user: &str, password: Secret2) -> Result<()>', '__mvncomp "username= message= passphrase= password= scmVersion= $(x)"', 'PASSWORD=DB_PASS_DEFAULT', 'PWD=/home/app', 'password: "&lt;YOURPASSWROD&gt;"',
]
g = []
g.append(dict(id='layerleak.generic.1', secret_must_contain='digit_or_symbol', name='Generic Password Assignment (quoted)',
    pattern=q_pattern(PW_NAME) + r'''(?P<secret>''' + QV + r''')''' + Q_END,
    keywords=['pass', 'pwd'], min_entropy=2.8, confidence='medium', generic=True, categories=['generic', 'password'],
    description='A quoted string assigned to or compared with a password/passwd/pwd/passphrase: source code, JSON, YAML, TOML, INI, XML attributes. Check what it protects and change it.',
    references=['https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/', 'https://cwe.mitre.org/data/definitions/259.html'],
    examples=[('"password": "' + (p := 'vR7#' + rnd(10, ALNUM, r)) + '",', p),
              ('  private const string DevFolkoosComPfxPassword = "this1smyp4ssw0rd";', 'this1smyp4ssw0rd'),
              ('password = "super$ecret"', 'super$ecret'),
              ("common.then_log_in({username: 'geronimo', password: '52VeZqtHDCdAr5yM'});", '52VeZqtHDCdAr5yM'),
              "    'vm_password': \"Pass123!@#\",", ":password       => 'K9!fq" + rnd(6, ALNUM, r) + "',",
              'if username == "adM1n1sTrat0R" and password == "123P4ssW0rd@@":', 'spring.datasource.password: "' + rnd(16, ALNUM, r) + '"',
              '<user username="tomcat" password="' + rnd(12, ALNUM, r) + '!" roles="manager-gui"/>',
              # drawn here, where generic.1 once held the call form, so that later draws keep their values
              ('os.environ.setdefault("DB_PASSWORD", "' + rnd(14, ALNUM, r) + '")', 'generic.8'),
              'val keystorePassword: String = "' + rnd(14, ALNUM, r) + '5"'],
    negatives=PLACEHOLDERS_PW + REFS_PW + ['password = "123"', "user = 'Aladdin'\npassword = 'open_sesame'", '"password": "Wachtwoord",',
                                           'confirm_password: "confirmPassword"', "put '/forgot-password' => \"cms/sites/passwords#update\", as: 'update_password'",
                                           "password: 'thisismypassword'"]))
g.append(dict(id='layerleak.generic.2', secret_must_contain='digit_or_symbol', name='Generic Password Assignment (unquoted)',
    pattern=r'''(?i)''' + PW_NAME + U_SEP + r'''(?P<secret>''' + UV + r''')''' + U_END,
    keywords=['pass', 'pwd'], min_entropy=2.8, confidence='low', generic=True, categories=['generic', 'password'],
    description='An unquoted value assigned to a password/passwd/pwd/passphrase key: .env files, shell exports, Dockerfile ENV/ARG, properties, YAML, URL query strings. Values must contain a digit or symbol (an all-letter unquoted value is usually an identifier). Check what it protects and change it.',
    references=['https://docs.docker.com/reference/dockerfile/#env', 'https://cwe.mitre.org/data/definitions/260.html'],
    examples=[('DB_PASSWORD=' + (p := 'k3Yq' + rnd(12, ALNUM, r)), p), 'export MYSQL_ROOT_PASSWORD=' + rnd(10, ALNUM, r) + '!7',
              'ENV POSTGRES_PASSWORD=' + rnd(16, ALNUM, r) + '9', "hostname = '10.11.12.13'\nPASS = `123QWERasdf", 'spring.datasource.password=' + rnd(12, ALNUM, r) + '#1',
              '  password: ' + rnd(14, ALNUM, r) + '%2', 'GET /login?user=ops&password=' + rnd(10, ALNUM, r) + '42&next=/', 'mysqladmin -uroot --password=' + rnd(12, ALNUM, r) + '8 status'],
    negatives=PLACEHOLDERS_PW + REFS_PW + ['Old password: \x00incorrect password', 'user = Aladdin\npassword = open_sesame', 'password = super$ecret', "Password=thisismypassword",
                                           ':authn_dbd_params => \'host=db_host port=3306 user=apache password=###### dbname=apache_auth\',',
                                           'USERNAME=donjuan\nPASSWORD=$($(dirname $0)/../bin/get-django-setting LOCAL_DATABASE_PASSWORD)']))
PW_CALL = g[0]['examples'].pop(next(i for i, e in enumerate(g[0]['examples']) if e[1:] == ('generic.8',)))[0]
g.insert(1, dict(id='layerleak.generic.8', secret_must_contain='digit_or_symbol', name='Generic Password Passed with Its Name to a Call (quoted)',
    pattern=q_call_pattern(PW_NAME) + r'''(?P<secret>''' + QV + r''')''' + Q_END + r'''[ \t]{0,3}\)''',
    keywords=['pass', 'pwd'], min_entropy=2.8, confidence='medium', generic=True, categories=['generic', 'password'],
    description='A quoted string passed as the last argument of a call, right after a quoted name ending in password/passwd/pwd/passphrase: setdefault("DB_PASSWORD", "…"), put("password", "…"). (Not in a list, where the next word is no value: "md5", "password", "scram-sha-256",.) Check what it protects and change it. (Split from generic.1 so that both start at their keyword: the engine tries each keyword hit once, anchored, instead of searching the text around it.)',
    references=['https://cwe.mitre.org/data/definitions/259.html'],
    examples=[(PW_CALL, PW_CALL.split('"')[-2]), ("props.put('mail.smtp.password',   'q7Lx!2mVwz')", 'q7Lx!2mVwz'), 'config.set("db", "admin_pwd", "Zr4-8mQp.k2")'],
    negatives=['t("Password", "Passwort")', '("username", "password", "email")', 'os.environ.setdefault("DB_PASSWORD", os.environ["ROOT_PASSWORD"])',
               'settings.put("password", "${DB_PASSWORD}")', 'form.add("password", "changeme1")', 'getpass("Password: ", "")',
               '# METHOD can be "trust", "reject", "md5", "password", "scram-sha-256",']))
# fix the example with a backtick: PASS = '`123QWERasdf' is quoted
g[2]['examples'][3] = "hostname = '10.11.12.13'\nPASS = 123QWERasdf!"

# Not credentials by their surroundings (the engine's context filters): pagination cursors,
# and a secret's name inside an ARN.
CONTEXT_SK = [
    '"NextToken": "U1FsdGVkX19nBV2zoh+Gou9NgnulLJHWpn9xnG4hqSOhvw3o2JqjI86QDxdf"',
    '"NextContinuationToken": "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==",',
    '"ARN": "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3",',
    'next_page_token=Cg9zdG9yZV8yMDI0XzEyEgQ4OTk3',
]

PLACEHOLDERS_SK = [
    'API_KEY = "your-api-key-here"', 'api_key: "<API_KEY>"', 'token: ${{ secrets.GITHUB_TOKEN }}', 'client_secret = "{{ client_secret }}"',
    'SECRET_KEY=changeme', 'access_key: "xxxxxxxxxxxxxxxxxxxx"', 'token = "********************"', '"apiKey": "YOUR_API_KEY"',
    'secret_access_key = \'abcdefg12346+FJQCK\'', 'API_TOKEN=1234567890abcdef', 'token = "aaaaaaaaaaaaaaaaaaaaaaaa"',
]
HASHES = [
    '"integrity": "sha512-' + base64.b64encode(bytes(r.randrange(256) for _ in range(64))).decode() + '"',
    'token: ' + hexs(40, r), 'secret = "' + hexs(64, r) + '"', '"token": "' + hexs(32, r) + '"',
    'api_key: "' + '-'.join([hexs(8, r), hexs(4, r), hexs(4, r), hexs(4, r), hexs(12, r)]) + '"',
    'resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#' + hexs(40, r) + '"', 'checksum = "' + hexs(64, r) + '"',
]
REFS_SK = [
    'api_key = os.environ["API_KEY"]', 'const token = process.env.NPM_TOKEN;', 'SECRET_KEY = os.getenv("SECRET_KEY")', 'token: $CI_JOB_TOKEN',
    'client_secret = settings.OAUTH_CLIENT_SECRET', 'TOKEN=$GITHUB_TOKEN', 'token = ./secrets/token.txt', "api_key = load_key('/etc/app/api.key')", 'apiKey: config.get("apiKey"),', 'TOKEN=$(gcloud auth print-access-token)',
    'secret_key_file = "/etc/app/secret.key"', 'private_key: "/etc/ssl/private/server.key"', 'token_type = "Bearer"', 'max_tokens = 4096',
    'csrf_token: "{{ csrf_token() }}"', 'kind: Secret', 'secretName: tls-cert-prod', 'next_page_token = response.next_page_token',
    'secret: my-app-secret', 'apiKey: ApiKeyFromVaultReference', 'pub fn new(token: X509RequestInheritOptions, x: u32)',
    'token: super::super::Foundation::HANDLE,', 'pub const InheritPrivateKey: X509RequestInheritOptions = 3i32;', 'var tokens = ["token", "access_token", "refresh_token2"];',
]
g.append(dict(id='layerleak.generic.3', secret_must_contain='digit_or_symbol', name='Generic Secret, Token or API Key Assignment (quoted)',
    pattern=q_pattern(SK_NAME) + r'''(?P<secret>''' + QV + r''')''' + Q_END,
    keywords=SK_KW, min_entropy=3.5, confidence='medium', generic=True, categories=['generic', 'api'],
    description='A quoted high-entropy value assigned to or compared with a *secret, *token or *_key (api, access, app, auth, client, encryption, signing, master, private, secret) name. Find the service it belongs to and revoke it there.',
    references=['https://cwe.mitre.org/data/definitions/798.html', 'https://owasp.org/www-community/vulnerabilities/Use_of_hard-coded_password'],
    examples=[('"client_secret": "' + (s := 'Qm8' + rnd(29, ALNUM + '-_', r)) + '",', s), 'API_KEY = "' + rnd(36, ALNUM, r) + '"',
              "headers['X-Api-Key'] = '" + rnd(40, ALNUM, r) + "'", 'auth_token: "' + rnd(24, ALNUM, r) + '.9' + rnd(16, ALNUM, r) + '"',
              "config.encryption_key = '" + base64.b64encode(bytes(r.randrange(256) for _ in range(32))).decode() + "'",
              # drawn here, where generic.3 once held the call form, so that later draws keep their values
              ("os.environ.setdefault('STRIPE_SECRET', '" + rnd(30, ALNUM, r) + "')", 'generic.9')],
    negatives=CONTEXT_SK + PLACEHOLDERS_SK + HASHES + REFS_SK))
SK_CALL = g[-1]['examples'].pop()[0]
g.append(dict(id='layerleak.generic.9', secret_must_contain='digit_or_symbol', name='Generic Secret, Token or API Key Passed with Its Name to a Call (quoted)',
    pattern=q_call_pattern(SK_NAME) + r'''(?P<secret>''' + QV + r''')''' + Q_END + r'''[ \t]{0,3}\)''',
    keywords=SK_KW, min_entropy=3.5, confidence='medium', generic=True, categories=['generic', 'api'],
    description='A quoted high-entropy value passed as the last argument of a call, right after a quoted *secret, *token or *_key name: setdefault("STRIPE_SECRET", "…"). Find the service it belongs to and revoke it there. (Split from generic.3 so that both start at their keyword: the engine tries each keyword hit once, anchored, instead of searching the text around it.)',
    references=['https://cwe.mitre.org/data/definitions/798.html'],
    examples=[(SK_CALL, SK_CALL.split("'")[-2]), 'client.set_header("X-Api-Key", "fIim6ZvIxPAS7MGTnniPk3oeKrrmZqGrSC8NJDWB")'],
    negatives=['os.environ.setdefault("API_TOKEN", os.environ["CI_TOKEN"])', 'settings.put("client_secret", "${CLIENT_SECRET}")',
               '("access_token", "refresh_token", "id_token_hint_value_2")', 't("Secret", "Geheimnis")']))
g.append(dict(id='layerleak.generic.4', secret_must_contain='digit_or_symbol', name='Generic Secret, Token or API Key Assignment (unquoted)',
    pattern=r'''(?i)''' + SK_NAME + U_SEP + r'''(?:base64:)?(?P<secret>''' + UV + r''')''' + U_END,
    keywords=SK_KW, min_entropy=3.5, confidence='low', generic=True, categories=['generic', 'api'],
    description='An unquoted high-entropy value (with a digit or symbol) assigned to a *secret, *token or *_key name in .env files, shell exports, Dockerfile ENV, YAML or properties. Find the service it belongs to and revoke it there.',
    references=['https://cwe.mitre.org/data/definitions/798.html', 'https://docs.docker.com/reference/dockerfile/#env'],
    examples=[('SENDGRID_TOKEN=' + (s := rnd(40, ALNUM, r) + '7'), s), 'export ACCESS_KEY=' + rnd(30, ALNUM, r) + '3', 'ENV APP_SECRET=' + rnd(40, ALNUM + '+/', r) + '=',
              '  api-key: ' + rnd(32, ALNUM, r) + '5', ('APP_KEY=base64:' + (lk := base64.b64encode(bytes(r.randrange(256) for _ in range(32))).decode()), lk)],
    negatives=CONTEXT_SK + PLACEHOLDERS_SK + HASHES + REFS_SK + ['api_key=your_api_key_here', 'TOKEN=replace_with_your_token']))

HEX_NAMES = ['api_key', 'api_secret', 'api_token', 'client_secret', 'app_secret', 'consumer_secret', 'signing_secret', 'webhook_secret',
             'auth_token', 'access_token', 'secret_key', 'license_key', 'private_token']
# lower-case names with _, - or . between the words (Java properties), and upper-case variables
# ending in _SECRET, _TOKEN, PASSWORD or PASSWD (.env, shell, PowerShell)
HEXN = (r"""(?:""" + '|'.join(a + r'[_.-]?' + b for a, b in (n.split('_') for n in HEX_NAMES))
        + r"""|(?-i:_SECRET|_TOKEN|PASSWORD|PASSWD))""")
HEX_KW = [a + sep + b for a, b in (n.split('_') for n in HEX_NAMES) for sep in ('_', '-', '.', '')] + ['_secret', '_token', 'password', 'passwd']
g.append(dict(id='layerleak.generic.5', name='Hex-Encoded API Key, Client Secret or Password Assignment',
    pattern=(r"""(?i)""" + HEXN + r"""(?:\\?["'`])?\]?[ \t]{0,16}(?:={1,3}|:=|=>|:|,)[ \t]{0,16}(?:\\?["'`]){0,2}(?P<secret>[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})(?:[^0-9A-Za-z]|$)"""),
    keywords=HEX_KW, min_entropy=3.0, confidence='low', categories=['generic', 'api'],
    description='A 32-, 40- or 64-digit hex value assigned to an api_key, api_token, client_secret, app_secret, signing_secret, webhook_secret, auth_token, access_token or secret_key name (separated by _, - or ., as in Java properties), or to an upper-case *_SECRET, *_TOKEN or *PASSWORD variable (.env files, shell and PowerShell, where a variable holds a credential, not a hash of one). Many services issue keys in this shape (OAuth client secrets, Twilio auth tokens, Mailgun and New Relic keys), which the generic rules skip because unnamed hex strings are usually hashes. Find the service and revoke the key.',
    references=['https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1', 'https://cwe.mitre.org/data/definitions/798.html'],
    examples=[('    private static String CLIENT_SECRET = "6fb1cff7690db9ac066cadbbde8e3c078efdabcf";', '6fb1cff7690db9ac066cadbbde8e3c078efdabcf'),
              ('API_KEY = "951bc382db9abad29c68634761dd6e19"', '951bc382db9abad29c68634761dd6e19'),
              "buildConfigField 'String' , 'API_KEY' , '\"951bc382db9cfee29c68634761dd6e19\"'\tAPI_KEY\t", 'TWILIO_AUTH_TOKEN=' + hexs(32, r),
              '"app_secret": "' + hexs(32, r) + '"', 'SECRET_KEY=' + hexs(64, r),
              ('app.secret.key=3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e', '3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e'),
              ("export DB_PASSWORD='9d4e2f7a1b8c3e6f0a5d2b9c4e7f1a3d5b8c0e2f'", '9d4e2f7a1b8c3e6f0a5d2b9c4e7f1a3d5b8c0e2f'),
              ('$env:SERVICE_TOKEN = "c41f8e2a9b7d3065e1f4a8c2b9d7e3f0a6c1b8e4d2f9a7c3e0b5d8f1a4c7e2b9"', 'c41f8e2a9b7d3065e1f4a8c2b9d7e3f0a6c1b8e4d2f9a7c3e0b5d8f1a4c7e2b9'),
              '  api_token: "e2b7c9f1a4d8e3b6c0f5a9d2e7b1c4f8"', "SIGNING_SECRET = '7f3e9a1c5b8d2e6f4a0c9b3d7e1f5a8c'"],
    negatives=['api_key = "' + '0' * 32 + '"', '"integrity": "sha1-' + hexs(40, r) + '"',
               'commit: ' + hexs(40, r), 'api_key_sha256 = "' + hexs(64, r) + '"',
               'name="ws_plugin__s2member_amazon_s3_comp_files_access_key" id="ws-plugin--s2member-amazon-s3-comp-files-access-key"',
               # upper-case hex is a GPG fingerprint or a checksum, and *_SHA256 / *_hash names hold digests
               'ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305', 'ENV PYTHON_SHA256=8ab9d2c4f5e6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2',
               'password = "804225f969f1a6e7c618c8fc9d640075fcc2efb086dfede1589caba552abb45d"', 'password_hash: 9d4e2f7a1b8c3e6f0a5d2b9c4e7f1a3d5b8c0e2f',
               'DB_PASSWORD_SHA256=9d4e2f7a1b8c3e6f0a5d2b9c4e7f1a3d5b8c0e2f9d4e2f7a1b8c3e6f0a5d2b9c', 'checksum_token_secret: 9d4e2f7a1b8c3e6f0a5d2b9c4e7f1a3d5b8c0e2f-extra']))

XV = value(r'''\s<>''', r'''$%{#&*@''', prefixes=['password', 'your', '123456', 'abcd', 'test', 'change'], lo=1, hi=100, tail_extra=BIN)
g.append(dict(id='layerleak.generic.6', name='Password or Secret in an XML Element',
    pattern=(r'''(?i)<(?:[a-z][a-z0-9_.:-]{0,40})?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey)>(?P<secret>''' + XV + r''')</'''),
    keywords=['password>', 'passwd>', 'pwd>', 'passphrase>', 'secret>', 'token>', 'key>'], min_entropy=3.0, confidence='medium', generic=True,
    categories=['generic', 'password'],
    description='A password, secret, token or API key as the text of an XML element: Maven settings.xml, NuGet.config, FileZilla and Tomcat configs, Spring XML. Change it; Maven supports encrypted {...} passwords instead.',
    references=['https://maven.apache.org/settings.html#servers', 'https://maven.apache.org/guides/mini/guide-encryption.html'],
    examples=[('<server>\n  <id>nexus-releases</id>\n  <username>deployer</username>\n  <password>' + (p := 'Ty6' + rnd(13, ALNUM, r)) + '</password>\n</server>', p),
              '<jdbcPassword>' + rnd(12, ALNUM, r) + '!</jdbcPassword>', '<apiKey>' + rnd(32, ALNUM, r) + '</apiKey>'],
    negatives=['<password>${env.NEXUS_PASSWORD}</password>', '<password>{COQLCE6DU6GtcS5P=}</password>', '<password></password>', '<password>password123</password>',
               '<password>changeme</password>', '<secret>my secret</secret>', '<token>' + hexs(40, r) + '</token>']))

SP_NAME = r'''(?:\bENV[ \t]{1,8}[A-Za-z0-9_]{0,60}(?:PASSWORD|PASSWD|_PASS|_PWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|SECRET_?KEY)|--(?:password|passwd|passphrase|token|secret|api-key|access-key|secret-key))'''
g.append(dict(id='layerleak.generic.7', secret_must_contain='digit_or_symbol', name='Password or Secret after ENV or a Command-Line Flag',
    pattern=r'''(?i)''' + SP_NAME + r'''[ \t]{1,8}["']?(?P<secret>''' + UV + r''')''' + U_END,
    keywords=['pass', 'pwd', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'accesskey', 'access_key', 'access-key'], min_entropy=3.0, confidence='low', generic=True,
    categories=['generic', 'password'],
    description='A secret set with the legacy "ENV NAME value" Dockerfile form, or passed as "--password value" / "--token value" on a command line (RUN lines, entrypoints, CI scripts). Change it; use build secrets instead of ENV and ARG.',
    references=['https://docs.docker.com/reference/dockerfile/#env', 'https://docs.docker.com/build/building/secrets/'],
    examples=[('ENV DB_PASSWORD ' + (p := 'Gq4' + rnd(12, ALNUM, r)), p), 'RUN vault login --token ' + rnd(24, ALNUM, r) + '7 && vault kv get secret/app',
              'ENV GITHUB_TOKEN ' + rnd(36, ALNUM, r) + '2', 'pg_dumpall --password ' + rnd(10, ALNUM, r) + '#9 > dump.sql'],
    negatives=['ENV DB_PASSWORD_FILE /run/secrets/db', 'docker login --password-stdin', 'ENV DB_PASSWORD ${DB_PASSWORD}', 'mysql --password "$MYSQL_PWD"',
               'ENV API_KEY your-api-key', '--password <password>', 'ENV TOKEN changeme']))

# Base64 keys the quoted/unquoted value trees leave out: a value starting with -, / or +
# (generic.10), and dotted property names ending in .key (generic.11).
B64_PREFIXES = SK_PREFIXES + ['session']
B64_NAME = r"""(?:secret|token|(?:""" + '|'.join(B64_PREFIXES) + r""")[_.-]?key)"""
B64_KW = ['secret', 'token'] + [p + s + 'key' for p in B64_PREFIXES if p != 'secret' for s in ('_', '-', '.', '')] + ['session_key', 'session-key', 'session.key', 'sessionkey']
B64_KW = list(dict.fromkeys(B64_KW))
g.append(dict(id='layerleak.generic.10', secret_must_contain='upper_lower_digit', name='Base64 Secret, Token or Key Assignment (value starting with -, / or +)',
    pattern=(r"""(?i)""" + B64_NAME + r"""(?:\\?["'`])?\]?[ \t]{0,16}(?:={1,3}|:=|=>|:)[ \t]{0,16}(?:\\?["'`])?(?P<secret>[/+][A-Za-z0-9+/]{26,85}={0,2}|-[A-Za-z0-9_-]{26,85})(?:[^A-Za-z0-9+/=_-]|$)"""),
    keywords=B64_KW, min_entropy=4.2, confidence='medium', generic=True, categories=['generic', 'api'],
    description='A base64 or base64url value (20 random bytes or more, with upper- and lower-case letters and digits) that starts with -, / or + (one random key in twenty), assigned to a *secret, *token or *_key name: the values the other generic rules leave out, because a leading symbol usually opens a flag, a path or an expression. Pagination cursors (nextToken, pageToken, NextContinuationToken) are skipped. Find the service it belongs to and revoke it there.',
    references=['https://www.rfc-editor.org/rfc/rfc4648#section-4', 'https://cwe.mitre.org/data/definitions/798.html'],
    examples=[('API_SECRET=/nZ6SOAGofyNMCSwmVa0fr0oktEqjouO0mS6PcUUGUK2', '/nZ6SOAGofyNMCSwmVa0fr0oktEqjouO0mS6PcUUGUK2'),
              ('client_secret: -tidKFwvMa9fOmCs1JORu-vT6FB1BN0pYzzAfryzxxQ', '-tidKFwvMa9fOmCs1JORu-vT6FB1BN0pYzzAfryzxxQ'),
              ('$env:API_KEY = "+kzOuSPHSzxqb+uvE86FMXGkXw9FevjHsVpwd2LCuTaV"', '+kzOuSPHSzxqb+uvE86FMXGkXw9FevjHsVpwd2LCuTaV'),
              '{"clientSecret": "-nj3-j0M9KAqsrX-CqkI043KFQc8vmcLdMd4Cw8rxPY", "x": 1}'],
    negatives=['"nextToken": "/YwTxx7Vx9jtCRCjBJYsfvOZkYANxVI8+57AOS8jeRk="', 'NextContinuationToken: +W7tVi2iQmLcpnkSnFbACk3ODYCG2qCHn5TD/1va7bA=',
               '"pageToken": "-1CUQbRyAALDGu9tWBjz2T-Mvmzr3oTtolYXgp7qaBU"', 'secret: /run/secrets/app_signing_key_file',
               'private_key: /etc/ssl/private/Server2024SigningKeys/current', 'token: --generate-token-with-a-very-long-flag-name-2',
               'api_key: -AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']))
g.append(dict(id='layerleak.generic.11', secret_must_contain='upper_lower_digit', name='Base64 Key Assignment to a Dotted Property Name',
    pattern=(r"""(?i)(?:""" + '|'.join(B64_PREFIXES) + r""")\.key[ \t]{0,16}(?:=|:)[ \t]{0,16}(?:\\?["'`])?(?P<secret>[A-Za-z0-9+/]{27,86}={0,2}|[A-Za-z0-9_-]{27,86})(?:[^A-Za-z0-9+/=_-]|$)"""),
    keywords=[p + '.key' for p in B64_PREFIXES], min_entropy=4.2, confidence='medium', generic=True, categories=['generic', 'api'],
    description='A base64 or base64url value (20 random bytes or more, with upper- and lower-case letters and digits) assigned to a dotted Java/Spring property name ending in .key (app.secret.key, jwt.signing.key, api.key), in .properties (= or :) or YAML. Find the service it belongs to and revoke it there.',
    references=['https://docs.oracle.com/javase/8/docs/api/java/util/Properties.html#load-java.io.Reader-', 'https://cwe.mitre.org/data/definitions/798.html'],
    examples=[('app.secret.key=aLYSbr97mVRHePcCN/47fy7TIrUZdJHXlxUXSowIlhs=', 'aLYSbr97mVRHePcCN/47fy7TIrUZdJHXlxUXSowIlhs='),
              ('app.secret.key: iLfLPSEkvjp8io2E7-iNuEeStT_oxSRlZux8FK14by4', 'iLfLPSEkvjp8io2E7-iNuEeStT_oxSRlZux8FK14by4'),
              ('jwt.signing.key = "kzOuSPHSzxqb+uvE86FMXGkXw9FevjHsVpwd2LCuTaVF"', 'kzOuSPHSzxqb+uvE86FMXGkXw9FevjHsVpwd2LCuTaVF')],
    negatives=['app.secret.key=${APP_SECRET_KEY}', 'server.ssl.private.key=classpath:keys/server2024.pem', 'app.api.key=c568aa62-ba12-e5da-eea9-213c38f247c4',
               'app.secret.key=0c9de1ad23c7b2f5bddb2ec21487ceb527d236fec6beaf7367ae2779b93f7d84', 'app.secret.key=ApplicationSecretKeyFromVaultReference']))

write('generic.toml', '''
# Generic, provider-less credential assignments. These rules are the noisiest in the set, so
# each value must pass several gates:
#  - the key must END with the keyword (password, passwd, pwd, pass, passphrase; secret, token,
#    *_key): DB_PASSWORD matches, PASSWORD_FILE, password_hash and passwordLabel do not;
#  - the value may not start with a reference or template opener ($ % < { [ ( & * # / @ ...);
#  - unquoted values may not contain '.', ':', '$', brackets or commas (env.X, getPassword(),
#    ENV["X"], a::B, shell $VAR), and must end the line or be followed by a comment or a quote;
#  - every value needs a digit or a symbol other than '=' (secret_must_contain, checked by the
#    engine): an all-letter value is a word or an identifier ("Passwort", "new_password"),
#    and a value with '/' needs a digit (routes, paths);
#  - values starting with common placeholder words are rejected (password..., your...,
#    123456..., abcd..., test..., dummy..., replace..., redacted..., http...);
#  - min_entropy 2.8 (human-chosen passwords; 3.0 would drop most 8-10 character ones with a
#    repeated letter) / 3.5 (secrets, tokens, keys), and `generic = true` so the
#    engine also drops hashes, UUIDs, paths and identifiers.
# Because the regex crate has no look-ahead, the placeholder-word exclusions are spelled out
# as a prefix tree of character classes; that is what the long (?i:...) value groups are.
# generic.5 is the exception: it is the hex-only companion of generic.3 for key names where a
# hex value is a key, not a hash, and so is not marked generic.
''', g)
