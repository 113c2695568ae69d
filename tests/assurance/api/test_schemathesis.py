"""Schemathesis (property-based testing from the OpenAPI schema) against the API, in-process
through Django's WSGI application, with published data seeded: no answer is a 5xx, and every
answer — status, content type, headers, body — is one the schema allows (issue 16).

Bounded (a few examples an operation, no shrinking of passes) so the whole run stays well
under a minute on two busy cores. Each request runs anonymously and by DH staff's token.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings

from assurance.api.v1 import api
from assurance.models import PCT, PublicationStatus
from assurance.services.api_tokens import create_token
from tests.freedoms.factories import PublicationFactory, publish

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def published(reference_data, settings):
    """Versions 1 (superseded), 2 (current) and 3 (failed) of one cycle."""
    settings.API_ANON_RATE = (1_000_000, 60)  # the rate limit has its own test
    pcts = list(PCT.objects.order_by("code")[:6])
    old = publish({pcts[0]: "support", pcts[1]: "notice"})
    current = publish(
        dict(
            zip(
                pcts,
                ["freedoms", "support", "support", "notice", "support", "support"],
                strict=True,
            )
        ),
        cycle=old.cycle,
        version=2,
    )
    old.status, old.superseded_by = PublicationStatus.SUPERSEDED, current
    old.save()
    PublicationFactory(cycle=old.cycle, version=3, status=PublicationStatus.FAILED)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes the database connection at the end of each request (Django's
    ``close_old_connections`` on ``request_finished``): in a test that is the test's own
    transaction, and PostgreSQL then answers "the connection is closed". Django's test client
    disconnects the same receivers; so does this."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def dh_token(dora):
    return create_token(dora, "Schemathesis")[1]


# The schema as /api/v1/openapi.json serves it (test_v1 checks they are the same), called
# in-process through the WSGI application. (schemathesis.pytest.from_fixture does not yet
# run on pytest 9.)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = get_wsgi_application()

#: Werkzeug's test client does not undo GZipMiddleware's compression, as an HTTP client does.
PLAIN = {"Accept-Encoding": "identity"}

BOUNDED = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_every_answer_is_one_the_schema_allows(case, published, dh_token):
    """Each generated request twice: anonymously, and by DH staff's token (who see most)."""
    case.call_and_validate(headers=PLAIN)
    case.call_and_validate(headers={**PLAIN, "Authorization": f"Bearer {dh_token}"})
