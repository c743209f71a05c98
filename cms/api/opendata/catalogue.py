"""The DCAT catalogue of the open data (DCAT-AP, JSON-LD), harvestable by data.gouv.fr.

One dataset per commune and kind (events, directory, info), each with a CSV and a JSON
distribution conforming to its Table Schema, plus the platform-wide datasets. Built by
build.platform_files_build from the communes' manifests; served as stored.
"""

from .build import PLATFORM, ROOT, opendata_base_url
from .datasets import LICENCE_NAME, LICENCE_URL, datasets

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:modified": {"@type": "xsd:dateTime"},
    "dct:issued": {"@type": "xsd:dateTime"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:accessURL": {"@type": "@id"},
    "dct:license": {"@type": "@id"},
    "dct:conformsTo": {"@type": "@id"},
    "dct:spatial": {"@type": "@id"},
}
INSEE_COMMUNE = "http://id.insee.fr/geo/commune/{insee}"


def catalogue_build(*, manifests: list[dict], platform: dict) -> dict:
    base = opendata_base_url()
    entries = []
    for manifest in sorted(manifests, key=lambda m: m["insee"]):
        for dataset in datasets():
            entries.append(_dataset(
                base=base, scope=manifest["insee"], dataset=dataset,
                title=f"{dataset.title} — {manifest['name']}",
                description=f"{dataset.description} Commune : {manifest['name']} "
                            f"(INSEE {manifest['insee']}).",
                publisher=manifest["name"], modified=manifest["modified"],
                spatial=INSEE_COMMUNE.format(insee=manifest["insee"]),
                count=manifest["counts"].get(dataset.name, 0)))
    for dataset in datasets():
        entries.append(_dataset(
            base=base, scope=PLATFORM, dataset=dataset,
            title=f"{dataset.title} — toutes les communes",
            description=f"{dataset.description} Toutes les communes de la plateforme.",
            publisher="Clocher", modified=platform["modified"], spatial=None,
            count=platform["counts"].get(dataset.name, 0)))
    return {
        "@context": CONTEXT,
        "@id": f"{base}/{ROOT}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": "Données ouvertes des communes",
        "dct:description": "Agenda, annuaire et informations pratiques des communes.",
        "dct:language": "fr",
        "dct:license": LICENCE_URL,
        "dct:modified": platform["modified"],
        "foaf:homepage": {"@id": f"{base}/"},
        "dcat:dataset": entries,
    }


def _dataset(*, base: str, scope: str, dataset, title: str, description: str,
             publisher: str, modified: str, spatial: str | None, count: int) -> dict:
    identifier = f"{base}/{ROOT}/{scope}/{dataset.name}"
    schema = f"{base}/{ROOT}/schemas/{dataset.name}.json"
    entry = {
        "@id": identifier,
        "@type": "dcat:Dataset",
        "dct:identifier": identifier,
        "dct:title": title,
        "dct:description": description,
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher},
        "dct:modified": modified,
        "dct:license": LICENCE_URL,
        "dct:rights": LICENCE_NAME,
        "dcat:keyword": [dataset.name, "commune"],
        "dcat:distribution": [
            {"@id": f"{identifier}.{fmt}", "@type": "dcat:Distribution",
             "dct:title": f"{title} ({fmt.upper()})",
             "dcat:downloadURL": f"{identifier}.{fmt}",
             "dcat:accessURL": f"{identifier}.{fmt}",
             "dcat:mediaType": media, "dct:format": fmt.upper(),
             "dct:license": LICENCE_URL, "dct:conformsTo": schema,
             "dct:modified": modified}
            for fmt, media in (("csv", "text/csv"), ("json", "application/json"))],
    }
    entry["dct:extent"] = f"{count} lignes"
    if spatial:
        entry["dct:spatial"] = spatial
    return entry
