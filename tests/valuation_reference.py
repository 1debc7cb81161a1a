"""A plain reference valuer: one movement at a time, the way an ERP books them.

It is the oracle the set-based valuation is tested against, so it is written
for clarity, not speed: a FIFO queue of layers and a running average per
valuation area (item x site), all areas processed together in valuation order
(occurred_at, posted_at, movement_id), which lets a transfer-in take the value
its transfer-out left with and a customer return the cost of the shipment it
reverses.

Units: quantities in micro-units of the base unit (int), values in minor
currency units (cents, int). Rounding: half up (away from zero on magnitudes).

Policy (docs/valuation.md):
- Inflows make a layer: receipts at their value; customer returns at the unit
  cost of the outbound they reverse (else the current unit cost); inter-site
  transfer-ins at their transfer-out's unit cost; production receipts at
  standard cost; positive adjustments at the current unit cost.
- FIFO outflows consume the oldest layers; each piece is round(units x layer
  value / layer units), and the piece that empties a layer takes the layer's
  remainder. A vendor return with ``return_of`` takes its units from the layer
  of that receipt.
- Landed cost on a receipt, at its time: the share of the receipt already
  consumed goes to a COGS adjustment, the rest stays in the layer and is
  consumed pro rata with it (per piece, remainder to the emptying piece).
- Negative stock: units issued beyond the layers are booked at the last known
  unit cost (the newest layer's, else standard); the next inflows settle them
  oldest first, and the difference is a revaluation at the settling inflow.
- Moving average: outflows at the current average (round; the outflow that
  empties the stock takes the remainder); landed cost to stock in the
  proportion the stock still covers the receipt, the rest to COGS.
- Standard: every movement at standard cost; receipts' difference to their
  actual value is purchase price variance; landed cost is price variance. A
  standard cost change (kind ``standard_cost_change``) revalues the stock on
  hand: round(qty x new cost) minus its value is a revaluation.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction

INFLOW = {"receipt", "transfer_in", "production_receipt", "customer_return"}
OUTFLOW = {"issue", "shipment", "transfer_out", "production_issue", "scrap", "vendor_return"}


def round_half_up(x: Fraction) -> int:
    """Round to the nearest integer, halves away from zero."""
    sign = -1 if x < 0 else 1
    n = abs(x)
    return sign * int((n.numerator * 2 + n.denominator) // (n.denominator * 2))


@dataclass
class Event:
    key: str
    area: str
    kind: str  # a movement type, "landed_cost" or "standard_cost_change"
    qty: int = 0  # micro-units, signed
    value: int | None = None  # cents: receipts' value; landed cost amount
    method: str = "fifo"
    standard_cost: Fraction = Fraction(0)  # cents per micro-unit
    return_of: str | None = None  # the movement a return reverses; a charge's receipt
    transfer_of: str | None = None  # for an inter-site transfer_in: its transfer_out


@dataclass
class Layer:
    key: str
    qty0: int
    value0: int
    qty: int
    value: int
    cost: Fraction  # cents per micro-unit this layer stands for (inherited by derived inflows)
    reserved: int = 0  # units only the vendor returns naming this receipt may take
    charges: list[list[int]] = field(default_factory=list)  # [amount, remaining]

    @property
    def available(self) -> int:
        return self.qty - self.reserved


@dataclass
class Area:
    qty: int = 0
    value: int = 0
    layers: deque[Layer] = field(default_factory=deque)
    # [issue key, units left, booked cents left, units at first, booked cents at first]
    deficits: deque[list] = field(default_factory=deque)
    last_cost: Fraction | None = None  # FIFO: the newest layer's cost; AVCO: the average


@dataclass
class Result:
    value: dict[str, int] = field(default_factory=dict)  # movement -> signed cents
    qty: dict[str, int] = field(default_factory=dict)  # movement -> signed micro-units
    cogs_adjustment: dict[str, int] = field(default_factory=dict)  # landed cost -> cents
    revaluation: dict[str, int] = field(default_factory=dict)  # settling movement -> cents
    variance: dict[str, int] = field(default_factory=dict)  # standard cost: price variance
    areas: dict[str, Area] = field(default_factory=dict)


def specific_vendor_returns(events: list[Event]) -> tuple[dict[str, int], set[str]]:
    """Vendor returns taken from the layer of the receipt they name: receipt -> reserved units.

    A vendor return is specific when it names an earlier FIFO receipt of its own
    area and all vendor returns naming that receipt so far do not exceed it.
    Otherwise it is an ordinary outflow.
    """
    receipts: dict[str, Event] = {}
    claimed: dict[str, int] = {}
    reserved: dict[str, int] = {}
    specific: set[str] = set()
    for e in events:
        if e.kind == "receipt":
            receipts[e.key] = e
        r = receipts.get(e.return_of or "")
        if e.kind == "vendor_return" and r and r.area == e.area and r.method == "fifo":
            claimed[r.key] = claimed.get(r.key, 0) - e.qty
            if claimed[r.key] <= r.qty:
                reserved[r.key] = reserved.get(r.key, 0) - e.qty
                specific.add(e.key)
    return reserved, specific


def value_events(events: list[Event]) -> Result:
    """Value ``events`` (already in valuation order) one at a time."""
    reserved, specific = specific_vendor_returns(events)
    res = Result()
    layers: dict[str, tuple[Area, Layer]] = {}  # inflow key -> its area and layer
    for e in events:
        area = res.areas.setdefault(e.area, Area())
        if e.kind == "landed_cost":
            _landed_cost(res, e, layers)
            continue
        if e.kind == "standard_cost_change":  # stock on hand revalued at the new standard cost
            target = round_half_up(area.qty * e.standard_cost)
            res.revaluation[e.key] = target - area.value
            area.value = target
            continue
        res.qty[e.key] = e.qty
        if e.method == "standard":
            _standard(res, e, area)
            continue
        if e.kind in INFLOW or (e.kind not in OUTFLOW and e.qty > 0):
            value, cost = _inflow_value(res, e, area)
            layer = Layer(e.key, e.qty, value, e.qty, value, cost, reserved.get(e.key, 0))
            layers[e.key] = (area, layer)
            if e.method == "fifo":
                _settle_fifo(res, e, area, layer)
                if layer.qty:
                    area.layers.append(layer)
                area.last_cost = cost
            else:
                _settle_avco(res, e, area, value)
            res.value[e.key] = value
            area.value += value + res.revaluation.get(e.key, 0)
            area.qty += e.qty
            if e.method == "avco" and area.qty > 0:
                area.last_cost = Fraction(area.value, area.qty)
        else:
            out = _fifo_out(e, area, layers, specific) if e.method == "fifo" else _avco_out(e, area)
            res.value[e.key] = -out
            area.value -= out
            area.qty += e.qty
    return res


def _current_cost(e: Event, area: Area) -> Fraction:
    """FIFO: the newest layer's cost; moving average: the average; else standard."""
    return area.last_cost if area.last_cost is not None else e.standard_cost


def _inflow_value(res: Result, e: Event, area: Area) -> tuple[int, Fraction]:
    if e.kind == "receipt":
        assert e.value is not None
        return e.value, Fraction(e.value, e.qty)
    if e.kind == "production_receipt":
        cost = e.standard_cost
    else:
        source = e.transfer_of if e.kind == "transfer_in" else e.return_of
        if source in res.value and res.qty[source] < 0:
            # the unit cost the reversed or transferred outflow left with
            cost = Fraction(res.value[source], res.qty[source])
        else:
            cost = _current_cost(e, area)
    return round_half_up(e.qty * cost), cost


def _take(area: Area, layer: Layer, units: int) -> int:
    """Value of ``units`` taken from ``layer``: base and charges pro rata, remainder if emptied."""
    if units == layer.qty:
        value = layer.value + sum(c[1] for c in layer.charges)
        for c in layer.charges:
            c[1] = 0
        layer.value = 0
        if layer in area.layers:
            area.layers.remove(layer)
    else:
        base = round_half_up(Fraction(units * layer.value0, layer.qty0))
        value = base
        for c in layer.charges:
            share = round_half_up(Fraction(units * c[0], layer.qty0))
            c[1] -= share
            value += share
        layer.value -= base
    layer.qty -= units
    return value


def _fifo_out(e: Event, area: Area, layers: dict[str, tuple[Area, Layer]], specific: set[str]) -> int:
    need = -e.qty
    total = 0
    if e.key in specific:
        _, layer = layers[e.return_of or ""]
        layer.reserved -= need
        return _take(area, layer, need)
    while need:
        layer = next((la for la in area.layers if la.available > 0), None)
        if layer is None:
            break
        take = min(need, layer.available)
        total += _take(area, layer, take)
        need -= take
    if need:
        booked = round_half_up(need * _current_cost(e, area))
        area.deficits.append([e.key, need, booked, need, booked])
        total += booked
    return total


def _settle_fifo(res: Result, e: Event, area: Area, layer: Layer) -> None:
    """A new layer first settles units issued while stock was negative, oldest first."""
    while area.deficits and layer.available:
        deficit = area.deficits[0]
        units = min(deficit[1], layer.available)
        actual = _take(area, layer, units)
        # pro rata of the original shortfall, like a layer; the last cover takes the rest
        booked = deficit[2] if units == deficit[1] else round_half_up(
            Fraction(units * deficit[4], deficit[3]))
        deficit[1] -= units
        deficit[2] -= booked
        res.revaluation[e.key] = res.revaluation.get(e.key, 0) + booked - actual
        if not deficit[1]:
            area.deficits.popleft()


def _settle_avco(res: Result, e: Event, area: Area, value: int) -> None:
    """An inflow into negative stock: the shortfall is re-costed at the inflow's cost."""
    if area.qty >= 0:
        return
    units = min(-area.qty, e.qty)
    actual = value if units == e.qty else round_half_up(Fraction(units * value, e.qty))
    booked = -area.value if units == -area.qty else round_half_up(
        Fraction(units * -area.value, -area.qty))
    res.revaluation[e.key] = booked - actual


def _avco_out(e: Event, area: Area) -> int:
    """At the average fixed by the last inflow; the outflow that empties the stock takes the rest."""
    units = -e.qty
    cost = _current_cost(e, area)
    if area.qty <= 0:
        return round_half_up(units * cost)
    if units < area.qty:
        return round_half_up(units * cost)
    return area.value + round_half_up((units - area.qty) * cost)


def _standard(res: Result, e: Event, area: Area) -> None:
    value = -area.value if area.qty + e.qty == 0 else round_half_up(e.qty * e.standard_cost)
    if e.kind == "receipt":
        assert e.value is not None
        res.variance[e.key] = e.value - value
    res.value[e.key] = value
    area.qty += e.qty
    area.value += value


def _landed_cost(res: Result, e: Event, layers: dict[str, tuple[Area, Layer]]) -> None:
    assert e.value is not None and e.return_of is not None
    owner, layer = layers.get(e.return_of, (None, None))
    if e.method == "standard" or owner is None or layer is None:
        res.variance[e.key] = e.value
        res.cogs_adjustment[e.key] = 0
        return
    if e.method == "fifo":
        consumed = layer.qty0 - layer.qty
        to_cogs = e.value if consumed == layer.qty0 else round_half_up(
            Fraction(consumed * e.value, layer.qty0))
        if layer.qty:
            layer.charges.append([e.value, e.value - to_cogs])
    else:
        covered = min(max(owner.qty, 0), layer.qty0)
        to_stock = e.value if covered == layer.qty0 else round_half_up(
            Fraction(covered * e.value, layer.qty0))
        to_cogs = e.value - to_stock
    res.cogs_adjustment[e.key] = to_cogs
    owner.value += e.value - to_cogs
    if e.method == "avco" and owner.qty > 0:
        owner.last_cost = Fraction(owner.value, owner.qty)
