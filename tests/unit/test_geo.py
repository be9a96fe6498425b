import pytest

from actions.geo import distance_km, nearest, valid_coordinates


def test_distance_tripoli_benghazi_is_about_650_km():
    assert distance_km((32.8872, 13.1913), (32.1167, 20.0667)) == pytest.approx(650, abs=15)


def test_nearest_ranks_by_distance_and_limits():
    points = {"far": (30.0, 31.0), "near": (32.9, 13.2), "middle": (32.4, 15.1)}
    ranked = nearest((32.88, 13.19), list(points), lambda name: points[name], limit=2)
    assert [name for name, _ in ranked] == ["near", "middle"]
    assert ranked[0][1] < ranked[1][1]


@pytest.mark.parametrize("lat,lon,ok", [(32.1, 20.0, True), ("32.1", "20", True), (91, 0, False),
                                        (0, 181, False), ("x", 1, False), (None, None, False)])
def test_coordinates_are_checked(lat, lon, ok):
    assert valid_coordinates(lat, lon) is ok


def test_centres_near_a_location_in_benghazi(session):
    from actions.centres import search

    results = search(session, (32.1, 20.07), None, None)
    assert len(results) == 3
    assert all(c.city == "Benghazi" for c, _ in results[:2])
    assert [km for _, km in results] == sorted(km for _, km in results)


def test_service_filter_keeps_only_that_service(session):
    from actions.centres import search

    results = search(session, (31.95, 35.91), "labour_rights", "JO")
    assert [c.id for c, _ in results] == ["tamkeen-amman"]


def test_a_service_missing_in_the_country_is_not_looked_for_abroad(session):
    from actions.centres import search

    assert search(session, (32.11, 20.06), "shelter", "LY") == []
    assert len(search(session, (32.11, 20.06), None, "LY")) == 3
