"""Helpers for sesame's SAML tests, backed by real third-party libraries.

  saml_helper.py pysaml2 ROLE_ARN PROVIDER_ARN SESSION_NAME
      Prints a SAMLResponse (base64) issued and signed (response and assertion, RSA, xmlsec1)
      by pysaml2's IdP Server for the AWS relying party.
  saml_helper.py whoami PROFILE STS_URL
      Prints boto3's GetCallerIdentity Arn for PROFILE (read from the shared files by botocore).
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


def pysaml2(role_arn, provider_arn, session_name):
    import shutil

    from saml2 import BINDING_HTTP_POST
    from saml2.config import IdPConfig
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.server import Server

    xmlsec = shutil.which("xmlsec1")
    if not xmlsec:
        sys.exit("xmlsec1 is missing: apt-get install xmlsec1")
    d = tempfile.mkdtemp()
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
    )
    text = str(response)
    assert "<ns2:SignatureValue>" in text or "SignatureValue" in text, "pysaml2 did not sign"
    print(base64.b64encode(text.encode()).decode())


def whoami(profile, sts_url):
    import boto3

    session = boto3.Session(profile_name=profile)
    identity = session.client("sts", endpoint_url=sts_url, region_name="us-east-1").get_caller_identity()
    print(identity["Arn"])


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"pysaml2": pysaml2, "whoami": whoami}[command](*args)
