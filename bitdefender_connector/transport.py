"""Transport: one requests.Session per connection, and readable errors when no response arrives."""

from __future__ import annotations

import logging
import re
import ssl
import warnings
from urllib.parse import urlsplit

import requests
import urllib3
from requests.auth import HTTPBasicAuth

from .connection import Connection
from .errors import NoResponseError
from .request_builder import PreparedRequest

logger = logging.getLogger(__name__)


class NoResponse(NoResponseError):
    """A NoResponseError that also records whether the request may have reached the server.

    ``may_have_reached_server`` is False only when the failure happened before the request was
    sent (DNS, refused connection, connect timeout, proxy or TLS handshake), so that a retry
    cannot create a second task. ``transient`` is False for a failure that a retry cannot
    mend, such as a certificate that fails verification.
    """

    def __init__(
        self,
        message: str,
        reason_code: str,
        may_have_reached_server: bool,
        transient: bool = True,
    ) -> None:
        super().__init__(message, reason_code)
        self.may_have_reached_server = may_have_reached_server
        self.transient = transient


class Transport:
    """Sends prepared requests over one pooled session with Basic auth, TLS and proxy settings."""

    def __init__(self, connection: Connection, connect_timeout: float, read_timeout: float) -> None:
        self.connection = connection
        self.timeout = (
            connection.connect_timeout or connect_timeout,
            connection.read_timeout or read_timeout,
        )
        self.session = requests.Session()
        # GravityZone expects the API key as the Basic user name and an empty password.
        self.session.auth = HTTPBasicAuth(connection.api_key, connection.password)
        if connection.verify_ssl and connection.ca_bundle:
            self._verify: bool | str = connection.ca_bundle
        else:
            self._verify = connection.verify_ssl
        if not connection.verify_ssl:
            _silence_insecure_request_warning(urlsplit(connection.access_url).hostname or "")
        # Passed on every request, where they win over HTTP(S)_PROXY environment variables.
        proxy = connection.http_proxy
        self._proxies = {"http": proxy, "https": proxy} if proxy else None

    def send(self, prepared: PreparedRequest) -> requests.Response:
        """Send ``prepared`` and return the response, or raise NoResponse with the next step."""
        try:
            return self.session.request(
                prepared.http_method,
                prepared.url,
                data=prepared.body,
                headers=prepared.headers,
                timeout=self.timeout,
                verify=self._verify,
                proxies=self._proxies,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as error:
            raise self._describe_failure(error) from None

    def close(self) -> None:
        self.session.close()

    def _describe_failure(self, error: requests.exceptions.RequestException) -> NoResponse:
        host = urlsplit(self.connection.access_url).netloc
        connect_timeout, read_timeout = self.timeout
        if isinstance(error, requests.exceptions.SSLError):
            return NoResponse(
                f"TLS verification failed for {host}: {_ssl_reason(error)}. If the console uses "
                "a private CA, set ca_bundle to that CA's PEM file; set verify_ssl to false only "
                "for a lab",
                "tls_error",
                may_have_reached_server=False,
                transient=False,
            )
        if isinstance(error, requests.exceptions.ProxyError):
            proxy = self.connection.masked_proxy or "from the HTTP(S)_PROXY environment variables"
            return NoResponse(
                f"The proxy {proxy} failed to connect to {host}. Check "
                "http_proxy, the proxy's credentials and that the proxy allows this host",
                "proxy_error",
                may_have_reached_server=False,
            )
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return NoResponse(
                f"Connecting to {host} timed out after {connect_timeout:g} s. Check the url, "
                "the network path and any firewall or proxy",
                "connect_timeout",
                may_have_reached_server=False,
            )
        if isinstance(error, requests.exceptions.ReadTimeout):
            return NoResponse(
                f"{host} sent no response within {read_timeout:g} s. The request may have been "
                "processed: check Control Center before running a task action again",
                "read_timeout",
                may_have_reached_server=True,
            )
        if isinstance(error, requests.exceptions.ConnectionError):
            return self._describe_connection_error(error, host)
        if isinstance(
            error,
            requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError,
        ):
            return NoResponse(
                f"The response from {host} was cut off or could not be decoded. The request may "
                "have been processed: check Control Center before running a task action again",
                "incomplete_response",
                may_have_reached_server=True,
            )
        if isinstance(error, requests.exceptions.InvalidSchema) and "SOCKS" in str(error):
            return NoResponse(
                "A socks5 proxy needs the PySocks package: pip install 'requests[socks]'",
                "proxy_error",
                may_have_reached_server=False,
                transient=False,
            )
        return NoResponse(
            f"The request to {host} failed: {type(error).__name__}",
            "request_error",
            may_have_reached_server=True,
        )

    def _describe_connection_error(self, error: Exception, host: str) -> NoResponse:
        chain = _cause_chain(error)
        names = {type(item).__name__ for item in chain}
        text = " ".join(
            str(item) for item in chain if not isinstance(item, requests.RequestException)
        )
        if (
            "NameResolutionError" in names
            or "gaierror" in names
            or "Name or service not known" in text
        ):
            return NoResponse(
                f"The host name {urlsplit(self.connection.access_url).hostname} could not be "
                "resolved. Check the url for typos and that DNS works from this machine",
                "dns_error",
                may_have_reached_server=False,
            )
        if "ConnectionRefusedError" in names:
            return NoResponse(
                f"The connection to {host} was refused. Check the url's host and port and that "
                "the service is running",
                "connection_refused",
                may_have_reached_server=False,
            )
        if "NewConnectionError" in names:
            # urllib3 wraps every failure to open the socket in NewConnectionError, such as an
            # unreachable network or host.
            reason = next(
                (item.strerror for item in chain if isinstance(item, OSError) and item.strerror),
                "no route",
            )
            return NoResponse(
                f"Could not connect to {host} ({reason}). Check the url's host and the network "
                "path from this machine",
                "connection_failed",
                may_have_reached_server=False,
            )
        return NoResponse(
            f"The connection to {host} closed before a response arrived. The request may have "
            "been processed: check Control Center before running a task action again",
            "connection_closed",
            may_have_reached_server=True,
        )


def _silence_insecure_request_warning(host: str) -> None:
    """Hide urllib3's InsecureRequestWarning for requests to ``host``.

    urllib3 warns on every unverified request, while connection.py logs once per process that
    verify_ssl is off. The filter matches only the message naming this host, so requests that
    other code makes to other hosts still warn.
    """
    warnings.filterwarnings(
        "ignore",
        message=f"Unverified HTTPS request is being made to host '{re.escape(host)}'",
        category=urllib3.exceptions.InsecureRequestWarning,
    )


def _cause_chain(error: BaseException) -> list[BaseException]:
    """Return the error and every exception it wraps, through args, reason and __cause__."""
    chain: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending and len(chain) < 20:
        current = pending.pop(0)
        if any(current is seen for seen in chain):
            continue
        chain.append(current)
        linked = [*getattr(current, "args", ()), getattr(current, "reason", None)]
        linked += [current.__cause__, current.__context__]
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return chain


def _ssl_reason(error: Exception) -> str:
    for item in _cause_chain(error):
        if isinstance(item, ssl.SSLCertVerificationError):
            return item.verify_message or "certificate verify failed"
        if isinstance(item, ssl.SSLError) and item.reason:
            return str(item.reason).replace("_", " ").lower()
    return "the TLS handshake failed"
