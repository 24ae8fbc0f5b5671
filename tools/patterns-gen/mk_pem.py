from common import *
from tomlw import write

BODY = r'''[A-Za-z0-9+/=\s"'\\]'''
SEP = r'''(?:\s|\\[rn]|["'+]){1,16}'''

def block(label, lo=60, hi=8192, mid=''):
    return (r'(?P<secret>-----BEGIN %s-----%s%s{%d,%d}-----END %s-----)'
            % (label, mid, BODY, lo, hi, label))

r = random.Random(7)
rsa_lines = b64body('MIICXQIBAAKBgQ', 812, 64, r)
rsa = pem('RSA PRIVATE KEY', rsa_lines)
rsa_crlf = pem('RSA PRIVATE KEY', b64body('MIICXAIBAAKBgQ', 812, 64, r), '\r\n')
ec_lines = b64body('MHcCAQEEI', 164, 64, r)
ec = pem('EC PRIVATE KEY', ec_lines)
ec_params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n' + pem('EC PRIVATE KEY', b64body('MHcCAQEEI', 164, 64, r))
dsa = pem('DSA PRIVATE KEY', b64body('MIIBuwIBAAKBgQ', 596, 64, r))
p8_lines = b64body('MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBA', 848, 64, r)
p8 = pem('PRIVATE KEY', p8_lines)
ed = pem('PRIVATE KEY', ['MC4CAQAwBQYDK2VwBCIEI' + rnd(43, B64, r)])
gcp_key = pem('PRIVATE KEY', b64body('MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBA', 848, 64, r)) + '\n'
gcp_json = ('{\n  "type": "service_account",\n  "project_id": "billing-etl-prod",\n  "private_key_id": "%s",\n'
            '  "private_key": "%s",\n  "client_email": "etl-runner@billing-etl-prod.iam.gserviceaccount.com"\n}'
            % (hexs(40, r), gcp_key.replace('\n', '\\n')))
gcp_secret = gcp_key.rstrip('\n').replace('\n', '\\n')
ossh_lines = b64body('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 396, 70, r)
ossh = pem('OPENSSH PRIVATE KEY', ossh_lines)
ossh_enc = pem('OPENSSH PRIVATE KEY', b64body('b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABB', 464, 70, r))
ossh_enc2 = pem('OPENSSH PRIVATE KEY', b64body('b3BlbnNzaC1rZXktdjEAAAAAHWNoYWNoYTIwLXBvbHkxMzA1QG9wZW5zc2guY29tAAAABmJjcnlwdA', 464, 70, r))
pgp = ('-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n' + '\n'.join(b64body('lQOYBGR', 640, 64, r)) + '\n=' + rnd(4, B64, r) + '\n-----END PGP PRIVATE KEY BLOCK-----')
pgp_hdr = ('-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\nComment: release signing subkey\n\n' + '\n'.join(b64body('lQVYBGR', 520, 64, r)) + '\n=' + rnd(4, B64, r) + '\n-----END PGP PRIVATE KEY BLOCK-----')
enc8 = pem('ENCRYPTED PRIVATE KEY', b64body('MIIC3TBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI', 980, 64, r))
trad_enc = pem('RSA PRIVATE KEY', b64body('Vn2', 860, 64, r), headers=['Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-128-CBC,' + rnd(32, '0123456789ABCDEF', r)])
ec_enc = pem('EC PRIVATE KEY', b64body('q9F', 172, 64, r), headers=['Proc-Type: 4,ENCRYPTED', 'DEK-Info: DES-EDE3-CBC,' + rnd(16, '0123456789ABCDEF', r)])

def ppk(enc, alg='ssh-rsa', ver=2):
    pub = b64body('AAAAB3NzaC1yc2EAAAABJQAAAQEA' if alg == 'ssh-rsa' else 'AAAAC3NzaC1lZDI1NTE5AAAAI', 204 if alg == 'ssh-rsa' else 68, 64, r)
    priv = b64body('AAABAQ' if alg == 'ssh-rsa' else 'AAAAI', 584 if alg == 'ssh-rsa' else 44, 64, r)
    lines = ['PuTTY-User-Key-File-%d: %s' % (ver, alg), 'Encryption: ' + ('aes256-cbc' if enc else 'none'),
             'Comment: %s-key-20230114' % ('rsa' if alg == 'ssh-rsa' else 'eddsa'), 'Public-Lines: %d' % len(pub)] + pub
    if enc and ver == 3:
        lines += ['Key-Derivation: Argon2id', 'Argon2-Memory: 8192', 'Argon2-Passes: 13', 'Argon2-Parallelism: 1', 'Argon2-Salt: ' + hexs(32, r)]
    lines += ['Private-Lines: %d' % len(priv)] + priv + ['Private-MAC: ' + hexs(40 if ver == 2 else 64, r)]
    return '\n'.join(lines)

ppk2 = ppk(False)
ppk3 = ppk(False, 'ssh-ed25519', 3)
ppk_enc2 = ppk(True)
ppk_enc3 = ppk(True, 'ssh-ed25519', 3)

pub = pem('PUBLIC KEY', b64body('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA', 392, 64, r))
rsapub = pem('RSA PUBLIC KEY', b64body('MIIBCgKCAQEA', 360, 64, r))
cert = pem('CERTIFICATE', b64body('MIIDdzCCAl+gAwIBAgIE', 700, 64, r))
sshrsa = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ' + rnd(340, B64, r) + ' deploy@build-host'
sshed = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI' + rnd(43, B64, r) + ' ci@example'
placeholder = lambda lab: '-----BEGIN %s-----\n...\n-----END %s-----' % (lab, lab)
code_hdr = lambda lab: 'if line.startswith("-----BEGIN %s-----"):\n    in_key = True\nelif line.startswith("-----END %s-----"):\n    in_key = False' % (lab, lab)

def yaml_block(p, indent='    '):
    return 'data:\n  tls.key: |\n' + '\n'.join(indent + l for l in p.split('\n'))

rules = []
rules.append(dict(
    id='layerleak.pem.1', name='RSA Private Key (PKCS#1 PEM)',
    pattern=block('RSA PRIVATE KEY'), keywords=['BEGIN RSA PRIVATE KEY'], confidence='high',
    categories=['private-key', 'crypto'],
    description='An unencrypted RSA private key: whoever holds it can impersonate the server or user the key belongs to, and decrypt what was encrypted to it. Replace the key pair and revoke any certificate issued for it.',
    references=['https://www.rfc-editor.org/rfc/rfc7468', 'https://www.rfc-editor.org/rfc/rfc8017#appendix-A.1.2'],
    examples=[(rsa, rsa), (rsa_crlf, rsa_crlf), 'KEY="' + rsa.replace('\n', '\\n') + '"',
              'String key = "-----BEGIN RSA PRIVATE KEY-----" +\n"' + '" +\n"'.join(rsa_lines) + '" +\n"-----END RSA PRIVATE KEY-----";'],
    negatives=[rsapub, placeholder('RSA PRIVATE KEY'), code_hdr('RSA PRIVATE KEY'), trad_enc, sshrsa,
               '-----BEGIN RSA PRIVATE KEY-----\n' + '\n'.join(rsa_lines[:6])]))
rules.append(dict(
    id='layerleak.pem.2', name='EC Private Key (SEC 1 PEM)',
    pattern=block('EC PRIVATE KEY'), keywords=['BEGIN EC PRIVATE KEY'], confidence='high',
    categories=['private-key', 'crypto'],
    description='An unencrypted elliptic-curve private key (TLS server keys, JWT ES256 signing keys). Replace the key pair.',
    references=['https://www.rfc-editor.org/rfc/rfc5915', 'https://www.rfc-editor.org/rfc/rfc7468'],
    examples=[(ec, ec), ec_params, yaml_block(ec)],
    negatives=[placeholder('EC PRIVATE KEY'), ec_enc, pub, '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----']))
rules.append(dict(
    id='layerleak.pem.3', name='DSA Private Key (PEM)',
    pattern=block('DSA PRIVATE KEY'), keywords=['BEGIN DSA PRIVATE KEY'], confidence='high',
    categories=['private-key', 'crypto'],
    description='An unencrypted DSA private key, typically an old SSH host or user key. Replace it.',
    references=['https://www.rfc-editor.org/rfc/rfc7468', 'https://docs.openssl.org/3.0/man1/openssl-dsa/'],
    examples=[(dsa, dsa), dsa.replace('\n', '\r\n')],
    negatives=[placeholder('DSA PRIVATE KEY'), '-----BEGIN DSA PARAMETERS-----\nMIIBHgKBgQCz\n-----END DSA PARAMETERS-----']))
rules.append(dict(
    id='layerleak.pem.4', name='Private Key (PKCS#8 PEM)',
    pattern=block('PRIVATE KEY'), keywords=['BEGIN PRIVATE KEY'], confidence='high',
    categories=['private-key', 'crypto'],
    description='An unencrypted PKCS#8 private key of any algorithm: TLS keys, Google Cloud service-account keys, JWT signing keys. Replace the key pair (for a service account, delete the key in IAM).',
    references=['https://www.rfc-editor.org/rfc/rfc5958', 'https://www.rfc-editor.org/rfc/rfc7468#section-10',
                'https://cloud.google.com/iam/docs/keys-create-delete'],
    examples=[(p8, p8), (gcp_json, gcp_secret), (ed, ed), yaml_block(p8)],
    negatives=[pub, cert, placeholder('PRIVATE KEY'), enc8, code_hdr('PRIVATE KEY'),
               '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv...\\n-----END PRIVATE KEY-----\\n"']))
rules.append(dict(
    id='layerleak.pem.5', name='OpenSSH Private Key (unencrypted)',
    pattern=r'(?P<secret>-----BEGIN OPENSSH PRIVATE KEY-----' + SEP + 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU' + BODY + '{40,8192}-----END OPENSSH PRIVATE KEY-----)',
    keywords=['BEGIN OPENSSH PRIVATE KEY'], confidence='high', categories=['private-key', 'ssh'],
    description='An OpenSSH private key with cipher "none": usable as is to log in wherever its public key is in authorized_keys. Remove the public key from authorized_keys everywhere and generate a new pair.',
    references=['https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key', 'https://man.openbsd.org/ssh-keygen'],
    examples=[(ossh, ossh), ossh.replace('\n', '\r\n'), '    "deploy_key": "' + ossh.replace('\n', '\\n') + '\\n",'],
    negatives=[ossh_enc, sshed, placeholder('OPENSSH PRIVATE KEY'), code_hdr('OPENSSH PRIVATE KEY')]))
rules.append(dict(
    id='layerleak.pem.6', name='OpenSSH Private Key (passphrase-protected)',
    pattern=r'(?P<secret>-----BEGIN OPENSSH PRIVATE KEY-----' + SEP + 'b3BlbnNzaC1rZXktdjEAAAAA[C-Za-z0-9+/]' + BODY + '{40,8192}-----END OPENSSH PRIVATE KEY-----)',
    keywords=['BEGIN OPENSSH PRIVATE KEY'], confidence='low', categories=['private-key', 'ssh'],
    description='An OpenSSH private key encrypted with a passphrase (bcrypt KDF): not usable without the passphrase, but open to offline guessing. Rotate it if the passphrase may be weak or is stored nearby.',
    references=['https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key'],
    examples=[(ossh_enc, ossh_enc), ossh_enc2],
    negatives=[ossh, sshed, placeholder('OPENSSH PRIVATE KEY')]))
rules.append(dict(
    id='layerleak.pem.7', name='PGP Private Key Block',
    pattern=r'(?P<secret>-----BEGIN PGP PRIVATE KEY BLOCK-----(?:' + SEP + r'''[A-Za-z][A-Za-z-]{1,30}:[ \t][^\r\n\\"]{1,200}){0,8}''' + BODY + '{100,12000}-----END PGP PRIVATE KEY BLOCK-----)',
    keywords=['BEGIN PGP PRIVATE KEY BLOCK'], confidence='medium', categories=['private-key', 'pgp'],
    description='An ASCII-armored OpenPGP secret key (signing keys for packages or commits, decryption keys). Usually protected by a passphrase, which is often stored next to it. Revoke the key and publish the revocation.',
    references=['https://www.rfc-editor.org/rfc/rfc4880#section-6.2', 'https://www.gnupg.org/gph/en/manual/c14.html'],
    examples=[(pgp, pgp), pgp_hdr],
    negatives=['-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGR' + rnd(300, B64, r) + '\n-----END PGP PUBLIC KEY BLOCK-----',
               '-----BEGIN PGP SIGNATURE-----\n\niQIzBAABCAAdFiEE' + rnd(120, B64, r) + '\n-----END PGP SIGNATURE-----',
               placeholder('PGP PRIVATE KEY BLOCK')]))
rules.append(dict(
    id='layerleak.pem.8', name='Encrypted Private Key (PKCS#8 PEM)',
    pattern=block('ENCRYPTED PRIVATE KEY'), keywords=['BEGIN ENCRYPTED PRIVATE KEY'], confidence='low',
    categories=['private-key', 'crypto'],
    description='A passphrase-protected PKCS#8 private key: only a risk together with its passphrase, which images often carry in an environment variable or config file. Check for one.',
    references=['https://www.rfc-editor.org/rfc/rfc5958#section-3', 'https://www.rfc-editor.org/rfc/rfc7468#section-11'],
    examples=[(enc8, enc8), enc8.replace('\n', '\\n')],
    negatives=[p8, placeholder('ENCRYPTED PRIVATE KEY'), pub]))
rules.append(dict(
    id='layerleak.pem.9', name='Encrypted Private Key (OpenSSL traditional PEM)',
    pattern=(r'(?P<secret>-----BEGIN (?:RSA|EC|DSA) PRIVATE KEY-----' + SEP + r'Proc-Type:[ \t]{0,2}4,ENCRYPTED' + SEP
             + r'DEK-Info:[ \t]{0,2}[A-Z0-9-]{3,32},[0-9A-Fa-f]{16,64}' + BODY + r'{60,8192}-----END (?:RSA|EC|DSA) PRIVATE KEY-----)'),
    keywords=['Proc-Type: 4,ENCRYPTED', 'Proc-Type:4,ENCRYPTED'], confidence='low', categories=['private-key', 'crypto'],
    description='A private key in OpenSSL\'s legacy encrypted PEM form (Proc-Type/DEK-Info headers). Only a risk with its passphrase; look for one nearby.',
    references=['https://www.rfc-editor.org/rfc/rfc1421#section-4.6.1.1', 'https://docs.openssl.org/3.0/man3/PEM_read_bio_PrivateKey/#pem-encryption-format'],
    examples=[(trad_enc, trad_enc), ec_enc, trad_enc.replace('\n', '\r\n')],
    negatives=[rsa, placeholder('RSA PRIVATE KEY'), 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,<iv>']))
rules.append(dict(
    id='layerleak.pem.10', name='PuTTY Private Key (unencrypted)',
    pattern=(r'(?P<secret>PuTTY-User-Key-File-[23]:[ \t]{0,2}[a-z0-9@.-]{3,40}\r?\nEncryption:[ \t]{0,2}none\r?\n'
             r'Comment:[^\r\n]{0,200}\r?\nPublic-Lines:[ \t]{0,2}[0-9]{1,2}\r?\n[A-Za-z0-9+/=\r\n]{20,4000}'
             r'Private-Lines:[ \t]{0,2}[0-9]{1,2}\r?\n[A-Za-z0-9+/=\r\n]{20,6000}Private-MAC:[ \t]{0,2}[0-9a-fA-F]{40,64})'),
    keywords=['PuTTY-User-Key-File-'], confidence='high', categories=['private-key', 'ssh'],
    description='A PuTTY .ppk key file without a passphrase: usable as is for SSH logins. Remove its public key from authorized_keys and generate a new pair.',
    references=['https://the.earth.li/~sgtatham/putty/latest/htmldoc/AppendixC.html'],
    examples=[(ppk2, ppk2), ppk3, ppk2.replace('\n', '\r\n')],
    negatives=[ppk_enc2, 'PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: <comment>\nPublic-Lines: <n>', sshrsa]))
rules.append(dict(
    id='layerleak.pem.11', name='PuTTY Private Key (passphrase-protected)',
    pattern=(r'(?P<secret>PuTTY-User-Key-File-[23]:[ \t]{0,2}[a-z0-9@.-]{3,40}\r?\nEncryption:[ \t]{0,2}(?:aes256-cbc|aes256-ctr)\r?\n'
             r'Comment:[^\r\n]{0,200}\r?\nPublic-Lines:[ \t]{0,2}[0-9]{1,2}\r?\n[A-Za-z0-9+/=\r\n]{20,4000}'
             r'(?:[A-Za-z0-9-]{3,30}:[ \t]{0,2}[A-Za-z0-9]{1,64}\r?\n){0,6}'
             r'Private-Lines:[ \t]{0,2}[0-9]{1,2}\r?\n[A-Za-z0-9+/=\r\n]{20,6000}Private-MAC:[ \t]{0,2}[0-9a-fA-F]{40,64})'),
    keywords=['PuTTY-User-Key-File-'], confidence='low', categories=['private-key', 'ssh'],
    description='A PuTTY .ppk key file protected by a passphrase (Argon2 in format 3, a SHA-1 derivation in format 2, which is fast to guess). Rotate it if the passphrase may be weak.',
    references=['https://the.earth.li/~sgtatham/putty/latest/htmldoc/AppendixC.html'],
    examples=[(ppk_enc2, ppk_enc2), ppk_enc3],
    negatives=[ppk2, 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: aes256-cbc\nComment: <comment>']))

b64pem = base64.b64encode((rsa + '\n').encode()).decode()
b64p8 = base64.b64encode((p8 + '\n').encode()).decode()
b64ossh = base64.b64encode((ossh + '\n').encode()).decode()
rules.append(dict(
    id='layerleak.pem.12', name='Base64-Encoded PEM Private Key',
    pattern=(r'(?P<secret>LS0tLS1CRUdJTiB(?:SU0EgUFJJVkFURSBLRVkt|FQyBQUklWQVRFIEtFWS0t|EU0EgUFJJVkFURSBLRVkt|'
             r'QUklWQVRFIEtFWS0t|PUEVOU1NIIFBSSVZBVEUgS0VZLS0t|QR1AgUFJJVkFURSBLRVkgQkxPQ0st)[A-Za-z0-9+/]{60,11000}={0,2})'),
    keywords=['LS0tLS1CRUdJTi'], confidence='medium', categories=['private-key', 'crypto'],
    description='A whole PEM private key (RSA, EC, DSA, PKCS#8, OpenSSH or PGP) encoded once more in base64, as in Kubernetes Secret manifests, Helm values and CI variables. Decode it to see which key it is, then replace it.',
    references=['https://www.rfc-editor.org/rfc/rfc7468', 'https://www.rfc-editor.org/rfc/rfc4648#section-4',
                'https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets'],
    examples=[('PRIVATE_KEY_B64=' + b64pem, b64pem), 'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.key: ' + b64p8,
              '{"sshKey": "' + b64ossh + '"}'],
    negatives=['tls.crt: ' + base64.b64encode((cert + '\n').encode()).decode(),
               'key.pub: ' + base64.b64encode((pub + '\n').encode()).decode(),
               'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=']))

write('pem.toml', '''
# Private keys in PEM and related text encodings. Formats: RFC 7468 (PEM labels), RFC 8017
# (PKCS#1 RSA), RFC 5915 (SEC 1 EC), RFC 5958 (PKCS#8), OpenSSH PROTOCOL.key, RFC 4880
# (OpenPGP armor), PuTTY's .ppk format (PuTTY manual, appendix C).
#
# Each rule matches the whole block, BEGIN line to END line, so the secret is the key itself.
# The body class also admits the quotes, `+`, backslashes and `\\n`/`\\r\\n` escapes a key picks
# up when it is pasted into JSON (service-account files), YAML block scalars or source-code
# string concatenations, and CRLF line ends. Bodies are bounded at 8 KiB (an RSA-8192 PKCS#8
# key is about 6.4 KiB of base64), 12 KiB for PGP blocks. Public keys and certificates have
# other labels and never match; encrypted keys have their own low-confidence rules.
''', rules)
