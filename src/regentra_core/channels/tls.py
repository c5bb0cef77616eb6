"""TLS for the mail connections: always verified, optionally against our own CA."""

from __future__ import annotations

import ssl


def client_context(ca_file: str | None) -> ssl.SSLContext:
    """The system's trust store plus ``ca_file``; host names and chains are checked.

    An MSP's mail server often has a certificate from the customer's internal CA;
    the answer to that is to trust that CA, never to stop verifying.
    """
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def explain(exc: BaseException, host: str) -> str:
    """A TLS failure in words that say what to do about it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"cannot verify the certificate of {host}: {exc.verify_message}; if an internal "
            "CA signed it, set mail_ca_file to that CA's certificate (PEM)"
        )
    return f"TLS with {host} failed: {exc}"
