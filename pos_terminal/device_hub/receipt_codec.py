"""Receipts to and from JSON, so the job journal can rebuild a receipt for a reprint."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from retail.receipt import (
    Receipt,
    ReceiptLine,
    ReceiptMember,
    ReceiptSaving,
    ReceiptTax,
    ReceiptTender,
)


def receipt_to_json(receipt: Receipt) -> str:
    return json.dumps(asdict(receipt), ensure_ascii=False, sort_keys=True)


def receipt_from_json(text: str) -> Receipt:
    doc: dict[str, Any] = json.loads(text)
    member = doc.pop("member")
    return Receipt(
        **{
            **doc,
            "lines": tuple(
                ReceiptLine(
                    **{**line, "savings": tuple(ReceiptSaving(**s) for s in line["savings"])}
                )
                for line in doc["lines"]
            ),
            "tenders": tuple(ReceiptTender(**t) for t in doc["tenders"]),
            "taxes": tuple(ReceiptTax(**t) for t in doc["taxes"]),
            "member": ReceiptMember(**member) if member else None,
            "footer": tuple(doc["footer"]),
        }
    )
