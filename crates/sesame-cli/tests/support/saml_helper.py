"""Helpers for sesame's SAML tests, backed by real third-party libraries.

  saml_helper.py pysaml2 ROLE_ARN PROVIDER_ARN SESSION_NAME [KEY_DIR]
      Prints a SAMLResponse (base64) issued and signed (response and assertion, RSA, xmlsec1)
      by pysaml2's IdP Server for the AWS relying party; the key it made (key.pem, PKCS#1) and
      its certificate (cert.pem) are left in KEY_DIR if given.
  saml_helper.py whoami PROFILE STS_URL
      Prints boto3's GetCallerIdentity Arn for PROFILE (read from the shared files by botocore).
  saml_helper.py adfs-signin SIGNIN_URL USER
      Signs in at an AD FS forms page like a browser (cookies, redirects; the password from
      $SAML_TEST_PASSWORD) and prints the SAMLResponse (base64) of the page it ends on.
  saml_helper.py pysaml2-sp IDP_METADATA_FILE RESPONSE_XML_FILE
      pysaml2 as the AWS service provider: verifies the Response against the IdP metadata
      (signature through xmlsec1, audience, recipient, times) and prints its Role values, one a
      line; exits 1 with the error if it refuses the Response.
"""

import base64
import datetime
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

AWS_SP_METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:amazon:webservices">
 <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
  <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
  <md:AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://signin.aws.amazon.com/saml"/>
 </md:SPSSODescriptor>
</md:EntityDescriptor>"""


def self_signed(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pysaml2-idp.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=10))
        .sign(key, hashes.SHA256())
    )
    with open(f"{directory}/key.pem", "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
    with open(f"{directory}/cert.pem", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def pysaml2(role_arn, provider_arn, session_name, key_dir=None):
    import shutil

    from saml2 import BINDING_HTTP_POST
    from saml2.config import IdPConfig
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.server import Server

    xmlsec = shutil.which("xmlsec1")
    if not xmlsec:
        sys.exit("xmlsec1 is missing: apt-get install xmlsec1")
    d = key_dir or tempfile.mkdtemp()
    self_signed(d)
    with open(f"{d}/aws.xml", "w") as f:
        f.write(AWS_SP_METADATA)
    conf = IdPConfig()
    conf.load(
        {
            "entityid": "https://pysaml2-idp.test/idp",
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            ("https://pysaml2-idp.test/sso", BINDING_HTTP_POST)
                        ]
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                }
            },
            "key_file": f"{d}/key.pem",
            "cert_file": f"{d}/cert.pem",
            "metadata": {"local": [f"{d}/aws.xml"]},
            "xmlsec_binary": xmlsec,
        }
    )
    idp = Server(config=conf)
    identity = {
        # provider first, as AD FS guides write it
        "https://aws.amazon.com/SAML/Attributes/Role": [f"{provider_arn},{role_arn}"],
        "https://aws.amazon.com/SAML/Attributes/RoleSessionName": [session_name],
        "https://aws.amazon.com/SAML/Attributes/SessionDuration": ["3600"],
    }
    response = idp.create_authn_response(
        identity,
        in_response_to=None,
        destination="https://signin.aws.amazon.com/saml",
        sp_entity_id="urn:amazon:webservices",
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=session_name),
        sign_assertion=True,
        sign_response=True,
        # RSA-SHA256 and SHA-256, as AD FS signs (pysaml2's default is still SHA-1).
        sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
    )
    text = str(response)
    assert "<ns2:SignatureValue>" in text or "SignatureValue" in text, "pysaml2 did not sign"
    print(base64.b64encode(text.encode()).decode())


def adfs_signin(signin_url, user):
    import html.parser
    import http.cookiejar
    import os
    import urllib.parse
    import urllib.request

    class Forms(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.forms = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.forms.append({"action": attrs.get("action", ""), "inputs": {}})
            elif tag == "input" and self.forms and attrs.get("name"):
                self.forms[-1]["inputs"][attrs["name"]] = attrs.get("value") or ""

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(signin_url).read().decode()
    parser = Forms()
    parser.feed(page)
    form = parser.forms[0]
    fields = dict(form["inputs"])
    fields.update(
        UserName=user,
        Password=os.environ["SAML_TEST_PASSWORD"],
        AuthMethod="FormsAuthentication",
    )
    action = urllib.parse.urljoin(signin_url, form["action"])
    page = opener.open(action, urllib.parse.urlencode(fields).encode()).read().decode()
    parser = Forms()
    parser.feed(page)
    for form in parser.forms:
        if "SAMLResponse" in form["inputs"]:
            print(form["inputs"]["SAMLResponse"])
            return
    sys.exit(f"no SAMLResponse on the page after signing in:\n{page}")


def pysaml2_sp(metadata_file, response_file):
    import shutil

    from saml2 import BINDING_HTTP_POST
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    xmlsec = shutil.which("xmlsec1")
    if not xmlsec:
        sys.exit("xmlsec1 is missing: apt-get install xmlsec1")
    conf = SPConfig()
    conf.load(
        {
            "entityid": "urn:amazon:webservices",
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [
                            ("https://signin.aws.amazon.com/saml", BINDING_HTTP_POST)
                        ]
                    },
                    "allow_unsolicited": True,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                }
            },
            "metadata": {"local": [metadata_file]},
            "xmlsec_binary": xmlsec,
            "accepted_time_diff": 60,
            # AWS's attributes have no NameFormat and no pysaml2 converter: keep them by name.
            "allow_unknown_attributes": True,
        }
    )
    client = Saml2Client(config=conf)
    with open(response_file, "rb") as f:
        encoded = base64.b64encode(f.read()).decode()
    try:
        response = client.parse_authn_request_response(encoded, BINDING_HTTP_POST)
    except Exception as e:  # pysaml2 raises many types; any refusal is the answer
        sys.exit(f"pysaml2 refused the Response: {type(e).__name__}: {e}")
    if response is None:
        sys.exit("pysaml2 refused the Response: no response")
    for value in response.ava.get("https://aws.amazon.com/SAML/Attributes/Role", []):
        print(value)


def whoami(profile, sts_url):
    import boto3

    session = boto3.Session(profile_name=profile)
    identity = session.client("sts", endpoint_url=sts_url, region_name="us-east-1").get_caller_identity()
    print(identity["Arn"])


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {
        "pysaml2": pysaml2,
        "whoami": whoami,
        "adfs-signin": adfs_signin,
        "pysaml2-sp": pysaml2_sp,
    }[command](*args)
