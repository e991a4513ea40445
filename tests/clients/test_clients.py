"""Third-party Python clients against a running landguard (LG_URL, set by scripts/test-ogc-clients.sh)."""
import json
import os
import urllib.request

import geojson_validator
from owslib.ogcapi.features import Features

URL = os.environ["LG_URL"]


def test_owslib_lists_collections_and_items():
    api = Features(URL)
    ids = [c["id"] for c in api.collections()["collections"]]
    # The catalogue's registers, in its order (src/domain/collection/mod.rs, BUILT_IN).
    assert ids == [
        "farmland_units",
        "construction_parcels",
        "key_supervised_units",
        "pollution_sources",
        "tailings_ponds",
        "soil_samples",
        "crop_samples",
    ]
    items = api.collection_items("construction_parcels", limit=7)
    assert items["numberReturned"] == 7
    assert len(items["features"]) == 7
    assert any(link["rel"] == "next" for link in items["links"])
    assert api.conformance()["conformsTo"]


def test_geojson_validator_finds_no_problem():
    with urllib.request.urlopen(f"{URL}/collections/farmland_units/items?limit=500") as r:
        page = json.load(r)
    assert len(page["features"]) == 500
    result = geojson_validator.validate_geometries(page)
    assert result["invalid"] == {}, result
    assert result["problematic"] == {}, result
    assert result["count_geometry_types"] == {"MultiPolygon": 500}
    problems = geojson_validator.validate_structure(page)
    assert not problems, problems
