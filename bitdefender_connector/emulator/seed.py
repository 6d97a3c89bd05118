"""Deterministic seed data: the IDs that Swimlane's connector examples use, and filter decoys."""

from __future__ import annotations

from datetime import datetime

from .state import (
    ACTION_NONE,
    ACTION_PENDING_REMOVE,
    COMPUTERS,
    DETECTION_RULE,
    EXCHANGE,
    EXCLUSION_RULE,
    MD5,
    SHA256,
    SOURCE_IMPORT,
    SOURCE_INCIDENT,
    SOURCE_MANUAL,
    BlocklistItem,
    Company,
    CustomRule,
    EmulatorState,
    Endpoint,
    QuarantineItem,
)

DEFAULT_COMPANY_ID = "61827b8036492c2fc0718722"
CUSTOMER_COMPANY_ID = "61827b8036492c2fc07187a0"
OWNER_ID = "61827b8036492c2fc0718730"

ENDPOINTS = (
    Endpoint("5b680f6fb1a43d860a7b23c1", "WKS-FINANCE-01", "10.0.1.21", DEFAULT_COMPANY_ID),
    Endpoint("63896b87b7894d0f367b23c6", "WKS-HR-02", "10.0.1.22", DEFAULT_COMPANY_ID),
    Endpoint("65896b87b7894d0f367b23c6", "SRV-FILES-01", "10.0.2.10", DEFAULT_COMPANY_ID),
    Endpoint("5d36c255f23f730fa91944e2", "WKS-DEV-07", "10.0.3.7", DEFAULT_COMPANY_ID),
    Endpoint("5d36c255f23f730fa91944e3", "EXCH-01", "10.0.2.20", DEFAULT_COMPANY_ID),
    Endpoint("5d36c255f23f730fa91944f0", "CUST-WKS-01", "192.168.10.5", CUSTOMER_COMPANY_ID),
)

VIRUS0_PATH = "C:\\virus0\\virus0.exe"


def _computers_item(
    item_id: str,
    endpoint: Endpoint,
    quarantined_on: datetime,
    action_status: int,
    threat_name: str,
    file_path: str,
    can_be_restored: bool = True,
) -> QuarantineItem:
    return QuarantineItem(
        id=item_id,
        service=COMPUTERS,
        endpoint_id=endpoint.id,
        endpoint_name=endpoint.name,
        endpoint_ip=endpoint.ip,
        company_id=endpoint.company_id,
        quarantined_on=quarantined_on,
        action_status=action_status,
        threat_name=threat_name,
        file_path=file_path,
        can_be_restored=can_be_restored,
    )


def _exchange_item(
    item_id: str, quarantined_on: datetime, action_status: int, threat_name: str, path: str
) -> QuarantineItem:
    server = ENDPOINTS[4]
    item = _computers_item(item_id, server, quarantined_on, action_status, threat_name, path)
    item.service = EXCHANGE
    return item


def _computers_items() -> list[QuarantineItem]:
    finance, hr, files, dev, _, customer = ENDPOINTS
    return [
        _computers_item(
            "63896b87b7894d0f367b23c6",
            hr,
            datetime(2019, 7, 30, 8, 12, 44),
            ACTION_NONE,
            "Trojan.GenericKD.1",
            "C:\\Users\\hr\\Downloads\\invoice.exe",
        ),
        _computers_item(
            "65896b87b7894d0f367b23c6",
            files,
            datetime(2019, 8, 2, 14, 5, 10),
            ACTION_NONE,
            "Gen:Variant.Ransom.2",
            "D:\\Shares\\public\\setup.exe",
        ),
        # The two items that Swimlane's getQuarantineItemsList example selects. The first is
        # exactly on its startDate, to show that the date bounds are inclusive.
        _computers_item(
            "5d4a1c0e3b2f1a0009a1b001",
            dev,
            datetime(2019, 7, 28, 11, 31, 28),
            ACTION_PENDING_REMOVE,
            "Virus.0",
            VIRUS0_PATH,
        ),
        _computers_item(
            "5d4a1c0e3b2f1a0009a1b002",
            dev,
            datetime(2019, 8, 9, 10, 0, 0),
            ACTION_PENDING_REMOVE,
            "Virus.0",
            VIRUS0_PATH,
        ),
        # Decoys on the same endpoint, each failing exactly one filter of that example.
        _computers_item(
            "5d4a1c0e3b2f1a0009a1b003",
            dev,
            datetime(2019, 8, 1, 0, 0, 0),
            ACTION_NONE,
            "Virus.0",
            VIRUS0_PATH,
        ),
        _computers_item(
            "5d4a1c0e3b2f1a0009a1b004",
            dev,
            datetime(2019, 8, 16, 11, 31, 17),
            ACTION_PENDING_REMOVE,
            "Virus.0",
            VIRUS0_PATH,
        ),
        _computers_item(
            "5d4a1c0e3b2f1a0009a1b005",
            dev,
            datetime(2019, 8, 5, 9, 0, 0),
            ACTION_PENDING_REMOVE,
            "Virus.1",
            "C:\\virus1\\virus1.exe",
        ),
        _computers_item(
            "5d4a1c0e3b2f1a0009a1b006",
            finance,
            datetime(2019, 9, 12, 16, 40, 0),
            ACTION_NONE,
            "Exploit.CVE-2017-0199",
            "C:\\Users\\fin\\AppData\\Local\\Temp\\report.doc",
            can_be_restored=False,
        ),
        _computers_item(
            "5d4a1c0e3b2f1a0009a1b007",
            customer,
            datetime(2019, 10, 1, 7, 45, 0),
            ACTION_NONE,
            "Adware.Generic.3",
            "C:\\Users\\guest\\Downloads\\toolbar.exe",
        ),
    ]


def _exchange_items() -> list[QuarantineItem]:
    return [
        _exchange_item(
            "63896b87b7894d0f367b23c6",
            datetime(2019, 8, 20, 9, 0, 0),
            ACTION_NONE,
            "Trojan.PDF.Phish.A",
            "Inbox\\Invoice 2019-08.pdf",
        ),
        _exchange_item(
            "65896b87b7894d0f367b23c6",
            datetime(2019, 8, 21, 10, 30, 0),
            ACTION_NONE,
            "W97M.Downloader.B",
            "Inbox\\Order confirmation.docm",
        ),
        _exchange_item(
            "5d4a1c0e3b2f1a0009a1c001",
            datetime(2019, 8, 22, 15, 10, 0),
            17,
            "JS.Dropper.C",
            "Inbox\\Shipping label.zip",
        ),
    ]


def _blocklist_items() -> list[BlocklistItem]:
    return [
        BlocklistItem(
            "5b7ac19bb1a43dfb107b23c6",
            MD5,
            "0cc175b9c0f1b6a831c399e269772661",
            SOURCE_MANUAL,
            "Added from public API",
            company_id=DEFAULT_COMPANY_ID,
        ),
        BlocklistItem(
            "5b7ac19bb1a43dfb107b23c7",
            SHA256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            SOURCE_INCIDENT,
            "Added from incident 1",
            filename="payload.exe",
        ),
        BlocklistItem(
            "5b7ac19bb1a43dfb107b23c8",
            MD5,
            "900150983cd24fb0d6963f7d28e17f72",
            SOURCE_IMPORT,
            "Imported from threat feed",
            company_id=DEFAULT_COMPANY_ID,
            filename="dropper.dll",
        ),
        BlocklistItem(
            "5b7ac19bb1a43dfb107b23c9",
            MD5,
            "d41d8cd98f00b204e9800998ecf8427e",
            SOURCE_MANUAL,
            "Added from public API",
            company_id=CUSTOMER_COMPANY_ID,
        ),
    ]


def _custom_rules() -> list[CustomRule]:
    return [
        CustomRule(
            id="6182a7e26f59d3072a1e8fc5",
            type=DETECTION_RULE,
            name="Suspicious PowerShell download",
            owner=OWNER_ID,
            company_id=DEFAULT_COMPANY_ID,
            settings={
                "status": 1,
                "severity": 3,
                "target": "process",
                "criteriaList": [
                    {"field": "Process.Name", "relation": "is", "value": "powershell.exe"},
                    {
                        "field": "Process.CommandLine",
                        "relation": "contains",
                        "value": "*DownloadString*",
                    },
                ],
            },
            tags=["powershell"],
            description="Flags PowerShell processes that download scripts.",
        ),
        CustomRule(
            id="6182a7e26f59d3072a1e8fc6",
            type=DETECTION_RULE,
            name="Connection to a known C2 port",
            owner=OWNER_ID,
            company_id=DEFAULT_COMPANY_ID,
            settings={
                "status": 0,
                "severity": 2,
                "target": "connection",
                "criteriaList": [
                    {
                        "field": "Connection.DestinationPort",
                        "relation": "any",
                        "value": ["4444", "5555"],
                    }
                ],
            },
        ),
        CustomRule(
            id="6182a7e26f59d3072a1e8fd0",
            type=EXCLUSION_RULE,
            name="Backup agent",
            owner=OWNER_ID,
            company_id=DEFAULT_COMPANY_ID,
            settings={
                "status": 1,
                "target": "process",
                "criteriaList": [
                    {
                        "field": "Process.FullPathName",
                        "relation": "is",
                        "value": "C:\\Program Files\\Backup\\agent.exe",
                    }
                ],
            },
            tags=["backup"],
        ),
        CustomRule(
            id="6182a7e26f59d3072a1e8fd1",
            type=EXCLUSION_RULE,
            name="Known build tool",
            owner=OWNER_ID,
            company_id=DEFAULT_COMPANY_ID,
            settings={
                "status": 1,
                "target": "file",
                "criteriaList": [
                    {
                        "field": "File.MD5",
                        "relation": "is",
                        "value": "8d777f385d3dfec8815d20f7496026dc",
                    }
                ],
            },
        ),
        CustomRule(
            id="6182a7e26f59d3072a1e8fd2",
            type=EXCLUSION_RULE,
            name="Customer inventory scanner",
            owner=OWNER_ID,
            company_id=CUSTOMER_COMPANY_ID,
            settings={
                "status": 1,
                "target": "process",
                "criteriaList": [
                    {"field": "Process.Name", "relation": "is", "value": "inventory.exe"}
                ],
            },
        ),
    ]


def build_seed_state() -> EmulatorState:
    """Return a fresh state with the seed data. Each call returns equal but independent data."""
    state = EmulatorState(default_company_id=DEFAULT_COMPANY_ID, owner_id=OWNER_ID)
    for company in (
        Company(DEFAULT_COMPANY_ID, "Example Company"),
        Company(CUSTOMER_COMPANY_ID, "Example Customer"),
    ):
        state.companies[company.id] = company
    for endpoint in ENDPOINTS:
        state.endpoints[endpoint.id] = Endpoint(**vars(endpoint))
    for item in _computers_items():
        state.quarantine_items[COMPUTERS][item.id] = item
    for item in _exchange_items():
        state.quarantine_items[EXCHANGE][item.id] = item
    for blocked in _blocklist_items():
        state.blocklist[blocked.id] = blocked
    for rule in _custom_rules():
        state.custom_rules[rule.id] = rule
    return state
