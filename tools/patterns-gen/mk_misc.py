from common import *
from tomlw import write
from frags import *

r = random.Random(4321)
CRYPT = './' + string.ascii_letters + string.digits
# ---------------------------------------------------------------- password hashes
def ph(id_, name, pattern, keywords, desc, refs, examples, negatives, conf='low'):
    return dict(id=id_, name=name, pattern=pattern, keywords=keywords, confidence=conf, categories=['password-hash'],
                description=desc, references=refs, examples=examples, negatives=negatives)
SHADOW_NEG = ['root:*:19000:0:99999:7:::', 'daemon:!:19000::::::', 'nobody:!*:19000:0:99999:7:::', 'admin:!!:19000:0:99999:7:::']
END = r'(?:[^./A-Za-z0-9]|$)'
md5 = '$1$' + rnd(8, CRYPT, r) + '$' + rnd(22, CRYPT, r)
apr = '$apr1$' + rnd(8, CRYPT, r) + '$' + rnd(22, CRYPT, r)
bc = '$2b$12$' + rnd(53, CRYPT, r)
bc2 = '$2y$10$' + rnd(53, CRYPT, r)
s256 = '$5$rounds=535000$' + rnd(16, CRYPT, r) + '$' + rnd(43, CRYPT, r)
s512 = '$6$' + rnd(16, CRYPT, r) + '$' + rnd(86, CRYPT, r)
s512b = '$6$' + rnd(8, CRYPT, r) + '$' + rnd(86, CRYPT, r)
ys = '$y$j9T$' + rnd(22, CRYPT, r) + '$' + rnd(43, CRYPT, r)
c8 = '$8$' + rnd(14, CRYPT, r) + '$' + rnd(43, CRYPT, r)
c9 = '$9$' + rnd(14, CRYPT, r) + '$' + rnd(43, CRYPT, r)
pw = [
 ph('layerleak.pwhash.1', 'Password Hash (md5crypt)', r'\B(?P<secret>\$(?:1|apr1)\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22})' + END, ['$1$', '$apr1$'],
    'An MD5-crypt password hash (old /etc/shadow entries, Apache htpasswd $apr1$). Fast to crack offline: assume the password is known and change it.',
    ['https://man.archlinux.org/man/crypt.5#MD5-crypt', 'https://httpd.apache.org/docs/2.4/misc/password_encryptions.html'],
    [('deploy:' + md5 + ':19345:0:99999:7:::', md5), 'admin:' + apr, '$1$OKgLCmVl$d02jECa4DXn/oXX0R.MoQ/'],
    SHADOW_NEG + ['$1$', 'echo $1$2', 'crypt("$1$<salt>$")']),
 ph('layerleak.pwhash.2', 'Password Hash (bcrypt)', r'\B(?P<secret>\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53})' + END, ['$2a$', '$2b$', '$2x$', '$2y$', '$2$'],
    'A bcrypt password hash (htpasswd, application user tables and seed data, config files). Slow to crack, but weak passwords fall: change the password if the hash belongs to a real account.',
    ['https://man.archlinux.org/man/crypt.5#bcrypt', 'https://www.usenix.org/legacy/events/usenix99/provos/provos_html/node5.html'],
    [('INSERT INTO users (email, password_hash) VALUES (\'ops@acme.io\', \'' + bc + '\');', bc), 'admin:' + bc2, '"password": "' + bc + '"'],
    SHADOW_NEG + ['$2b$12$', 'bcrypt format: $2b$<cost>$<22 salt><31 hash>']),
 ph('layerleak.pwhash.3', 'Password Hash (sha256crypt)', r'\B(?P<secret>\$5\$(?:rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43})' + END, ['$5$'],
    'A SHA-256-crypt password hash (/etc/shadow). Crackable offline if the password is weak: change it.',
    ['https://www.akkadia.org/drepper/SHA-crypt.txt', 'https://man.archlinux.org/man/crypt.5#SHA-crypt'],
    [('svc:' + s256 + ':19800:0:99999:7:::', s256), '$5$9ks3nNEqv31FX.F$gdEoLFsCRsn/WRN3wxUnzfeZLoooVlzeF4WjLomTRFD'],
    SHADOW_NEG + ['$5$rounds=5000$', '$5$salt$short']),
 ph('layerleak.pwhash.4', 'Password Hash (sha512crypt)', r'\B(?P<secret>\$6\$(?:rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86})' + END, ['$6$'],
    'A SHA-512-crypt password hash, the /etc/shadow default of most distributions before yescrypt. A non-locked root or user hash in an image means a password login exists: change it, or lock the account.',
    ['https://www.akkadia.org/drepper/SHA-crypt.txt', 'https://man.archlinux.org/man/shadow.5'],
    [('root:' + s512 + ':19723:0:99999:7:::', s512), 'RUN echo \'app:' + s512b + '\' | chpasswd -e', 'password: "' + s512 + '"'],
    SHADOW_NEG + ['$6$rounds=656000$', 'root:$6$<salt>$<hash>:19000:0:99999:7:::']),
 ph('layerleak.pwhash.5', 'Password Hash (yescrypt)', r'\B(?P<secret>\$g?y\$[./A-Za-z0-9]{1,12}\$[./A-Za-z0-9]{1,86}\$[./A-Za-z0-9]{43})' + END, ['$y$', '$gy$'],
    'A yescrypt password hash, the /etc/shadow default of current Debian, Ubuntu and Fedora. Slow to crack, but a hash for a real account still exposes weak passwords: change or lock it.',
    ['https://man.archlinux.org/man/crypt.5#yescrypt', 'https://www.openwall.com/yescrypt/'],
    [('ubuntu:' + ys + ':19800:0:99999:7:::', ys)],
    SHADOW_NEG + ['$y$j9T$', 'ENCRYPT_METHOD YESCRYPT']),
 ph('layerleak.pwhash.6', 'Password Hash (Cisco type 8 or 9)', r'\B(?P<secret>\$[89]\$[./A-Za-z0-9]{14}\$[./A-Za-z0-9]{43})' + END, ['$8$', '$9$'],
    'A Cisco IOS type 8 (PBKDF2-SHA256) or type 9 (scrypt) secret from a device configuration. Crackable offline when weak: change the enable or user secret.',
    ['https://www.cisco.com/c/en/us/support/docs/security-vpn/remote-authentication-dial-user-service-radius/220560-understanding-cisco-ios-password-encryption.html', 'https://hashcat.net/wiki/doku.php?id=example_hashes'],
    [('enable secret 8 ' + c8, c8), 'username netops privilege 15 secret 9 ' + c9, '$8$TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk'],
    ['enable secret 8 <hash>', 'enable secret 5 <md5-hash>', 'echo $8$9']),
]
write('pwhash.toml', '''
# Password hashes in crypt(3) formats: /etc/shadow entries, htpasswd files, application seed
# data and device configs. A hash is not a password, so every rule is low confidence, but a
# cracked weak password is as good as a leaked one. Formats from crypt(5) and Drepper's
# SHA-crypt specification. Locked and empty shadow entries ("*", "!", "!!") never match:
# only a complete hash with the exact digest length does. `\\B` requires a non-word character
# (":", quote, space) or the start of the text before the "$".
''', pw)

# ---------------------------------------------------------------- kerberos
asrep = '$krb5asrep$23$svc_sql@CORP.ACME.LOCAL:' + hexs(32, r) + '$' + hexs(464, r)
asrep2 = '$krb5asrep$23$' + hexs(32, r) + '$' + hexs(448, r)
tgs = '$krb5tgs$23$*svc_web$CORP.ACME.LOCAL$http/web01.corp.acme.local*$' + hexs(32, r) + '$' + hexs(1200, r)
asrep18 = '$krb5asrep$18$backup$CORP.ACME.LOCAL$' + hexs(24, r) + '$' + hexs(400, r)
tgs18 = '$krb5tgs$18$svc_web$CORP.ACME.LOCAL$*http/web01*$' + hexs(24, r) + '$' + hexs(600, r)
krb = [
 dict(id='layerleak.krb5.1', name='Kerberos AS-REP Roasting Hash',
      pattern=r'(?P<secret>\$krb5asrep\$(?:23\$(?:[^\s:$]{1,256}:)?[0-9a-fA-F]{32}\$[0-9a-fA-F]{64,8192}|1[78]\$[^\s$]{1,256}\$[^\s$]{1,256}\$[0-9a-fA-F]{24}\$[0-9a-fA-F]{64,8192}))',
      keywords=['$krb5asrep$'], confidence='medium', categories=['password-hash', 'kerberos'],
      description='An AS-REP of a Kerberos account without pre-authentication, in the hashcat/John format produced by roasting tools. It cracks offline to the account\'s password: change the password and enable pre-authentication.',
      references=['https://hashcat.net/wiki/doku.php?id=example_hashes', 'https://www.rfc-editor.org/rfc/rfc4120#section-5.4.2'],
      examples=[(asrep, asrep), asrep2, asrep18], negatives=['$krb5asrep$23$user@domain:<checksum>$<edata2>', '$krb5asrep$23$']),
 dict(id='layerleak.krb5.2', name='Kerberos TGS-REP Hash (Kerberoasting)',
      pattern=r'(?P<secret>\$krb5tgs\$(?:23\$\*[^\s*]{1,512}\*\$[0-9a-fA-F]{32}\$[0-9a-fA-F]{64,12000}|1[78]\$[^\s$]{1,256}\$[^\s$]{1,256}\$(?:\*[^\s*]{1,512}\*\$)?[0-9a-fA-F]{24}\$[0-9a-fA-F]{64,12000}))',
      keywords=['$krb5tgs$'], confidence='medium', categories=['password-hash', 'kerberos'],
      description='A service ticket encrypted with a service account\'s key, in the hashcat/John format produced by Kerberoasting tools. It cracks offline to the service account\'s password: change it (long random passwords or gMSAs).',
      references=['https://hashcat.net/wiki/doku.php?id=example_hashes', 'https://www.rfc-editor.org/rfc/rfc4120#section-5.3'],
      examples=[(tgs, tgs), tgs18], negatives=['$krb5tgs$23$*user$realm$spn*$<checksum>$<edata>', '$krb5tgs$']),
]
write('krb5.toml', '''
# Crackable Kerberos material in the text formats of hashcat and John the Ripper (modes 18200,
# 13100, 19600-19800, 32100/32200). Keytab files are binary and left to path rules.
''', krb)

# ---------------------------------------------------------------- php / psexec / react
phpv = value(r'''"'\r\n''', r'''$%{<*''', words=W_PW, prefixes=['your'], lo=1, hi=100, tail_extra=BIN)
php = dict(id='layerleak.phpmailer.1', name='PHPMailer SMTP Password',
    pattern=r'''(?i)\$[A-Za-z_][A-Za-z0-9_]{0,40}->Password[ \t]{0,40}=[ \t]{0,8}["'](?P<secret>''' + phpv + r''')["']''',
    keywords=['->Password'], confidence='medium', categories=['smtp', 'credentials'],
    description='The SMTP password set on a PHPMailer object ($mail->Password = ...), which lets anyone send mail as the account. Change the password or app password.',
    references=['https://github.com/PHPMailer/PHPMailer/blob/master/README.md#a-simple-example', 'https://phpmailer.github.io/PHPMailer/classes/PHPMailer-PHPMailer-PHPMailer.html#property_Password'],
    examples=[("$mail->Username   = 'alerts@acme.io';\n$mail->Password   = '" + (p := 'h7Qz' + rnd(12, ALNUM, r)) + "';                               //SMTP password", p),
              ("$mail->Password = 'un!techwhooah';                           // SMTP password", 'un!techwhooah'),
              '$mailer->Password = "' + rnd(16, string.ascii_lowercase, r) + '";'],
    negatives=["$mail->Password = getenv('SMTP_PASSWORD');", '$mail->Password = $config["smtp_pass"];', "$mail->Password = '';",
               "$mail->Password = 'password';", "$mail->Password = 'your_smtp_password';", '$mail->Password = "{$smtpPass}";'])
write('phpmailer.toml', '# PHPMailer SMTP credentials set in PHP source.', [php])

psv = field_pw(r'''\s"'`''', r'''$%*{<\-/''')
psx = dict(id='layerleak.psexec.1', name='Password in a PsExec Command Line',
    pattern=(r'''(?i)\bpsexec(?:64)?(?:\.exe)?\b[^\r\n]{0,300}?[ \t]-u[ \t]{1,5}["']?[^\s"']{1,100}["']?[ \t]{1,5}-p[ \t]{1,5}["']?(?P<secret>'''
             + psv + r''')(?:[\s"']|$)'''),
    keywords=['psexec'], confidence='medium', categories=['windows', 'credentials'],
    description='A Sysinternals PsExec invocation with -u user -p password, usually a domain or local administrator. Change that account\'s password.',
    references=['https://learn.microsoft.com/en-us/sysinternals/downloads/psexec'],
    examples=[('cmd.exe /C PSEXEC \\\\10.0.94.120 -u Administrator -p dev_admin CMD /C ECHO', 'dev_admin'),
              'system("psexec \\\\\\\\192.168.3.77 -u Administrator -p braksha shutdown -r -f -t 0");',
              'PsExec64.exe \\\\build01 -u CORP\\svc_deploy -p ' + rnd(14, ALNUM, r) + ' -h cmd /c deploy.cmd'],
    negatives=['psexec \\\\host -u %USER% -p %PASS% cmd', 'psexec \\\\OAIJCTDU8024272 -u User -p $Password -i -d calc.exe', 'psexec \\\\host -u admin -p <password> cmd',
               'PsExec.exe -s -i cmd.exe'])
write('psexec.toml', '# Credentials on Sysinternals PsExec command lines (scripts, scheduled tasks, CI jobs).', [psx])

rav = field_pw(r'''\s"'`''', r'''$%*{<#/''', extra_words=['true', 'false', 'null', 'undefined'])
react = dict(id='layerleak.reactapp.1', name='Password in a Create React App Environment Variable',
    pattern=(r'''\bREACT_APP_(?:[A-Z0-9_]{0,60}_)?(?:PASSWORD|PASSWD|PASS|PWD)[ \t]{0,3}=[ \t]{0,3}["']?(?P<secret>''' + rav + r''')(?:[\s"']|$)'''),
    keywords=['REACT_APP_'], confidence='medium', categories=['frontend', 'credentials'],
    description='A password in a REACT_APP_* variable. Create React App inlines these into the JavaScript bundle it serves to every visitor, so the password is public wherever the app is deployed. Change it and move the logic server-side.',
    references=['https://create-react-app.dev/docs/adding-custom-environment-variables/'],
    examples=[('REACT_APP_AUTH_PASSWORD=whiteduke    # some comment', 'whiteduke'), ('# REACT_APP_GUEST_PASSWORD=mycoin!1', 'mycoin!1'),
              'REACT_APP_MAILER_PASSWORD=' + rnd(14, ALNUM, r), 'ENV REACT_APP_ADMIN_PASS="' + rnd(12, ALNUM, r) + '"'],
    negatives=['  const password = process.env.REACT_APP_FIREBASE_DEV_PASSWORD || "not-set"', 'REACT_APP_FRONTEND_LOGIN_FORGOT_PASSWORD=$REACT_APP_MATRIX_BASE_URL/classroom/#/forgot_password',
               'REACT_APP_PASSWORD=', 'REACT_APP_PASSWORD=password', 'REACT_APP_BYPASS_CACHE=true', 'REACT_APP_PASSWORD_MIN_LENGTH=12', 'REACT_APP_PASSWORD=${PASSWORD}'])
write('reactapp.toml', '''
# Passwords in Create React App REACT_APP_* variables, which end up in the public bundle.
# User names (REACT_APP_*_USER) and public client keys are not secrets and are not reported.
''', [react])

# ---------------------------------------------------------------- dotnet
DQ = value(r'''"\r\n''', r'''$%{<*''', words=W_PW, prefixes=['your'], lo=1, hi=100, tail_extra=BIN)
dn = [
 dict(id='layerleak.dotnet.1', name='Credentials in a .NET NetworkCredential Constructor',
      pattern=r'''(?i)\bNetworkCredential\([ \t]{0,3}(?:@?"[^"\r\n]{1,128}"|[A-Za-z_][A-Za-z0-9_.]{0,64})[ \t]{0,3},[ \t]{0,3}@?"(?P<secret>''' + DQ + r''')"''',
      keywords=['NetworkCredential'], confidence='medium', categories=['windows', 'credentials'],
      description='A hard-coded password passed to System.Net.NetworkCredential (SMTP, HTTP, SMB clients in C# and PowerShell). Change the account\'s password.',
      references=['https://learn.microsoft.com/en-us/dotnet/api/system.net.networkcredential.-ctor'],
      examples=[('sender.Credentials = new NetworkCredential("NuGets@example.com", "vzihlaquknriqlht");', 'vzihlaquknriqlht'),
                '$webClient.Credentials = new-object System.Net.NetworkCredential("cidownload", "AP7JaG9ToerxBc6gWP5LcU2CNpb");',
                'client.Credentials = new NetworkCredential(smtpUser, "' + rnd(16, ALNUM, r) + '");'],
      negatives=['new NetworkCredential(user, password)', 'new NetworkCredential("user", "")', 'new NetworkCredential("user", "password")',
                 'new NetworkCredential("user", Environment.GetEnvironmentVariable("SMTP_PASS"))', 'new NetworkCredential("user", $"{pass}")']),
 dict(id='layerleak.dotnet.2', name='Credentials in a .NET DirectoryEntry Constructor',
      pattern=r'''(?i)\bDirectoryEntry\([ \t\r\n]{0,20}@?"[^"\r\n]{1,300}"[ \t\r\n]{0,3},[ \t\r\n]{0,20}@?"[^"\r\n]{1,200}"[ \t\r\n]{0,3},[ \t\r\n]{0,20}@?"(?P<secret>''' + DQ + r''')"''',
      keywords=['DirectoryEntry'], confidence='medium', categories=['windows', 'ldap', 'credentials'],
      description='A hard-coded LDAP/Active Directory bind password passed to System.DirectoryServices.DirectoryEntry. Change the account\'s password.',
      references=['https://learn.microsoft.com/en-us/dotnet/api/system.directoryservices.directoryentry.-ctor'],
      examples=[('$domain = New-Object DirectoryServices.DirectoryEntry("LDAP://10.10.10.1","domain\\user", "secret")', 'secret'),
                'new DirectoryEntry("LDAP://EXAMPLE.COM",\n          "ADMNALRRHH@EXAMPLE.COM",\n          "Rrhh1234");'],
      negatives=['new DirectoryEntry("LDAP://dc01", user, pass)', 'new DirectoryEntry("LDAP://dc01")', 'new DirectoryEntry("LDAP://dc01", "user", "password")']),
 dict(id='layerleak.dotnet.3', name='Secret in .NET appSettings',
      pattern=(r'''(?i)<add[ \t]{1,5}key[ \t]{0,3}=[ \t]{0,3}"[A-Za-z0-9_.:-]{0,60}(?:password|passwd|pwd|secret|token|(?:api|access|secret)[_.-]?key)"[ \t]{1,5}value[ \t]{0,3}=[ \t]{0,3}"(?P<secret>'''
               + value(r'''"\r\n\s''', r'''$%{<*#&''', words=W_PW, prefixes=['your'], lo=1, hi=64, tail_extra=BIN) + r''')"'''),
      keywords=['<add'], min_entropy=3.0, confidence='medium', categories=['windows', 'credentials'],
      description='A password, secret, token or API key in an <appSettings> entry of web.config/app.config. Change it and move it to a secret store.',
      references=['https://learn.microsoft.com/en-us/dotnet/framework/configure-apps/file-schema/appsettings/add-element-for-appsettings'],
      examples=[('<add key="FromEmailAddress" value="killer.joe@example.com"/>\n<add key="FromEmailPassword" value="Prestigitariu$"/>', 'Prestigitariu$'),
                '<add key="Stripe:SecretKey" value="' + rnd(32, ALNUM, r) + '" />'],
      negatives=['<add key="ClearTextPassword" value="eyJ0eXAiOiAiVENWMiJ9.RkNWLXdXS3M1RVBfencxM4A0WmJzdVlCQzFj.OGY1OWRkNGMtYTUxYS04ZDYwLWFiZGYtZWE5MWFhZWJiODhh" />',
                 '<add key="SmtpPassword" value="" />', '<add key="SmtpPassword" value="password" />', '<add key="ApiKey" value="$(ApiKey)" />',
                 '<add key="PasswordMinLength" value="12" />']),
]
write('dotnet.toml', '# Hard-coded credentials in .NET code and configuration (NetworkCredential, DirectoryEntry, appSettings).', dn)

# ---------------------------------------------------------------- django / rails / flask
DJ = 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)'
def djkey():
    # the engine's placeholder markers "$(" and "%(" also occur in real keys; avoid them here
    while True:
        k = rnd(50, DJ, r)
        if '$(' not in k and '%(' not in k:
            return k
dj1 = 'django-insecure-' + djkey()
dj2 = djkey()
dj1b = 'django-insecure-' + djkey()
dj = [
 dict(id='layerleak.django.1', name='Django Secret Key (startproject default)',
      pattern=r'''(?P<secret>django-insecure-[a-z0-9!@#$%^&*(\-_=+)]{50})''', keywords=['django-insecure-'], min_entropy=3.5, confidence='medium',
      categories=['framework', 'secret'],
      description='A SECRET_KEY generated by django-admin startproject. It signs sessions, password-reset tokens and messages: with it an attacker can forge them (and, with pickle sessions, run code). Generate a new key and keep it out of the image.',
      references=['https://docs.djangoproject.com/en/5.1/ref/settings/#secret-key', 'https://github.com/django/django/blob/main/django/core/management/utils.py'],
      examples=[("# SECURITY WARNING: keep the secret key used in production secret!\nSECRET_KEY = '" + dj1b + "'", dj1b),
                'DJANGO_SECRET_KEY=' + dj1],
      negatives=["SECRET_KEY = 'django-insecure-change-me'", "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']", "SECRET_KEY = 'hmm'"]),
 dict(id='layerleak.django.2', name='Django Secret Key in settings.py',
      pattern=r'''\bSECRET_KEY[ \t]{0,5}=[ \t]{0,5}[rb]?["'](?P<secret>[a-z0-9!@#$%^&*(\-_=+)]{50})["']''', keywords=['SECRET_KEY'], min_entropy=4.0, confidence='medium',
      categories=['framework', 'secret'],
      description='A 50-character SECRET_KEY in the alphabet of django.core.management.utils.get_random_secret_key(). It signs sessions and tokens: generate a new one and load it from the environment.',
      references=['https://docs.djangoproject.com/en/5.1/ref/settings/#secret-key', 'https://github.com/django/django/blob/main/django/core/management/utils.py'],
      examples=[("SECRET_KEY = '" + dj2 + "'", dj2)],
      negatives=["SECRET_KEY = os.environ.get('SECRET_KEY')", "SECRET_KEY = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'", "SECRET_KEY = '" + dj1 + "'"]),
 dict(id='layerleak.django.3', name='Django Secret Key in Environment',
      pattern=r'''(?i)\bDJANGO_SECRET_KEY["']?[ \t]{0,3}[=:][ \t]{0,3}["']?(?P<secret>''' + value(r'''\s"'`''', r'''$%{<*(''', prefixes=['your', 'change', 'replace', 'dummy', 'test', 'django-insecure-'], lo=1, hi=100, tail_extra=BIN) + r''')(?:[\s"']|$)''',
      keywords=['DJANGO_SECRET_KEY'], min_entropy=3.5, confidence='medium', categories=['framework', 'secret'],
      description='A Django SECRET_KEY passed as DJANGO_SECRET_KEY (.env, Dockerfile ENV, Compose, Kubernetes manifests). Generate a new key.',
      references=['https://docs.djangoproject.com/en/5.1/ref/settings/#secret-key', 'https://docs.djangoproject.com/en/5.1/howto/deployment/checklist/#secret-key'],
      examples=[('ENV DJANGO_SECRET_KEY=' + (k := rnd(50, DJ.replace('$', '').replace('%', ''), r)), k), '      DJANGO_SECRET_KEY: "' + rnd(50, ALNUM, r) + '"'],
      negatives=['DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY}', 'DJANGO_SECRET_KEY=change-me-in-production', "DJANGO_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe())')"]),
]
write('django.toml', '# Django SECRET_KEY values (django-admin startproject and get_random_secret_key() formats).', dj)

rk = hexs(128, r)
rails = [
 dict(id='layerleak.rails.1', name='Rails secret_key_base',
      pattern=r'''(?i)\b(?:secret_key_base|secret_token)["']?[ \t]{0,5}(?:=|:|=>)[ \t]{0,5}["']?(?P<secret>[0-9a-f]{64,256})(?:[^0-9A-Za-z]|$)''',
      keywords=['secret_key_base', 'secret_token'], min_entropy=3.0, confidence='high', categories=['framework', 'secret'],
      description='The key a Rails app derives its cookie-signing and encryption keys from (config/secrets.yml, SECRET_KEY_BASE, Rails 3 secret_token). With it sessions can be forged and, for Marshal-serialized cookies, code run. Generate a new one with bin/rails secret.',
      references=['https://guides.rubyonrails.org/security.html#custom-credentials', 'https://api.rubyonrails.org/classes/Rails/Application.html#method-i-secret_key_base'],
      examples=[('production:\n  secret_key_base: ' + rk, rk), 'ENV SECRET_KEY_BASE=' + hexs(128, r), "Acme::Application.config.secret_token = '" + hexs(128, r) + "'"],
      negatives=['secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>', 'SECRET_KEY_BASE=$(bin/rails secret)', 'secret_key_base: ' + '0' * 128]),
 dict(id='layerleak.rails.2', name='Rails Master Key',
      pattern=r'''(?i)\bRAILS_MASTER_KEY["']?[ \t]{0,5}[=:][ \t]{0,5}["']?(?P<secret>[0-9a-f]{32})(?:[^0-9A-Za-z]|$)''',
      keywords=['RAILS_MASTER_KEY'], min_entropy=3.0, confidence='high', categories=['framework', 'secret'],
      description='The key that decrypts config/credentials.yml.enc (config/master.key), passed as RAILS_MASTER_KEY. It reveals every credential the app stores there. Rotate the master key and the credentials it protects.',
      references=['https://guides.rubyonrails.org/security.html#custom-credentials', 'https://edgeguides.rubyonrails.org/configuring.html#config-require-master-key'],
      examples=[('ENV RAILS_MASTER_KEY=' + (mk := hexs(32, r)), mk), 'docker build --build-arg RAILS_MASTER_KEY=' + hexs(32, r) + ' .'],
      negatives=['RAILS_MASTER_KEY=${RAILS_MASTER_KEY}', 'RAILS_MASTER_KEY: <%= File.read("config/master.key") %>', 'RAILS_MASTER_KEY=' + '0' * 32]),
]
write('rails.toml', '# Ruby on Rails secret_key_base / secret_token and the credentials master key.', rails)

fv = value(r'''\s"'\\()\[\]{}.''', r'''$%<*''', prefixes=['your', 'change', 'replace', 'dummy', 'test', 'dev', 'secret', 'super', 'password', '123456', 'abcd'], lo=1, hi=100, tail_extra=BIN)
flask = [dict(id='layerleak.flask.1', name='Flask Secret Key',
    pattern=(r'''(?i)(?:\b(?:app|application|flask_app|server)\.secret_key|\.config\[["']SECRET_KEY["']\]|\bFLASK_SECRET_KEY["']?)[ \t]{0,5}[=:][ \t]{0,5}(?:b?["'])?(?P<secret>'''
             + fv + r''')(?:["'\s]|$)'''),
    keywords=['secret_key'], min_entropy=3.0, confidence='medium', categories=['framework', 'secret'],
    description='The key a Flask app signs its session cookies with (app.secret_key, app.config["SECRET_KEY"], FLASK_SECRET_KEY). With it an attacker can forge sessions, e.g. log in as any user. Generate a new one with secrets.token_hex().',
    references=['https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY', 'https://flask.palletsprojects.com/en/stable/quickstart/#sessions'],
    examples=[("app.secret_key = '" + (fk := hexs(64, r)) + "'", fk), "app.config['SECRET_KEY'] = '" + rnd(32, ALNUM + '-_', r) + "'", 'FLASK_SECRET_KEY=' + rnd(43, ALNUM + '-_', r)],
    negatives=["app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'", "app.secret_key = os.environ['SECRET_KEY']", "app.config['SECRET_KEY'] = 'dev'",
               "app.secret_key = 'super secret key'", "app.config['SECRET_KEY'] = 'your-secret-key'"])]
write('flask.toml', '# Flask SECRET_KEY values.', flask)
