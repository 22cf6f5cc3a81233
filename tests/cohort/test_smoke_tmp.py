from django.urls import reverse

from tests.cohort.assessment_helpers import criterion
from tests.conftest import client_for


def test_pages_render(world):
    c = client_for(world.alice)
    kw = {"cohort": "gm", "institution": "irwell"}
    for name, extra in [
        ("cohort:workspace", {}),
        ("cohort:criterion", {"criterion_id": criterion(world.cohort, "1.1").pk}),
        ("cohort:action_plan", {}),
        ("cohort:data_definition", {}),
        ("cohort:export_pdf", {}),
        ("cohort:export_csv", {}),
    ]:
        r = c.get(reverse(name, kwargs={**kw, **extra}))
        assert r.status_code == 200, name
    for name in ["cohort:progress", "cohort:practice_library", "cohort:data_register"]:
        r = c.get(reverse(name, kwargs={"cohort": "gm"}))
        assert r.status_code == 200, name
    assert c.get(reverse("cohort:sector_practice")).status_code == 200
    assert c.get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200
    assert client_for(world.alex).get(reverse("dashboard", kwargs={"cohort": "gm"})).status_code == 200
