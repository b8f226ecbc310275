"""Lists hold national volume (issue 15 item 9): each list page sends the same number of SQL statements whether it
shows 6 rows or a full page of 25 — the relations a row shows are loaded for the whole page at once."""

import pytest

from app.extensions import db
from tests.conftest import file_application, login
from tests.web.test_workbench import Statements

PAGES = {"jinan": "/reviews", "operator": "/applications", "national": "/channels"}


def _statements(client, url: str) -> int:
    client.get(url)  # warm: the session row, the user, the first page's reference data
    client.get(url)
    with Statements(db.engine) as statements:
        assert client.get(url).status_code == 200
    return statements.count


@pytest.mark.parametrize(("username", "url"), sorted(PAGES.items()))
def test_s12_a_list_page_sends_as_many_statements_for_25_rows_as_for_6(world, client, username, url):
    for _ in range(6):
        file_application(world.company_a)
    login(client, username)
    few = _statements(client, url)
    for _ in range(24):
        file_application(world.company_a)
    many = _statements(client, url)
    assert many == few, (url, few, many)
    assert 'class="pager"' in client.get(url).text  # 30 rows: a second page
