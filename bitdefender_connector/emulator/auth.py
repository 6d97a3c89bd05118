"""HTTP Basic authentication with the API key as user name and an empty password."""

from __future__ import annotations

import base64
import binascii

from .api_keys import ApiKey, ApiKeyStore


class AuthenticationFailed(Exception):
    """The request has no usable API key. The message gives the reason and never the key."""


def authenticate(authorization: str | None, keys: ApiKeyStore) -> ApiKey:
    """Return the ApiKey of an Authorization header, or raise AuthenticationFailed."""
    if not authorization:
        raise AuthenticationFailed("The Authorization header is missing. Send HTTP Basic auth.")
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise AuthenticationFailed("The Authorization header must use the Basic scheme.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed("The Basic credentials are not valid base64 UTF-8.") from None

    user, separator, password = decoded.partition(":")
    if not separator:
        raise AuthenticationFailed("The Basic credentials must have the form 'API key:'.")
    if password:
        raise AuthenticationFailed("The password must be empty. Send the API key as the user name.")
    api_key = keys.find(user)
    if api_key is None:
        raise AuthenticationFailed("The API key is not valid.")
    return api_key
