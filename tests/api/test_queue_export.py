"""The queue's CSV export link keeps every filter of the queue, the batch included (issue 16)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from apihelp import REVIEWER, auth


def test_csv_link_keeps_the_batch_filter(client):
    client.post("/login", data={"key": REVIEWER})
    page = client.get("/queue", params={"batch": "backlog-7", "decision": "undecided", "verdict": "rejectable"})
    href = re.search(r'href="([^"]+)" id="csv"', page.text).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query["batch"] == ["backlog-7"]
    assert query["decision"] == ["undecided"] and query["verdict"] == ["rejectable"]
    export = client.get(href, headers=auth(REVIEWER))
    assert export.status_code == 200 and export.text.count("\n") == 1  # the header only: no report of that batch
