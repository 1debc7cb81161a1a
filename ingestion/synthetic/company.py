"""Master data of the sample company: sites, bins, suppliers, customers, users, items.

The company is built from product families. A *make* family has finished goods
produced at the plant from a sub-assembly (wip) and raw materials; a *trade*
family buys its finished goods ready-made into DC-CENTRAL. Each family draws
from its own random stream (``SeedSequence(seed, spawn_key=(1, family))``), so
its items and its year of flows do not depend on how families are chunked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .fixed import MICRO, micro
from .scales import DAY, DAYS, START_TS, ScaleSpec

CURRENCY = "EUR"
ITEM_EPOCH = "2025-01-01T00:00:00Z"

PLANT, DC1, DC2 = "PLANT", "DC-CENTRAL", "DC-REGIONAL"
SITE_PREFIX = {PLANT: "PLT", DC1: "DC1", DC2: "DC2"}
SITE_REGION = {PLANT: "NORTH", DC1: "CENTRAL", DC2: "SOUTH"}
BINS_PER_ZONE = 99 * 20
DEMAND_CLASSES = ("smooth", "erratic", "lumpy")
GLOBAL_CONVERSIONS = (("KG", "G", 1000), ("BOX", "EA", 10), ("T", "KG", 1000), ("L", "ML", 1000))
BOX_FACTOR = 10

FINISHED_CATEGORIES = ("Beverages", "Snacks", "Cleaning", "Hardware", "Garden", "Electronics")
RAW_CATEGORIES = ("Resins", "Flour", "Packaging", "Chemicals", "Metals", "Additives")


def family_rng(seed: int, family: int) -> np.random.Generator:
    """The random stream of one family (independent of chunking)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1, family))))


def global_rng(seed: int, purpose: int) -> np.random.Generator:
    """A random stream for company-wide master data (purpose 0) and writers (>=2)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(purpose,))))


def bin_id(prefix: str, index: int) -> str:
    """Storage bin id like ``DC1-A-03-02`` (site-zone-aisle-level)."""
    zone = chr(ord("A") + index // BINS_PER_ZONE)
    rest = index % BINS_PER_ZONE
    return f"{prefix}-{zone}-{rest // 20 + 1:02d}-{rest % 20 + 1:02d}"


@dataclass(frozen=True)
class Location:
    location_id: str
    site_id: str
    zone: str
    bin: str
    location_type: str

    def row(self) -> dict[str, object]:
        return {
            "location_id": self.location_id,
            "site_id": self.site_id,
            "warehouse_id": f"WH-{SITE_PREFIX[self.site_id]}",
            "zone": self.zone,
            "bin": self.bin,
            "location_type": self.location_type,
            "region": SITE_REGION[self.site_id],
        }


@dataclass(frozen=True)
class Supplier:
    supplier_id: str
    name: str
    country: str
    lead_time_mean: float
    lead_time_sd: float
    on_time_prob: float
    partial_prob: float
    late_mean_days: float


@dataclass(frozen=True)
class Customer:
    customer_id: str
    tier: str
    region: str


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    department: str
    left_day: int | None = None
    """Day index after which the user has left (None: still employed)."""


@dataclass
class DemandProfile:
    """How customers order a finished item at each DC (the ground truth)."""

    demand_class: str
    lines_per_day: float
    mean_line_qty: float
    trend: float
    season_amp: float
    season_peak_month: int
    starved: bool
    launch_day: int = 0
    end_day: int = DAYS


@dataclass
class StatusEvent:
    """A planned status change of an item during the simulated year."""

    day: int
    to_status: str
    until_day: int | None = None
    """For quarantine/blocked: the day it becomes active again."""


@dataclass
class Item:
    item_id: str
    family: int
    item_type: str
    description: str
    category: str
    base_uom: str
    valuation_method: str
    standard_cost: int  # micro EUR per base unit
    decimals: int  # quantity decimals in the base uom
    lot_tracked: bool = False
    serial_tracked: bool = False
    vmi: bool = False
    consignment: bool = False
    regulated: bool = False
    shelf_life_days: int | None = None
    supplier: Supplier | None = None
    purchase_uom: str | None = None
    purchase_factor: int = MICRO  # micro base units per purchase unit
    issue_uom: str | None = None  # production consumes in this uom (G for additives)
    moq: int = 0  # micro base units
    order_multiple: int = 0
    profile: DemandProfile | None = None
    status_events: list[StatusEvent] = field(default_factory=list)
    replaces: str | None = None
    valid_from_day: int | None = None  # None: existed before the simulated year

    @property
    def purchased(self) -> bool:
        return self.supplier is not None


@dataclass(frozen=True)
class BomLine:
    parent: str
    component: str
    qty_per: int  # micro component base units per parent base unit
    scrap_factor: int  # micro
    role: str


@dataclass
class Family:
    fid: int
    make: bool
    finished: list[Item]
    wip: Item | None
    raws: list[Item]
    byproduct: Item | None
    mro_item: Item | None
    bom: dict[str, list[BomLine]]
    bins: dict[tuple[str, str], str] = field(default_factory=dict)
    """(item_id, site) -> storage location id."""
    spare_bins: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        extra = [i for i in (self.wip, self.byproduct, self.mro_item) if i is not None]
        return [*self.finished, *extra, *self.raws]


@dataclass
class Company:
    seed: int
    scale: ScaleSpec
    suppliers: list[Supplier]
    customers: list[Customer]
    users: list[User]
    locations: list[Location]
    families: list[Family]
    transit_locations: dict[tuple[str, str], str]

    def users_of(self, department: str) -> list[User]:
        return [u for u in self.users if u.department == department]


def _suppliers(rng: np.random.Generator, n: int) -> list[Supplier]:
    countries = ("DE", "PL", "CZ", "IT", "NL", "CN", "FR")
    out = []
    for i in range(n):
        reliable = rng.random() < 0.5
        out.append(
            Supplier(
                supplier_id=f"SUP{i + 1:04d}",
                name=f"Supplier {i + 1:04d} GmbH",
                country=str(rng.choice(countries)),
                lead_time_mean=float(rng.integers(5, 36)),
                lead_time_sd=float(round(rng.uniform(0.5, 4.0), 1)),
                on_time_prob=float(round(rng.uniform(0.85, 0.98) if reliable else rng.uniform(0.4, 0.7), 2)),
                partial_prob=float(round(rng.uniform(0.05, 0.35), 2)),
                late_mean_days=float(round(rng.uniform(2.0, 10.0), 1)),
            )
        )
    return out


def _users(rng: np.random.Generator) -> list[User]:
    first = ("Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas",
             "Karla", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Sven", "Tina", "Uwe")
    last = ("Adler", "Bauer", "Celik", "Dietz", "Engel", "Fuchs", "Graf", "Hahn", "Illner", "Jung")
    plan = (("warehouse", 14), ("stores", 5), ("production", 8), ("purchasing", 5),
            ("sales", 4), ("finance", 4), ("planning", 3), ("quality", 3))
    users: list[User] = []
    n = 0
    for dept, count in plan:
        for _ in range(count):
            n += 1
            name = f"{first[rng.integers(len(first))]} {last[rng.integers(len(last))]}"
            users.append(User(f"U{n:04d}", name, dept))
    for uid, name in (("SYS-ERP-BATCH", "ERP batch job"), ("ECOM-API", "Web shop integration"),
                      ("PORTAL-API", "Supplier portal integration"), ("MES-GW", "MES gateway")):
        users.append(User(uid, name, "it"))
    # Some staff leave during the year (their later postings are SoD breaches).
    for idx, day in ((2, 120), (9, 200), (16, 150), (21, 240), (29, 90)):
        u = users[idx]
        users[idx] = User(u.user_id, u.name, u.department, left_day=day)
    return users


def _customers(rng: np.random.Generator, n: int) -> list[Customer]:
    tiers = rng.choice(np.array(["A", "B", "C"]), size=n, p=[0.15, 0.35, 0.5])
    regions = rng.choice(np.array(["NORTH", "CENTRAL", "SOUTH", "EAST", "WEST"]), size=n)
    return [Customer(f"C{i + 1:05d}", str(tiers[i]), str(regions[i])) for i in range(n)]


def _profile(rng: np.random.Generator) -> DemandProfile:
    cls = str(rng.choice(np.array(DEMAND_CLASSES), p=[0.5, 0.3, 0.2]))
    if cls == "smooth":
        lines, size = rng.uniform(3.0, 7.0), rng.uniform(2.0, 8.0)
    elif cls == "erratic":
        lines, size = rng.uniform(1.5, 4.0), rng.uniform(3.0, 12.0)
    else:
        lines, size = rng.uniform(0.04, 0.12), rng.uniform(20.0, 80.0)
    seasonal = rng.random() < 0.5
    return DemandProfile(
        demand_class=cls,
        lines_per_day=float(round(lines, 3)),
        mean_line_qty=float(round(size, 2)),
        trend=float(round(rng.uniform(-0.3, 0.5), 3)),
        season_amp=float(round(rng.uniform(0.3, 0.6), 3)) if seasonal else 0.0,
        season_peak_month=int(rng.integers(0, 12)),
        starved=bool(rng.random() < 0.1),
    )


def _status_events(rng: np.random.Generator, item: Item) -> None:
    roll = rng.random()
    if roll < 0.06:
        start = int(rng.integers(30, DAYS - 40))
        item.status_events.append(
            StatusEvent(start, "quarantine" if rng.random() < 0.6 else "blocked",
                        until_day=start + int(rng.integers(7, 22)))
        )


def _finished(rng: np.random.Generator, fid: int, k: int, category: str, make: bool,
              supplier: Supplier) -> Item:
    serial = bool(rng.random() < 0.05)
    cost = rng.uniform(150, 900) if serial else rng.uniform(2, 60)
    item = Item(
        item_id=f"FG{fid:05d}{k}",
        family=fid,
        item_type="finished",
        description=f"{category} product {fid}-{k}",
        category=category,
        base_uom="EA",
        valuation_method=str(rng.choice(np.array(["fifo", "avco", "standard"]), p=[0.4, 0.35, 0.25])),
        standard_cost=micro(cost, 4),
        decimals=0,
        serial_tracked=serial,
        lot_tracked=(not serial) and bool(rng.random() < 0.3),
        regulated=bool(rng.random() < 0.08),
        shelf_life_days=int(rng.choice([180, 365, 730])) if rng.random() < 0.2 else None,
        supplier=None if make else supplier,
        purchase_uom=None if make or rng.random() < 0.6 else "BOX",
        purchase_factor=BOX_FACTOR * MICRO,
        profile=_profile(rng),
    )
    if not make and item.purchase_uom is None:
        item.purchase_factor = MICRO
    if serial:
        item.profile.lines_per_day = min(item.profile.lines_per_day, 1.5)  # type: ignore[union-attr]
        item.profile.mean_line_qty = 1.0  # type: ignore[union-attr]
    _status_events(rng, item)
    return item


def _raw(rng: np.random.Generator, fid: int, k: int, supplier: Supplier) -> Item:
    category = str(rng.choice(np.array(RAW_CATEGORIES)))
    kg = rng.random() < 0.6
    cased = kg and rng.random() < 0.5
    ownership = rng.random()
    item = Item(
        item_id=f"RM{fid:05d}{k}",
        family=fid,
        item_type="raw",
        description=f"{category} material {fid}-{k}",
        category=category,
        base_uom="KG" if kg else "EA",
        valuation_method=str(rng.choice(np.array(["fifo", "avco", "standard"]), p=[0.35, 0.4, 0.25])),
        standard_cost=micro(rng.uniform(0.5, 12), 4),
        decimals=3 if kg else 0,
        lot_tracked=bool(rng.random() < 0.4),
        vmi=0.85 <= ownership < 0.92,
        consignment=ownership >= 0.92,
        regulated=bool(rng.random() < 0.1),
        shelf_life_days=int(rng.choice([90, 180, 365])) if rng.random() < 0.25 else None,
        supplier=supplier,
        purchase_uom="CS" if cased else None,
        purchase_factor=micro(float(rng.choice([12.5, 20.0, 25.0, 10.0])), 3) if cased else MICRO,
        issue_uom="G" if kg and not cased and rng.random() < 0.25 else None,
    )
    _status_events(rng, item)
    return item


def _family(seed: int, fid: int, suppliers: list[Supplier]) -> Family:
    rng = family_rng(seed, fid)
    make = bool(rng.random() < 0.8)
    category = str(rng.choice(np.array(FINISHED_CATEGORIES)))
    sup = suppliers[int(rng.integers(len(suppliers)))]
    finished = [_finished(rng, fid, k + 1, category, make, sup) for k in range(int(rng.integers(1, 4)))]
    # Some finished goods go obsolete and are replaced by a new version.
    if rng.random() < 0.12:
        old = finished[0]
        day = int(rng.integers(120, DAYS - 60))
        old.status_events = [StatusEvent(day, "obsolete")]
        assert old.profile is not None
        old.profile.end_day = day
        new = _finished(rng, fid, 9, category, make, sup)
        new.item_id = f"{old.item_id[:-1]}9"
        new.serial_tracked, new.lot_tracked = old.serial_tracked, old.lot_tracked
        new.status_events = []
        new.replaces = old.item_id
        new.valid_from_day = day - 14
        assert new.profile is not None
        new.profile.launch_day = day
        finished.append(new)
    wip: Item | None = None
    raws: list[Item] = []
    bom: dict[str, list[BomLine]] = {}
    byproduct = None
    if make:
        raws = [_raw(rng, fid, k + 1, suppliers[int(rng.integers(len(suppliers)))])
                for k in range(int(rng.integers(2, 5)))]
        wip = Item(
            item_id=f"WP{fid:05d}1", family=fid, item_type="wip",
            description=f"{category} sub-assembly {fid}", category=category, base_uom="EA",
            valuation_method="standard", standard_cost=micro(rng.uniform(1, 20), 4), decimals=0,
        )
        if rng.random() < 0.35:
            byproduct = Item(
                item_id=f"BP{fid:05d}1", family=fid, item_type="raw",
                description=f"Regrind from family {fid}", category="Regrind", base_uom="KG",
                valuation_method="avco", standard_cost=micro(rng.uniform(0.1, 0.8), 4), decimals=3,
            )
        wip_lines = []
        for r in raws[: max(1, len(raws) - 1)]:
            per = rng.uniform(0.2, 1.5) if r.base_uom == "KG" else float(rng.integers(1, 4))
            wip_lines.append(BomLine(wip.item_id, r.item_id, micro(per, 3), micro(rng.uniform(0, 0.05), 4),
                                     "component"))
        bom[wip.item_id] = wip_lines
        last = raws[-1]
        for f in finished:
            per_last = rng.uniform(0.05, 0.5) if last.base_uom == "KG" else 1.0
            lines = [
                BomLine(f.item_id, wip.item_id, MICRO, micro(rng.uniform(0, 0.03), 4), "component"),
                BomLine(f.item_id, last.item_id, micro(per_last, 3), micro(rng.uniform(0, 0.05), 4),
                        "component"),
            ]
            if byproduct is not None:
                lines.append(BomLine(f.item_id, byproduct.item_id, micro(rng.uniform(0.01, 0.1), 3), 0,
                                     "by_product"))
            bom[f.item_id] = lines
        if len(finished) >= 2 and finished[1].replaces is None and rng.random() < 0.4:
            main, co = finished[0], finished[1]
            bom[main.item_id].append(BomLine(main.item_id, co.item_id, micro(0.2, 3), 0, "co_product"))
    mro = None
    if rng.random() < 0.5:
        mro = Item(
            item_id=f"MR{fid:05d}1", family=fid, item_type="mro",
            description=f"Spare part kit {fid}", category="MRO", base_uom="EA",
            valuation_method="avco", standard_cost=micro(rng.uniform(5, 120), 4), decimals=0,
            supplier=suppliers[int(rng.integers(len(suppliers)))],
        )
    fam = Family(fid, make, finished, wip, raws, byproduct, mro, bom)
    for it in fam.items:
        if it.supplier is not None:
            base = 1000 if it.base_uom == "KG" else 50
            it.moq = int(base * MICRO)
            it.order_multiple = it.purchase_factor if it.purchase_uom else (10 * MICRO if it.decimals == 0 else 0)
    return fam


def _assign_bins(families: list[Family]) -> list[Location]:
    """Give every (item, site) stock node a storage bin, plus an empty spare bin next to it."""
    counters = {PLANT: 0, DC1: 0, DC2: 0}
    locations: list[Location] = []

    def take(site: str, item_id: str, fam: Family, spare: bool) -> None:
        idx = counters[site]
        counters[site] += 2 if spare else 1
        loc = bin_id(SITE_PREFIX[site], idx)
        fam.bins[(item_id, site)] = loc
        locations.append(Location(loc, site, loc.split("-")[1], loc, "storage"))
        if spare:
            s = bin_id(SITE_PREFIX[site], idx + 1)
            fam.spare_bins[(item_id, site)] = s
            locations.append(Location(s, site, s.split("-")[1], s, "storage"))

    for fam in families:
        for f in fam.finished:
            for site in (DC1, DC2):
                take(site, f.item_id, fam, spare=True)
            if fam.make:
                take(PLANT, f.item_id, fam, spare=False)
        for it in (*fam.raws, fam.byproduct, fam.mro_item):
            if it is not None:
                take(PLANT, it.item_id, fam, spare=False)
        if fam.wip is not None:
            loc = f"PLT-PRD-{fam.fid // 20 + 1:02d}-{fam.fid % 20 + 1:02d}"
            fam.bins[(fam.wip.item_id, PLANT)] = loc
            locations.append(Location(loc, PLANT, "PRD", loc, "production"))
    for site, prefix in SITE_PREFIX.items():
        for zone, ltype in (("RCV", "receiving"), ("STG", "staging"), ("QUA", "quarantine"),
                            ("SHP", "shipping")):
            for n in range(1, 4):
                loc = f"{prefix}-{zone}-01-{n:02d}"
                locations.append(Location(loc, site, zone, loc, ltype))
    return locations


def build_company(spec: ScaleSpec, seed: int) -> Company:
    """All master data; families are built from their own streams."""
    rng = global_rng(seed, 0)
    suppliers = _suppliers(rng, max(12, spec.families // 4))
    customers = _customers(rng, max(300, spec.families * 6))
    users = _users(rng)
    families = [_family(seed, fid, suppliers) for fid in range(spec.families)]
    locations = _assign_bins(families)
    transit: dict[tuple[str, str], str] = {}
    for a, b in ((PLANT, DC1), (PLANT, DC2), (DC1, DC2)):
        loc = f"TRN-{SITE_PREFIX[a]}-{SITE_PREFIX[b]}"
        transit[(a, b)] = loc
        locations.append(Location(loc, a, "TRN", loc, "in_transit"))
    return Company(seed, spec, suppliers, customers, users, locations, families, transit)


def day_ts(day: int, seconds: float = 0.0) -> int:
    """Epoch seconds of a simulated day plus seconds into it."""
    return START_TS + day * DAY + int(seconds)
