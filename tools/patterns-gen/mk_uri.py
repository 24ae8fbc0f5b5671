from common import *
from tomlw import write
from frags import *

r = random.Random(1234)
USER = r'''[^\s:@/"'`<>\\?#]{0,64}'''
HOST = r'''@[A-Za-z0-9_][A-Za-z0-9._-]{0,63}'''
PW = uri_pw()
def uri_rule(id_, name, scheme_re, keywords, desc, refs, examples, negatives, pw=PW, user=USER):
    return dict(id=id_, name=name, pattern=r'(?i)\b' + scheme_re + '://' + user + ':(?P<secret>' + pw + ')' + HOST,
                keywords=keywords, confidence='medium', categories=['database', 'credentials'], description=desc,
                references=refs, examples=examples, negatives=negatives)

COMMON_NEG = lambda s: ['%s://user:password@localhost:5432/app' % s, '%s://${DB_USER}:${DB_PASSWORD}@db:5432/app' % s,
                        '%s://app:<password>@db/app' % s, '%s://db.internal:5432/app' % s]

pg = uri_rule('layerleak.postgres.1', 'Credentials in a PostgreSQL Connection URI', r'postgres(?:ql)?(?:\+[a-z0-9]{1,20})?', ['postgres'],
    'A PostgreSQL connection URI with a password (DATABASE_URL, SQLAlchemy and Django settings, Prisma .env). Change the database role\'s password.',
    ['https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS'],
    [('DATABASE_URL=postgres://orders_app:' + (p := 'vT9k' + rnd(16, ALNUM, r)) + '@orders-db.internal:5432/orders?sslmode=require', p),
     ('"REDSHIFT": "postgres://spot_app:Pseg2020@calling-mr-bones.c0qsadyxbf4k.us-east-1.redshift.amazonaws.com:5439/datalakespotprod",', 'Pseg2020'),
     'SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://etl:' + rnd(18, ALNUM, r) + '@10.0.3.17/warehouse"',
     ('postgresql://user:secret@host1:123,user:secret@host2:456/somedb?target_session_attrs=any', 'secret')],
    COMMON_NEG('postgresql') + ['postgresql:///mydb?host=localhost&port=5433', 'postgresql://user:pass@localhost/db', 'postgres://app:$PGPASSWORD@db/app',
                                 'postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp'])
my = uri_rule('layerleak.mysql.1', 'Credentials in a MySQL or MariaDB Connection URI', r'(?:mysql|mariadb|mysqlx)(?:\+[a-z0-9]{1,20})?', ['mysql', 'mariadb'],
    'A MySQL/MariaDB connection URI with a password (DATABASE_URL, SQLAlchemy, Prisma, JDBC URLs with userinfo). Change the account\'s password.',
    ['https://dev.mysql.com/doc/refman/8.0/en/connecting-using-uri-or-key-value-pairs.html#connecting-using-uri',
     'https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls'],
    [('DATABASE_URL="mysql://shop:' + (p := 'Q2w' + rnd(17, ALNUM, r)) + '@mysql.shop.svc.cluster.local:3306/shop"', p),
     'engine = create_engine("mysql+pymysql://report_ro:' + rnd(14, ALNUM, r) + '@10.20.0.5/reports")',
     'url: jdbc:mysql://root:' + rnd(12, ALNUM, r) + '@db:3306/app?useSSL=false'],
    COMMON_NEG('mysql') + ['mysql://root:pass@localhost/test', 'mysql://root@localhost/test'])
mongo = uri_rule('layerleak.mongodb.1', 'Credentials in a MongoDB Connection String', r'mongodb(?:\+srv)?', ['mongodb'],
    'A MongoDB connection string with a password (standard or +srv form). Change the database user\'s password in MongoDB or Atlas.',
    ['https://www.mongodb.com/docs/manual/reference/connection-string/'],
    [('uri: "mongodb+srv://servicelogin:CPCdZH5k0F6dxQ9V@example-prince.mongodb.net/?retryWrites=true&w=majority"', 'CPCdZH5k0F6dxQ9V'),
     ('mongodb://myDatabaseUser:D1fficultP%40ssw0rd@mongodb0.db.acme.io:27017,mongodb1.db.acme.io:27017/?authSource=admin&replicaSet=myRepl', 'D1fficultP%40ssw0rd'),
     ("uri: 'mongodb+srv://somethingrotten:Zxcvbnm@12345)@cluster0-cnc84.mongodb.net/e-commerce?retryWrites=true',", 'Zxcvbnm@12345)'),
     'ENV MONGO_URL=mongodb://catalog:' + rnd(20, ALNUM, r) + '@mongo-0.mongo:27017/catalog'],
    COMMON_NEG('mongodb') + ['mongodb://myDatabaseUser:D1fficultP%40ssw0rd@%2Ftmp%2Fmongodb-27017.sock', 'mongodb://myDatabaseUser:D1fficultP%40ssw0rd@mongodb0.example.com:27017/?authSource=admin', 'mongodb+srv://<username>:<password>@cluster0.mongodb.net/',
                             'mongodb://localhost:27017/test'])
redis1 = uri_rule('layerleak.redis.1', 'Credentials in a Redis Connection URI', r'(?:rediss?|valkey)(?:\+[a-z]{1,10})?', ['redis', 'valkey'],
    'A Redis URI with the AUTH password (or ACL user and password), as in REDIS_URL, Celery and Sidekiq settings. Change the password (requirepass or the ACL user).',
    ['https://www.iana.org/assignments/uri-schemes/prov/redis', 'https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/'],
    [('REDIS_URL=redis://:' + (p := 'f8Kq' + rnd(28, ALNUM, r)) + '@cache.internal:6379/0', p),
     'CELERY_BROKER_URL = "rediss://default:' + rnd(32, ALNUM, r) + '@redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345"',
     'redis://worker:' + rnd(16, ALNUM, r) + '@10.1.2.3:6379'],
    ['redis://localhost:6379/0', 'redis://:${REDIS_PASSWORD}@redis:6379', 'redis://:password@localhost:6379', 'redis://user:<password>@host:6379'],
    user=r'''[^\s:@/"'`<>\\?#]{0,128}''')
rp = value(r'''\s"'`\\''', r'''$%*{<''', words=['foobared'] + W_PW, prefixes=['your'], lo=1, hi=100, tail_extra=BIN)
redis2 = dict(id='layerleak.redis.2', name='Redis requirepass or masterauth Password',
    pattern=r'''(?i)(?:--|(?m:^)[ \t]{0,8})(?:requirepass|masterauth)(?:[ \t]{1,8}|=)["']?(?P<secret>''' + rp + r''')(?:[\s"']|$)''',
    keywords=['requirepass', 'masterauth'], min_entropy=3.0, confidence='medium', categories=['database', 'credentials'],
    description='The password of a Redis server (requirepass) or of its primary (masterauth), in redis.conf or on the redis-server command line. Change it and the clients that use it.',
    references=['https://redis.io/docs/latest/operate/oss_and_stack/management/config-file/', 'https://redis.io/docs/latest/commands/auth/'],
    examples=[('requirepass ' + (p := rnd(24, ALNUM, r)), p), 'CMD ["redis-server", "--requirepass", "' + rnd(20, ALNUM, r) + '"]'.replace('", "' + '', '", "', 1),
              'redis-server --appendonly yes --requirepass ' + rnd(28, ALNUM, r), 'masterauth "' + rnd(20, ALNUM, r) + '"'],
    negatives=['# requirepass foobared', 'requirepass foobared', 'requirepass ${REDIS_PASSWORD}', '--requirepass "$REDIS_PASSWORD"', 'requirepass <password>'])
# the CMD exec-form example above has a quote+comma gap; keep the shell form only for it
redis2['examples'][1] = 'CMD redis-server --requirepass ' + rnd(20, ALNUM, r)
amqp = uri_rule('layerleak.amqp.1', 'Credentials in an AMQP URI (RabbitMQ)', r'amqps?', ['amqp'],
    'An AMQP 0-9-1 URI with a password, as used for RabbitMQ (CELERY_BROKER_URL, AMQP_URL). Change the RabbitMQ user\'s password.',
    ['https://www.rabbitmq.com/docs/uri-spec'],
    [('CELERY_BROKER_URL=amqp://celery:' + (p := 'Hk3' + rnd(17, ALNUM, r)) + '@rabbitmq:5672/prod', p),
     'spring.rabbitmq.addresses=amqps://orders:' + rnd(20, ALNUM, r) + '@b-1234.mq.eu-west-1.amazonaws.com:5671'],
    ['amqp://guest:guest@localhost:5672/', 'amqp://${RABBIT_USER}:${RABBIT_PASS}@rabbit:5672', 'amqp://localhost', 'amqp://user:password@rabbitmq:5672/'],
    pw=uri_pw(['guest']))
smtp = uri_rule('layerleak.smtp.1', 'Credentials in an SMTP URL', r'smtps?(?:\+(?:tls|ssl|starttls))?', ['smtp'],
    'An SMTP URL with a password (EMAIL_URL, MAIL_URL, Symfony MAILER_DSN): lets anyone send mail as the account. Change the password or app password.',
    ['https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1', 'https://symfony.com/doc/current/mailer.html#transport-setup',
     'https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url'],
    [('MAILER_DSN=smtp://noreply%40acme.io:' + (p := 'Lm4' + rnd(13, ALNUM, r)) + '@smtp.mailgun.org:587', p),
     'EMAIL_URL=smtp+tls://alerts:' + rnd(16, ALNUM, r) + '@smtp.office365.com:587'],
    ['MAILER_DSN=smtp://user:pass@smtp.example.com:25', 'EMAIL_URL=smtp://localhost:25', 'MAILER_DSN=smtp://${SMTP_USER}:${SMTP_PASS}@smtp:587'])
ftp = uri_rule('layerleak.ftp.1', 'Credentials in an FTP or SFTP URL', r'(?:s?ftps?)', ['ftp://', 'ftps://', 'sftp://'],
    'An ftp://, ftps:// or sftp:// URL with a password, as left in download scripts, lftp/curl commands and backup jobs. Change the account\'s password.',
    ['https://www.rfc-editor.org/rfc/rfc1738#section-3.2', 'https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1'],
    [('RUN wget -q ftp://builds:' + (p := 'Zr8' + rnd(12, ALNUM, r)) + '@ftp.vendor.com/sdk/sdk-4.2.tar.gz', p),
     'lftp sftp://backup:' + rnd(18, ALNUM, r) + '@10.0.0.40/backups -e "mirror -R /data"'],
    ['ftp://ftp.gnu.org/gnu/bash/', 'ftp://anonymous:password@ftp.example.org/', 'sftp://user:<password>@host/path'],
    pw=uri_pw(['anonymous', 'guest', 'ftp']))
uri_rules = {'postgres': [pg], 'mysql': [my], 'mongodb': [mongo], 'redis': [redis1, redis2], 'amqp': [amqp], 'smtp': [smtp], 'ftp': [ftp]}
HEAD = {
 'postgres': '# PostgreSQL connection URIs with a password (libpq URI syntax, also used by SQLAlchemy, Django,\n# Prisma, Heroku DATABASE_URL). The password is the userinfo after the first ":"; IPv6 literal\n# hosts and URL-encoded socket paths are not matched.',
 'mysql': '# MySQL and MariaDB connection URIs with a password (MySQL URI syntax, SQLAlchemy dialects).',
 'mongodb': '# MongoDB connection strings with a password (mongodb:// and mongodb+srv://). Passwords with an\n# unescaped "@" are taken up to the last "@" before the host.',
 'redis': '# Redis passwords: in redis:// and rediss:// URIs (IANA provisional scheme) and in the server\'s\n# requirepass/masterauth settings.',
 'amqp': '# AMQP URIs with a password (RabbitMQ URI specification). The guest:guest default is not reported.',
 'smtp': '# SMTP URLs with a password (Django EMAIL_URL, Symfony MAILER_DSN, Meteor MAIL_URL).',
 'ftp': '# FTP, FTPS and SFTP URLs with a password (RFC 1738 section 3.2). Anonymous logins are not reported.',
}
for k, v in uri_rules.items():
    write('%s.toml' % k, HEAD[k], v)

# ------------------------------------------------------------------------------------------
jv = field_pw(r'''\s"'`<>&;''', r'''$%*{''')
jdbc1 = dict(id='layerleak.jdbc.1', name='Password in a JDBC URL',
    pattern=r'''(?i)\bjdbc:[a-z0-9]{2,20}(?::[a-z0-9]{1,20}){0,2}:[^\s"'`<>]{0,300}?[;?&](?:password|pwd)=(?P<secret>''' + jv + r''')(?:[&;\s"'`<>]|$)''',
    keywords=['jdbc:'], confidence='medium', categories=['database', 'credentials'],
    description='A JDBC connection URL carrying the password as a property (SQL Server ;password=, PostgreSQL and MySQL ?password=). Change the database account\'s password.',
    references=['https://learn.microsoft.com/en-us/sql/connect/jdbc/building-the-connection-url', 'https://jdbc.postgresql.org/documentation/use/#connection-parameters',
                'https://dev.mysql.com/doc/connector-j/en/connector-j-reference-jdbc-url-format.html'],
    examples=[('spring.datasource.url=jdbc:sqlserver://sql01.corp.local:1433;databaseName=hr;user=hr_app;password=' + (p := 'Vb7!' + rnd(12, ALNUM, r)) + ';encrypt=true', p),
              'jdbc:postgresql://pg.internal:5432/ledger?user=ledger&password=' + rnd(16, ALNUM, r) + '&ssl=true',
              '<property name="url" value="jdbc:mysql://db:3306/app?user=app&amp;password=' + rnd(14, ALNUM, r) + '"/>'],
    negatives=['jdbc:postgresql://db:5432/app?user=app&password=${DB_PASSWORD}', 'jdbc:sqlserver://host;user=sa;password=<YourStrong!Passw0rd>;',
               'jdbc:mysql://localhost:3306/test?user=root&password=password', 'jdbc:postgresql://localhost/test'])
# &amp; in XML: allow "amp;" after & by accepting ';' separated keys
jdbc1['pattern'] = jdbc1['pattern'].replace('[;?&](?:password|pwd)=', '[;?&](?:amp;)?(?:password|pwd)=')
ov = field_pw(r'''\s"'`<>@/\\''', r'''$%*{''', extra_words=['tiger'])
jdbc2 = dict(id='layerleak.jdbc.2', name='Password in an Oracle JDBC Thin URL',
    pattern=r'''(?i)\bjdbc:oracle:(?:thin|oci8?):[A-Za-z][A-Za-z0-9_$#]{0,29}/(?P<secret>''' + ov + r''')@''',
    keywords=['jdbc:oracle:'], confidence='medium', categories=['database', 'credentials'],
    description='An Oracle JDBC URL in the user/password@host form. Change the Oracle account\'s password.',
    references=['https://docs.oracle.com/en/database/oracle/oracle-database/19/jjdbc/data-sources-and-URLs.html#GUID-44572C63-D2EB-4ECC-9B8F-C4C2B5A4B9C2'],
    examples=[('db.url=jdbc:oracle:thin:billing/' + (p := 'Ww3' + rnd(11, ALNUM, r)) + '@//ora-prod.corp:1521/BILLPDB', p)],
    negatives=['jdbc:oracle:thin:scott/tiger@localhost:1521:orcl', 'jdbc:oracle:thin:@//db:1521/XEPDB1', 'jdbc:oracle:thin:app/${ORA_PASS}@db:1521/x'])
write('jdbc.toml', '# Passwords inside JDBC connection URLs (property form and Oracle user/password@ form).', [jdbc1, jdbc2])

# ------------------------------------------------------------------------------------------
OV = field_pw(r'''\s"'`<>;''', r'''$%*{&()''', prefixes=('your', '#{'))
ANCHOR = r'''(?:server|data[ ]?source|host(?:name)?|address|addr|network[ ]address|dsn|driver|provider|database|initial[ ]catalog|dbq|user[ ]?id|uid|user(?:[ ]?name)?)'''
PAIR = r'''(?:[\s"'&+]{0,10}[A-Za-z][A-Za-z0-9 _]{0,30}[ \t]{0,2}=[ \t]{0,2}[^;\r\n"'<>]{0,100};)'''
odbc1 = dict(id='layerleak.odbc.1', name='Password in an ODBC, OLE DB or ADO.NET Connection String',
    pattern=(r'''(?i)\b''' + ANCHOR + r'''[ \t]{0,2}=[ \t]{0,2}[^;=\r\n"'<>()]{1,100};''' + PAIR + r'''{0,6}[\s"'&+]{0,10}(?:password|pwd)[ \t]{0,2}=[ \t]{0,2}(?P<secret>'''
             + OV + r''')(?:[;"'<\s]|$)'''),
    keywords=['password', 'pwd'], confidence='medium', categories=['database', 'credentials'],
    description='A key=value; connection string (ODBC, OLE DB, ADO.NET SqlClient/Npgsql) with Password= or Pwd=, as in appsettings.json, web.config, odbc.ini and scripts. Change the database account\'s password.',
    references=['https://learn.microsoft.com/en-us/dotnet/api/system.data.sqlclient.sqlconnection.connectionstring',
                'https://learn.microsoft.com/en-us/sql/odbc/reference/syntax/sqldriverconnect-function', 'https://www.npgsql.org/doc/connection-string-parameters.html'],
    examples=[('"DefaultConnection": "Server=sql-prod.corp.local;Database=Orders;User Id=orders_app;Password=' + (p := 'Kd9#' + rnd(12, ALNUM, r)) + ';TrustServerCertificate=True"', p),
              ('Provider=SQLNCLI;Server=myServerName,myPortNumber;Database=myDataBase;Uid=myUsername;Pwd=myPassword;', 'myPassword'),
              ('<add name="DevQATrucks" connectionString="Server=hookupsqlqa1\\gpkqa; Database=YogurtDelay: User Id=kmwulfliq; password= sK!g2Ex_=jJ6Gx5v" providerName="System.Data.SqlClient" />', 'sK!g2Ex_=jJ6Gx5v'),
              '    adoConn.Open("Provider=SQLOLEDB.1;User ID=specialbill_user; " & "Password =' + rnd(12, ALNUM, r) + ';Initial Catalog=SpecialBill_PROD;Data Source=uszdba01;")',
              'Host=pg.internal;Port=5432;Username=ledger;Password=' + rnd(16, ALNUM, r) + ';Database=ledger'],
    negatives=["def login(self, user = '', password = '', domain = ''):", 'text << "User=#{username}, "\ntext << "Password=#{password}, "',
               '"driver={SQL Server};server=(#{datastore[\'DBHOST\']});uid=#{datastore[\'DBUID\']};pwd=#{datastore[\'DBPASSWORD\']}"',
               'Server=db;Database=app;User Id=sa;Password=${SA_PASSWORD};', 'Server=db;User Id=sa;Password=<YourStrong@Passw0rd>;',
               'Server=db;User Id=sa;Password=password;', 'Server=myServer;Database=myDb;Trusted_Connection=True;',
               'server->user = "anonymous";\nserver->password = "busybox@";'])
odbc2 = dict(id='layerleak.odbc.2', name='Password in a Connection String (password first)',
    pattern=(r'''(?i)(?:^|[\r\n"'`>])[ \t]{0,4}(?:password|pwd)[ \t]{0,2}=[ \t]{0,2}(?P<secret>''' + OV + r''');'''
             + r'''(?:[ \t]{0,3}[A-Za-z][A-Za-z0-9 _]{0,30}[ \t]{0,2}=[ \t]{0,2}[^;\r\n"'<>]{0,100};){0,6}[ \t]{0,3}'''
             + r'''(?:server|data[ ]?source|user[ ]?id|uid|initial[ ]catalog|database|host|dsn|driver|provider)[ \t]{0,2}='''),
    keywords=['password', 'pwd'], confidence='medium', categories=['database', 'credentials'],
    description='A key=value; connection string that starts with Password= (the order SQL Server Management Studio and Visual Studio generate). Change the database account\'s password.',
    references=['https://learn.microsoft.com/en-us/dotnet/api/system.data.sqlclient.sqlconnection.connectionstring'],
    examples=[('<add name="Main" connectionString="Password=' + (p := 'Tq5' + rnd(13, ALNUM, r)) + ';Persist Security Info=True;User ID=sa;Initial Catalog=Main;Data Source=SQL01" />', p)],
    negatives=['"Password=;User ID=sa;Data Source=SQL01"', '"Password=$(SA_PASSWORD);User ID=sa;Data Source=SQL01"', '"Password=password;User ID=sa;Data Source=SQL01"'])
write('odbc.toml', '''
# Passwords in key=value; connection strings: ODBC (SQLDriverConnect), OLE DB, ADO.NET
# (SqlClient, Npgsql, MySqlConnector). A connection keyword (Server, Data Source, User Id...)
# must come before Password=/Pwd= in the same string (odbc.1), or after it when the password
# opens the string (odbc.2). Ruby #{...}, $VAR, %VAR% and ${VAR} values are references.
''', [odbc1, odbc2])

# ------------------------------------------------------------------------------------------
NV = field_pw(r'\s', r'''$%*{<"'`''', lo=3)
netrc = dict(id='layerleak.netrc.1', name='Credentials in a .netrc File',
    pattern=(r'''(?i)\bmachine[ \t\r\n]{1,10}[!-~]{1,128}[ \t\r\n]{1,10}login[ \t\r\n]{1,10}[!-~]{1,128}(?:[ \t\r\n]{1,10}account[ \t\r\n]{1,10}[!-~]{1,128})?'''
             + r'''[ \t\r\n]{1,10}password[ \t\r\n]{1,10}(?P<secret>''' + NV + r''')(?:\s|$)'''),
    keywords=['machine'], confidence='medium', categories=['credentials'],
    description='A machine entry of a .netrc file (used by curl, git, ftp, pip, Heroku and W&B CLIs) with a password or API token. Change the password or revoke the token.',
    references=['https://www.gnu.org/software/inetutils/manual/html_node/The-_002enetrc-file.html', 'https://everything.curl.dev/usingcurl/netrc.html'],
    examples=[('machine api.github.com login ziggy^stardust password 012345abcdef', '012345abcdef'),
              ('machine api.wandb.ai\n  login user\n  password ' + (p := hexs(40, r)) + '\n', p),
              'machine git.heroku.com\n  login ops@acme.io\n  password ' + rnd(8, 'abcdef0123456789', r) + '-' + rnd(4, 'abcdef0123456789', r) + '-4' + rnd(3, 'abcdef0123456789', r) + '-a' + rnd(3, 'abcdef0123456789', r) + '-' + rnd(12, 'abcdef0123456789', r)],
    negatives=['machine example.com login user password password', 'machine host login $USER password $PASS', 'The machine is running; login with your password.',
               'A machine learning-based password strength evaluation library', "echomsg ':Nread \"machine id password path\"           uses ftp'",
               'machine registry.local login ci password <token>'])
write('netrc.toml', '# .netrc machine entries with a password (GNU inetutils and curl documentation).', [netrc])
