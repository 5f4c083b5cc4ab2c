import json
import logging

from goodword.logs import JsonFormatter, RequestIdFilter, request_id_var


def test_json_log_lines_carry_the_request_id() -> None:
    # given a record logged while a request is being served
    token = request_id_var.set("req-42")
    record = logging.LogRecord("goodword", logging.INFO, __file__, 1, "order %s stored", ("o-1",), None)
    RequestIdFilter().filter(record)
    request_id_var.reset(token)
    # when it is formatted as JSON
    line = json.loads(JsonFormatter().format(record))
    # then
    assert line["request_id"] == "req-42"
    assert line["message"] == "order o-1 stored"
    assert line["level"] == "INFO"


def test_lines_outside_a_request_say_so() -> None:
    record = logging.LogRecord("goodword", logging.INFO, __file__, 1, "start-up", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"
