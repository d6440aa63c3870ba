#!/usr/bin/env python3
"""A TLS front for sesame's tests: `tls_front.py DIR UPSTREAM_PORT`, or
`tls_front.py DIR --redirect LOCATION [--head-status N]`; either with `--port N` (else a free
one) and `--names a,b` (more DNS names in the server certificate).

Makes a throwaway CA (DIR/ca.pem), a second CA that signs nothing (DIR/other-ca.pem) and a server
certificate for 127.0.0.1 and localhost signed by the first, then accepts TLS on a free loopback
port and pipes each connection in the clear to 127.0.0.1:UPSTREAM_PORT (the emulator), as a
TLS-inspecting proxy or a real AWS endpoint would present itself. Each accepted TCP connection
appends a line to DIR/connections, and what clients send (decrypted) goes to DIR/traffic.

With --redirect it is a vanity start URL instead: every request is answered 302 to LOCATION
(a HEAD with N instead when --head-status N is given), and each request line's method and path
are appended to DIR/requests. Prints the port on its first line; runs until stdin closes.
"""
import asyncio
import datetime
import ipaddress
import os
import ssl
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(cn))
        .issuer_name(name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_leaf(ca_key, ca_cert, names):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("sesame test server"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(n) for n in ["localhost", *names]]
                + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def main():
    out_dir, rest = sys.argv[1], sys.argv[2:]
    redirect = head_status = upstream = None
    port, names = 0, []
    while rest:
        arg = rest.pop(0)
        if arg == "--redirect":
            redirect = rest.pop(0)
        elif arg == "--head-status":
            head_status = int(rest.pop(0))
        elif arg == "--port":
            port = int(rest.pop(0))
        elif arg == "--names":
            names = rest.pop(0).split(",")
        else:
            upstream = int(arg)
    ca_key, ca_cert = make_ca("sesame test CA")
    _, other_cert = make_ca("sesame other CA")
    leaf_key, leaf_cert = make_leaf(ca_key, ca_cert, names)
    with open(os.path.join(out_dir, "ca.pem"), "wb") as f:
        f.write(pem(ca_cert))
    with open(os.path.join(out_dir, "other-ca.pem"), "wb") as f:
        f.write(pem(other_cert))
    chain = os.path.join(out_dir, "server.pem")
    with open(chain, "wb") as f:
        f.write(pem(leaf_cert))
        f.write(
            leaf_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain)
    log = os.path.join(out_dir, "connections")
    open(log, "w").close()

    traffic = os.path.join(out_dir, "traffic")

    async def pipe(reader, writer, record=False):
        try:
            while data := await reader.read(65536):
                if record:
                    with open(traffic, "ab") as f:
                        f.write(data)
                writer.write(data)
                await writer.drain()
        except Exception:
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def answer(reader, writer):
        head = b""
        while b"\r\n\r\n" not in head:
            data = await reader.read(65536)
            if not data:
                break
            head += data
        method, path = (head.split(b"\r\n", 1)[0].decode().split(" ") + ["", ""])[:2]
        with open(os.path.join(out_dir, "requests"), "a") as f:
            f.write(f"{method} {path}\n")
        if method == "HEAD" and head_status:
            status, extra = f"{head_status} No", ""
        else:
            status, extra = "302 Found", f"Location: {redirect}\r\n"
        writer.write(
            f"HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()

    async def handle(reader, writer):
        if redirect is not None:
            await answer(reader, writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer, record=True), pipe(up_reader, writer))

    async def accepted(reader, writer):
        with open(log, "a") as f:
            f.write("connection\n")
        # TLS after the accept, so a refused handshake is still counted as a connection.
        try:
            await writer.start_tls(context, ssl_handshake_timeout=10)
        except Exception:
            writer.close()
            return
        await handle(reader, writer)

    async def serve():
        loop = asyncio.get_running_loop()
        # A client that refuses the certificate is what some tests want: not worth a traceback.
        loop.set_exception_handler(lambda loop, ctx: None)
        server = await asyncio.start_server(accepted, "127.0.0.1", port)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    # The test holds stdin; when it goes (the test ended or died), so does the front.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
