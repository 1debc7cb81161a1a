"""The view's state survives the URL: filters and drill path round-trip, breadcrumbs go back up."""

from datetime import date

from dashboards.state import Drill, Filters, breadcrumbs, view_params


def test_filters_round_trip_through_the_url_and_ignore_mangled_values() -> None:
    filters = Filters(site="PLANT", category="raw", abc="A", month_from="2026-01", month_to="2026-03",
                      as_of=date(2026, 3, 31))
    assert Filters.from_params(filters.to_params()) == filters
    assert Filters.from_params({"asof": "31.03.2026", "from": "2026-1", "site": ""}) == Filters()


def test_drilling_down_clears_deeper_levels_and_breadcrumbs_lead_back_up() -> None:
    drill = Drill().down("item", "RM1").down("location", "L1").down("movement", "M9")
    assert drill == Drill(item="RM1", location="L1", movement="M9")
    assert drill.down("item", "RM2") == Drill(item="RM2")
    assert Drill.from_params(view_params(Filters(), drill)) == drill

    crumbs = breadcrumbs(Filters(site="PLANT"), drill)
    assert [label for label, _, _ in crumbs] == ["Company", "Site PLANT", "Item RM1", "Location L1",
                                                 "Movement M9"]
    label, filters, back = crumbs[2]
    assert back == Drill(item="RM1") and filters.site == "PLANT"
    assert crumbs[0][1].site is None and crumbs[0][2] == Drill()
