"""Configuration defaults; secrets and deployment choices come from the instance folder or LMS_* env."""

from datetime import timedelta


class Config:
    """Defaults for every deployment; override with instance/config.py or LMS_* variables."""

    #: Domain packages loaded by name so the core never imports them statically.
    LMS_MODULES: tuple[str, ...] = ("courses", "exams", "certificates")
    #: Empty means: SQLite file in the instance folder.
    DATABASE_URL = ""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Set LMS_SESSION_COOKIE_SECURE=true behind HTTPS (exam centres on closed networks often run HTTP).
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

    #: Uploads (rosters) larger than this are refused before they are read.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    #: Spreadsheet imports (lms/spreadsheets.py) refuse a file past these limits before parsing it.
    #: For scale: a generated 20,000-question .xlsx is 6 MB, unpacks to 26 MB in 9 parts, and no
    #: part of it unpacks to more than 10 times its packed size.
    #: CSV files and command-line imports larger than this are refused before they are read.
    SPREADSHEET_MAX_FILE_BYTES = 10 * 1024 * 1024
    #: Declared unpacked size of all parts of an .xlsx together.
    SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
    #: Unpacked / packed size of one part, checked for parts of SPREADSHEET_RATIO_MIN_BYTES or more.
    SPREADSHEET_MAX_RATIO = 100
    SPREADSHEET_RATIO_MIN_BYTES = 1024 * 1024
    SPREADSHEET_MAX_ENTRIES = 500
    #: Cells read per row, whatever the sheet's <dimension> claims; the question template has 18.
    #: Rows x columns also caps the cells and shared strings of a whole workbook.
    SPREADSHEET_MAX_COLUMNS = 32
    SPREADSHEET_MAX_MERGED_RANGES = 1000
    #: XML elements outside sheet rows and shared strings (styles, content types, other parts), which
    #: openpyxl builds whole; a real workbook has hundreds, a bloated style sheet tens of thousands.
    SPREADSHEET_MAX_OTHER_ELEMENTS = 250_000

    #: Failed sign-ins of one username from one address that cost nothing; each further one makes
    #: that pair wait, starting at LOGIN_FIRST_DELAY and doubling up to LOGIN_MAX_DELAY. Failures
    #: are counted within LOGIN_FAILURE_WINDOW of the first. Other addresses are not slowed down,
    #: so nobody can lock an owner out from elsewhere.
    LOGIN_FREE_FAILURES = 5
    LOGIN_FIRST_DELAY = timedelta(seconds=30)
    LOGIN_MAX_DELAY = timedelta(minutes=15)
    LOGIN_FAILURE_WINDOW = timedelta(hours=1)
    #: Per-client throttle on the login form (Flask-Limiter syntax).
    LOGIN_RATE_LIMIT = "20 per minute"
    #: Candidates sign in at the exam seats; a room's workstations often share one address.
    SEAT_SIGN_IN_RATE_LIMIT = "120 per minute"
    #: Redis shared by every worker and app server (``redis://host:6379/0``). When set, rate limits
    #: live there; empty keeps them in each process's memory (one process only).
    REDIS_URL = ""
    #: Empty: Redis when REDIS_URL is set, else memory.
    RATELIMIT_STORAGE_URI = ""
    #: Reverse proxies (nginx, a load balancer) in front of the app whose X-Forwarded-For and
    #: X-Forwarded-Proto headers are believed. 0 (no proxy): a client could forge its address.
    TRUSTED_PROXIES = 0
    RATELIMIT_HEADERS_ENABLED = True

    #: Argon2id cost; tests lower it for speed.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 65536

    #: Public address of the certificate verification page that certificate QR codes point to (the
    #: number is appended). A fixed address, not the request's host, so a certificate's PDF is the
    #: same bytes whoever renders it; deployments set LMS_CERTIFICATE_VERIFY_URL to theirs.
    CERTIFICATE_VERIFY_URL = "http://localhost:5000/verify/"

    #: Outgoing e-mail (lms.mail). Without MAIL_SERVER nothing is sent: e-mails wait in the outbox
    #: table, where ``lms mail outbox`` lists them. MAIL_USE_TLS upgrades the connection with
    #: STARTTLS; MAIL_USERNAME (with MAIL_PASSWORD) signs in to the server.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "lms@localhost"
    MAIL_TIMEOUT = 30
    #: A worker's claim on an outbox row lapses after this long; a failed send is retried then.
    MAIL_CLAIM_SECONDS = 300
    #: Sends tried per e-mail before it is given up (the error stays on the row).
    MAIL_MAX_ATTEMPTS = 5
    #: Public address of the site (``https://lms.example.org``), put before the links in e-mails;
    #: empty leaves the links out.
    SITE_URL = ""

    API_TOKEN_DEFAULT_DAYS = 90
    PAGE_SIZE = 50

    #: Folder of uploaded files (lesson files, question images) by SHA-256: relative to the instance
    #: folder, or an absolute path that several app servers mount. The default is the folder lesson
    #: files have always used, so existing deployments keep their files.
    FILES_DIR = "course_files"
    #: Largest image accepted by image fields such as a question's image (bytes).
    IMAGE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    #: Browser features the pages may use, e.g. ("camera",) for candidate photos on the exam day;
    #: every other feature in lms.security_headers.DENIED_FEATURES stays denied.
    SECURITY_ALLOWED_FEATURES: tuple[str, ...] = ()
    #: Extra sources per Content-Security-Policy directive, e.g. {"img-src": "https://cdn.example.org"}.
    SECURITY_CSP_EXTRA: dict = {}
    #: Redirect plain HTTP to HTTPS. Off by default: exam centres on closed networks often run HTTP.
    #: HSTS and Secure cookies follow SESSION_COOKIE_SECURE, which says HTTPS is configured.
    SECURITY_FORCE_HTTPS = False
