"""The expected flow of each process: what conformance is checked against.

Each flow is a PM4Py process tree (``->`` sequence, ``X`` choice, ``*`` loop: do the
first child, then optionally the second and the first again, ``tau`` = skip) over the
activities of ``mining.fct_case_steps``, plus named ordering rules checked over every
case in DuckDB (a rule is broken when a case has an ``after`` step earlier than its last
``before`` step, or, for a rule about *every* ``before`` step, earlier than its last
``before`` step: "invoice before receipt posted" is broken by any receipt of the order
posted after its invoice). A posting step earlier than the physical step it posts is a deviation
in every process ("posted before it happened").

Open cases (a purchase order not yet received, a transfer still in transit) fit: the
tail of each flow may be missing.
"""

from __future__ import annotations

from dataclasses import dataclass

POSTED_AHEAD = "posted before it happened"


@dataclass(frozen=True)
class Rule:
    name: str
    before: str
    after: str
    every: bool = False
    """True: every ``before`` step must come first; False: the first one must."""


@dataclass(frozen=True)
class Flow:
    process: str
    tree: str
    rules: tuple[Rule, ...]


def _posted(physical: str, posting: str) -> str:
    return f"->( '{physical}', '{posting}' )"


_STOCK_CONTROL = (
    ("Issued", "Issue posted"), ("Scrapped", "Scrap posted"), ("Adjusted", "Adjustment posted"),
    ("Count adjusted", "Count adjustment posted"),
    ("Customer return received", "Customer return posted"),
    ("Returned to vendor", "Vendor return posted"),
)

EXPECTED_FLOWS: dict[str, Flow] = {flow.process: flow for flow in (
    Flow(
        "procurement",
        "->( 'Order placed', X( ->( *( ->( X( 'Shipment notified', tau ), 'Goods received', "
        "'Receipt posted' ), tau ), X( ->( 'Invoice received', X( 'Invoice paid', tau ) ), tau ) ), "
        "tau ) )",
        (
            Rule("invoice before goods received", "Goods received", "Invoice received", every=True),
            Rule("invoice before receipt posted", "Receipt posted", "Invoice received", every=True),
            Rule("paid before receipt posted", "Receipt posted", "Invoice paid", every=True),
            Rule("goods received before shipment notice", "Shipment notified", "Goods received"),
        ),
    ),
    Flow(
        "production",
        "->( 'Order released', X( ->( *( X( 'Material issued', 'Material issue posted' ), tau ), "
        "X( ->( *( 'Operation confirmed', tau ), X( *( X( 'Output received', "
        "'Output receipt posted' ), tau ), tau ) ), tau ) ), tau ) )",
        (
            Rule("material issued before release", "Order released", "Material issued"),
            Rule("confirmed before material issue posted", "Material issue posted",
                 "Operation confirmed", every=True),
            Rule("output before material issue posted", "Material issue posted", "Output received",
                 every=True),
        ),
    ),
    Flow(
        "fulfilment",
        "->( 'Order placed', X( *( ->( 'Stock allocated', X( ->( 'Shipped', 'Shipment posted' ), "
        "tau ) ), tau ), tau ) )",
        (
            Rule("shipped before allocation", "Stock allocated", "Shipped"),
            Rule("shipped before order", "Order placed", "Shipped"),
        ),
    ),
    Flow(
        "transfer",
        "->( 'Transfer shipped', 'Transfer shipment posted', X( ->( 'Transfer received', "
        "'Transfer receipt posted' ), tau ) )",
        (
            Rule("received before shipment posted", "Transfer shipment posted", "Transfer received",
                 every=True),
            Rule("received before shipped", "Transfer shipped", "Transfer received"),
        ),
    ),
    Flow("consignment", f"*( {_posted('Goods received', 'Receipt posted')}, tau )", ()),
    Flow(
        "stock_control",
        "*( X( " + ", ".join(_posted(a, b) for a, b in _STOCK_CONTROL) + " ), tau )",
        (),
    ),
)}
