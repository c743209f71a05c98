"""Open data per commune (issue 28, item 6).

Each commune's events, directory entries and practical information are CSV and JSON
files valid against their Table Schemas (checked with frictionless), under the Licence
Ouverte 2.0, listed in a DCAT catalogue; a platform-wide export too. The worker
rebuilds them when content changes (outbox category "opendata"); a request never
builds one.
"""

import csv
import io
import json

import pytest
from django.core.management import call_command
from frictionless import Resource, Schema

from cms.api.opendata.datasets import LICENCE_URL, datasets
from cms.content.models import DirectoryKind, InfoTopic
from cms.publishing.models import OutboxMessage
from tests.factories import (
    make_directory,
    make_event,
    make_info,
    publish,
    soon,
    worker_pass,
)

pytestmark = pytest.mark.django_db
NAMES = [dataset.name for dataset in datasets()]


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    # Files of other tests (and earlier runs) never stand in for this test's.
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def content(commune, neighbour_commune):
    return {
        "concert": publish(make_event(commune, title="Concert, « chorale »\nde Noël",
                                      start=soon(3), summary="Orgue; et \"voix\"",
                                      organiser_email="chorale@example.org",
                                      latitude=47.32, longitude=-2.07)),
        "bal": publish(make_event(neighbour_commune, title="Bal du port", start=soon(5))),
        "club": publish(make_directory(commune, title="Club de foot",
                                       kind=DirectoryKind.ASSOCIATION, phone="02 40 00 00 00")),
        "mairie": publish(make_info(commune, title="Horaires de la mairie",
                                    topic=InfoTopic.TOWN_HALL, summary="Du lundi au samedi.")),
    }


def built(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def schema_of(client, name) -> Schema:
    return Schema.from_descriptor(built(client, f"/opendata/schemas/{name}.json").json())


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


@pytest.mark.parametrize("name", NAMES)
def test_commune_files_are_valid_against_their_schema(client, content, name, tmp_path):
    worker_pass("opendata")
    schema = schema_of(client, name)
    response = built(client, f"/opendata/44052/{name}.csv")
    assert response["Content-Type"].startswith("text/csv")
    path = tmp_path / f"{name}.csv"
    path.write_bytes(response.content)
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    document = built(client, f"/opendata/44052/{name}.json").json()
    assert document["license"]["url"] == LICENCE_URL
    assert document["data"], name
    report = Resource(data=document["data"], schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # The two formats carry the same rows.
    assert [int(row["id"]) for row in csv_rows(response.content)] == [
        row["id"] for row in document["data"]]


def test_commune_events_are_its_own_only_and_text_survives_csv(client, content):
    worker_pass("opendata")
    rows = csv_rows(built(client, "/opendata/44052/events.csv").content)
    assert [row["title"] for row in rows] == ["Concert, « chorale » de Noël"]
    concert = rows[0]
    assert concert["commune_insee"] == "44052" and concert["commune_name"] == "Donges"
    assert concert["summary"] == 'Orgue; et "voix"'
    assert concert["organiser_email"] == "chorale@example.org"
    assert concert["url"].endswith("/")
    # By slug too, the same file.
    assert built(client, "/opendata/donges/events.csv").content == built(
        client, "/opendata/44052/events.csv").content


def test_platform_export_has_every_commune(client, content):
    worker_pass("opendata")
    titles = {row["title"] for row in csv_rows(built(client, "/opendata/all/events.csv").content)}
    assert {"Bal du port", "Concert, « chorale » de Noël"} <= titles
    assert {row["commune_insee"] for row in csv_rows(
        built(client, "/opendata/all/events.csv").content)} == {"44052", "44103"}


def test_catalogue_lists_each_communes_datasets_for_data_gouv(client, content):
    worker_pass("opendata")
    response = built(client, "/opendata/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    assert catalogue["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert catalogue["dct:license"] == LICENCE_URL
    by_id = {entry["@id"]: entry for entry in catalogue["dcat:dataset"]}
    events = next(entry for key, entry in by_id.items() if key.endswith("/opendata/44052/events"))
    assert events["dct:spatial"] == "http://id.insee.fr/geo/commune/44052"
    assert events["dct:license"] == LICENCE_URL and events["dct:title"]
    downloads = {d["dcat:downloadURL"].split("/opendata/")[1]: d
                 for d in events["dcat:distribution"]}
    assert set(downloads) == {"44052/events.csv", "44052/events.json"}
    assert downloads["44052/events.csv"]["dcat:mediaType"] == "text/csv"
    assert downloads["44052/events.csv"]["dct:conformsTo"].endswith(
        "/opendata/schemas/events.json")
    assert any(key.endswith("/opendata/all/directory") for key in by_id)
    assert any(key.endswith("/opendata/44103/info") for key in by_id)
    # Every file the catalogue names is served.
    for entry in catalogue["dcat:dataset"]:
        for distribution in entry["dcat:distribution"]:
            path = "/opendata/" + distribution["dcat:downloadURL"].split("/opendata/")[1]
            built(client, path)


def test_files_follow_the_pipeline_and_are_never_built_in_a_request(client, content, commune):
    # Nothing built yet: a request does not build, it answers 404.
    assert client.get("/opendata/44052/events.csv").status_code == 404
    assert client.get("/opendata/catalog.jsonld").status_code == 404
    assert OutboxMessage.objects.filter(category="opendata", state="pending").exists()
    worker_pass("opendata")
    before = built(client, "/opendata/44052/events.csv").content
    fest = publish(make_event(commune, title="Fest-noz", start=soon(10)))
    # Published, not yet rebuilt: the file is unchanged until the worker passes.
    assert built(client, "/opendata/44052/events.csv").content == before
    worker_pass("opendata")
    titles = [row["title"] for row in csv_rows(built(client, "/opendata/44052/events.csv").content)]
    assert "Fest-noz" in titles
    fest.unpublish()
    worker_pass("opendata")
    titles = [row["title"] for row in csv_rows(built(client, "/opendata/44052/events.csv").content)]
    assert "Fest-noz" not in titles


def test_a_change_in_one_commune_rebuilds_that_commune_and_the_platform(content, commune):
    worker_pass("opendata")
    OutboxMessage.objects.filter(category="opendata").delete()
    publish(make_info(commune, title="Déchetterie", topic=InfoTopic.WASTE))
    rows = set(OutboxMessage.objects.filter(category="opendata", state="pending")
               .values_list("object_id", flat=True))
    assert rows == {commune.pk, 0}


def test_rebuild_command_builds_everything(client, content):
    OutboxMessage.objects.filter(category="opendata").delete()
    call_command("opendata_rebuild", stdout=io.StringIO())
    for name in NAMES:
        built(client, f"/opendata/44103/{name}.json")
    assert json.loads(built(client, "/opendata/all/info.json").content)["data"]


@pytest.mark.parametrize("path", [
    "/opendata/99999/events.csv", "/opendata/44052/nope.csv", "/opendata/44052/events.xml",
    "/opendata/schemas/nope.json", "/opendata/44052/events.csv%00",
    "/opendata/../etc/passwd",
])
def test_bad_paths_are_404(client, content, path):
    worker_pass("opendata")
    assert client.get(path).status_code == 404
