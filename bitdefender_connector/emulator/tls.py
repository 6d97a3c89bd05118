"""A throwaway test CA (trustme) and server certificate for serving HTTPS on the loopback."""

from __future__ import annotations

import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_IDENTITIES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class TlsMaterial:
    """The server's TLS context and the PEM file of the CA that clients must trust."""

    ssl_context: ssl.SSLContext
    ca_bundle_path: Path

    def remove_ca_bundle(self) -> None:
        """Delete the CA bundle file if it still exists."""
        self.ca_bundle_path.unlink(missing_ok=True)


def create_tls_material(host: str) -> TlsMaterial:
    """Make a CA and a server certificate for 127.0.0.1, localhost and `host`.

    The CA certificate is written to a new temporary PEM file that the caller must remove.
    Raises RuntimeError when trustme is not installed.
    """
    try:
        import trustme
    except ImportError:
        raise RuntimeError(
            "Serving TLS needs the trustme package. Install it with: "
            "pip install '.[tls]' from a checkout of this repository"
        ) from None

    identities = list(DEFAULT_IDENTITIES)
    # An empty host means every interface and names no certificate identity.
    if host and host not in identities:
        identities.append(host)
    authority = trustme.CA()
    certificate = authority.issue_cert(*identities)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)

    descriptor, name = tempfile.mkstemp(prefix="gravityzone-emulator-ca-", suffix=".pem")
    with os.fdopen(descriptor, "wb") as bundle:
        bundle.write(authority.cert_pem.bytes())
    return TlsMaterial(context, Path(name))
