import pytest


@pytest.fixture
def catalogue(db):
    from freedoms.catalogue import load_catalogue

    load_catalogue()


@pytest.fixture(autouse=True)
def _catalogue_loaded(request):
    """Every freedoms test that touches the database has the catalogue loaded."""
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        request.getfixturevalue("catalogue")
