"""QGIS (the desktop GIS planning bureaus use) reads a landguard layer through its own OAPIF provider.

Run by scripts/test-ogc-clients.sh with Debian's /usr/bin/python3 (python3-qgis, qgis-providers), headless:
    /usr/bin/python3 tests/clients/qgis_oapif.py URL COLLECTION
Prints one JSON object: what QGIS saw (every feature, a rectangle filter, an expression filter, the CRS and
fields, the first feature's geometry type and validity). The script judges nothing; the shell compares the
counts with the database. Not collected by pytest (no test_ prefix): the venv there has no QGIS.
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import Qgis, QgsApplication, QgsFeatureRequest, QgsRectangle, QgsVectorLayer, QgsWkbTypes  # noqa: E402


def main(url: str, collection: str) -> dict:
    layer = QgsVectorLayer(f"url='{url}' typename='{collection}'", collection, "OAPIF")
    if not layer.isValid():
        return {"valid": False, "error": layer.error().message()}
    everything = sum(1 for _ in layer.getFeatures())
    rect = QgsFeatureRequest().setFilterRect(QgsRectangle(109.2, 24.4, 109.5, 24.8))
    expr = QgsFeatureRequest().setFilterExpression("\"class\" = 'strict_control'")
    first = next(layer.getFeatures())
    return {
        "qgis": Qgis.QGIS_VERSION,
        "valid": True,
        "crs": layer.crs().authid(),
        "fields": [f.name() for f in layer.fields()],
        "features": everything,
        "rect": sum(1 for _ in layer.getFeatures(rect)),
        "expr": sum(1 for _ in layer.getFeatures(expr)) if "class" in layer.fields().names() else None,
        "first_geometry": QgsWkbTypes.displayString(first.geometry().wkbType()),
        "first_valid": first.geometry().isGeosValid(),
    }


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(json.dumps(main(sys.argv[1], sys.argv[2])))
    finally:
        app.exitQgis()
