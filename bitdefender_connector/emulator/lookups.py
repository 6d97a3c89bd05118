"""Lookups of companies and endpoints by ID that raise -32602 for unknown IDs."""

from __future__ import annotations

from .jsonrpc import InvalidParams
from .params import ParamReader
from .state import EmulatorState, Endpoint


def read_company_filter(state: EmulatorState, reader: ParamReader) -> str | None:
    """Return the optional `companyId` param after checking that the company exists."""
    company_id = reader.optional_object_id("companyId")
    if company_id is not None and company_id not in state.companies:
        raise InvalidParams(f"'companyId' {company_id} does not match any company.")
    return company_id


def find_endpoint(state: EmulatorState, endpoint_id: str, name: str) -> Endpoint:
    """Return the endpoint, or raise -32602 naming the parameter when it does not exist."""
    endpoint = state.endpoints.get(endpoint_id)
    if endpoint is None:
        raise InvalidParams(f"'{name}' {endpoint_id} does not match any endpoint.")
    return endpoint
