"""Loading the registry and frameworks from fixtures/, and refusing bad files."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from assurance.models import PCT, SHA, Competency, Framework
from assurance.rules.reference_data import ImportProblems, parse_framework, parse_pcts
from assurance.services.reference import FIXTURES, FrameworkLocked, import_framework, load_registry
from tests.factories import CycleFactory

DOMAIN_PCTS = settings.BASE_DIR.parent / "shared" / "domain" / "pcts.csv"


def test_it_loads_152_pcts_and_10_shas(reference_data):
    assert SHA.objects.count() == 10
    assert PCT.objects.count() == 152


def test_each_pct_sits_in_the_sha_the_file_says(reference_data):
    import csv

    expected = {
        row["ods_code"]: row["sha_code"]
        for row in csv.DictReader((FIXTURES / "registry" / "pcts.csv").open())
    }
    actual = dict(PCT.objects.values_list("code", "sha__code"))
    assert actual == expected
    assert actual["5K3"] == "Q39"  # Swindon → South West (domain brief §1)
    assert actual["5LH"] == "Q31"  # Tameside and Glossop → North West


@pytest.mark.skipif(not DOMAIN_PCTS.exists(), reason="domain files not beside the checkout")
def test_the_fixture_matches_the_domain_file():
    import csv

    domain = {(r["ods_code"], r["name"], r["sha_code"]) for r in csv.DictReader(DOMAIN_PCTS.open())}
    fixture = {
        (r["ods_code"], r["name"], r["sha_code"])
        for r in csv.DictReader((FIXTURES / "registry" / "pcts.csv").open())
    }
    assert fixture == domain


def test_population_is_never_invented(reference_data):
    assert not PCT.objects.filter(population__isnull=False).exists()


def test_loading_twice_creates_no_duplicates(reference_data):
    sha_result, pct_result = load_registry()
    assert (sha_result.created, pct_result.created) == (0, 0)
    assert pct_result.updated == 152
    assert PCT.objects.count() == 152


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_unknown_sha_code_is_reported_with_its_line_and_nothing_is_saved(db, tmp_path):
    shas = _write(tmp_path, "shas.csv", "sha_code,ons_code,name\nQ30,E18000001,North East\n")
    pcts = _write(
        tmp_path,
        "pcts.csv",
        "ods_code,name,sha_code\n5ND,County Durham,Q30\n5J9,Darlington,Q99\n",
    )
    with pytest.raises(ImportProblems) as excinfo:
        load_registry(shas, pcts)
    assert excinfo.value.problems == [f"{pcts}:3: unknown SHA code 'Q99'"]
    assert SHA.objects.count() == 0
    assert PCT.objects.count() == 0


def test_a_duplicate_ods_code_is_reported_with_both_lines():
    text = "ods_code,name,sha_code\n5ND,County Durham,Q30\n5ND,Durham again,Q30\n"
    with pytest.raises(ImportProblems) as excinfo:
        parse_pcts(text, {"Q30"}, "pcts.csv")
    assert excinfo.value.problems == ["pcts.csv:3: duplicate ODS code 5ND (first on line 2)"]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("5ND,County Durham", "pcts.csv:2: wrong number of columns"),
        ("5ND,County Durham,Q30,extra", "pcts.csv:2: wrong number of columns"),
        ("XX,County Durham,Q30", "pcts.csv:2: ODS code 'XX' is not a PCT ODS code like 5ND"),
        ("5ND,,Q30", "pcts.csv:2: name is empty"),
    ],
)
def test_a_malformed_row_is_reported(row, problem):
    with pytest.raises(ImportProblems) as excinfo:
        parse_pcts(f"ods_code,name,sha_code\n{row}\n", {"Q30"}, "pcts.csv")
    assert excinfo.value.problems == [problem]


def test_the_command_reports_problems_and_saves_nothing(db, tmp_path):
    shas = _write(tmp_path, "shas.csv", "sha_code,ons_code,name\nQ30,E18000001,North East\n")
    pcts = _write(tmp_path, "pcts.csv", "ods_code,name,sha_code\n5ND,Durham,Q31\n")
    with pytest.raises(CommandError, match=r"pcts\.csv:2: unknown SHA code 'Q31'"):
        call_command("load_registry", shas=shas, pcts=pcts)
    assert not SHA.objects.exists()


def test_the_shipped_frameworks_load_with_the_right_competencies(reference_data):
    year1 = Framework.objects.get(year_label="2008/09")
    year2 = Framework.objects.get(year_label="2009/10")
    assert list(year1.competencies.values_list("number", flat=True)) == list(range(1, 11))
    assert list(year2.competencies.values_list("number", flat=True)) == list(range(1, 12))
    assert year2.competencies.get(number=11).short_name == "Make sound financial investments"
    assert list(year2.level_descriptors.values_list("level", "name")) == [
        (1, "Developing"),
        (2, "Established in parts"),
        (3, "Consistent"),
        (4, "World class"),
    ]
    # Criteria texts are not public: the shipped frameworks carry none (domain brief §2.1).
    assert not Competency.objects.filter(criteria__isnull=False).exists()


FRAMEWORK = """
name: Test framework
year_label: "2010/11"
levels:
  - {level: 1, name: One}
  - {level: 2, name: Two}
  - {level: 3, name: Three}
  - {level: 4, name: Four}
competencies:
  - number: 1
    short_name: Locally lead the NHS
    criteria:
      - {number: "1.1", text: First}
      - {number: "1.2", text: Second}
  - {number: 2, short_name: Work with community partners}
"""


def test_a_framework_file_with_criteria_imports(db, tmp_path):
    framework, changed = import_framework(_write(tmp_path, "f.yaml", FRAMEWORK))
    assert changed
    assert list(framework.competencies.get(number=1).criteria.values_list("number", flat=True)) == [
        "1.1",
        "1.2",
    ]
    assert import_framework(_write(tmp_path, "f.yaml", FRAMEWORK)) == (framework, False)


def test_framework_numbers_must_be_unique():
    text = FRAMEWORK.replace("number: 2,", "number: 1,")
    with pytest.raises(ImportProblems, match="competency number 1 appears twice"):
        parse_framework(text, "f.yaml")


def test_a_framework_needs_all_four_levels():
    text = FRAMEWORK.replace("  - {level: 4, name: Four}\n", "")
    with pytest.raises(ImportProblems, match="levels must be exactly 1, 2, 3 and 4"):
        parse_framework(text, "f.yaml")


def test_a_criterion_must_belong_to_its_competency():
    text = FRAMEWORK.replace('"1.2"', '"2.2"')
    with pytest.raises(ImportProblems, match=r"criterion 2\.2 does not belong to competency 1"):
        parse_framework(text, "f.yaml")


def test_a_framework_used_by_an_opened_cycle_cannot_change(reference_data, tmp_path):
    CycleFactory(year_label="2009/10", open_phase=1)
    source = (FIXTURES / "frameworks" / "2009-10.yaml").read_text()
    changed = source.replace("Make sound financial investments", "Something else")
    with pytest.raises(FrameworkLocked, match="opened"):
        import_framework(_write(tmp_path, "2009-10.yaml", changed))
    assert Framework.objects.get(year_label="2009/10").competencies.get(number=11).short_name == (
        "Make sound financial investments"
    )
